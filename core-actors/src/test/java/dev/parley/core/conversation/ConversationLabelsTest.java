package dev.parley.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation.Command;
import dev.parley.core.conversation.Conversation.Event;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Labels on a conversation: who may set them, what a label is, idempotence, recovery. */
class ConversationLabelsTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private String site;
  private Caller visitor;
  private Caller agent;
  private EventSourcedBehaviorTestKit<Command, Event, ConversationState> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void openConversation() {
    site = "site-" + UUID.randomUUID();
    visitor = Caller.visitor(site, UUID.randomUUID().toString());
    agent = Caller.agent("agent-" + UUID.randomUUID(), Set.of(site));
    kit = EventSourcedBehaviorTestKit.create(
        testKit.system(),
        Conversation.create(UUID.randomUUID().toString(), Clock.systemUTC()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    assertThat(kit.<StatusReply<Conversation.Posted>>runCommand(
        r -> new Conversation.PostMessage(visitor, "m1", "hello", true, r)).reply().isSuccess()).isTrue();
  }

  private StatusReply<Conversation.Labelled> add(Caller caller, String label) {
    return kit.<StatusReply<Conversation.Labelled>>runCommand(r -> new Conversation.AddLabel(caller, label, r)).reply();
  }

  private StatusReply<Conversation.Labelled> remove(Caller caller, String label) {
    return kit.<StatusReply<Conversation.Labelled>>runCommand(r -> new Conversation.RemoveLabel(caller, label, r)).reply();
  }

  @Test
  void anAgentAddsAndRemovesLabelsKeptInLowerCaseAndARepeatPersistsNothing() {
    assertThat(add(agent, " VIP ").getValue().labels()).containsExactly("vip");
    assertThat(add(agent, "发货").getValue().labels()).containsExactly("vip", "发货");
    var repeat = kit.<StatusReply<Conversation.Labelled>>runCommand(r -> new Conversation.AddLabel(agent, "vip", r));
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(repeat.reply().getValue().labels()).containsExactly("vip", "发货");
    assertThat(remove(agent, "Vip").getValue().labels()).containsExactly("发货");
    var absent = kit.<StatusReply<Conversation.Labelled>>runCommand(r -> new Conversation.RemoveLabel(agent, "vip", r));
    assertThat(absent.hasNoEvents()).isTrue();

    kit.restart();
    assertThat(add(agent, "refund").getValue().labels()).containsExactly("发货", "refund");
  }

  @Test
  void badLabelsAndTooManyAreRefusedAndChangeNothing() {
    for (String bad : new String[] {"", "   ", "a".repeat(Labels.MAX_CHARS + 1), "two\nlines"}) {
      var result = kit.<StatusReply<Conversation.Labelled>>runCommand(r -> new Conversation.AddLabel(agent, bad, r));
      assertThat(result.reply().getError().getMessage()).isEqualTo("invalid-label");
      assertThat(result.hasNoEvents()).isTrue();
    }
    for (int i = 0; i < Labels.MAX_PER_CONVERSATION; i++) {
      assertThat(add(agent, "l" + i).isSuccess()).isTrue();
    }
    assertThat(add(agent, "one-more").getError().getMessage()).isEqualTo("invalid-label");
    assertThat(add(agent, "l0").isSuccess()).isTrue();
  }

  @Test
  void visitorsAndOtherSitesAgentsCannotLabel() {
    assertThat(add(visitor, "vip").getError().getMessage()).isEqualTo("unknown-conversation");
    Caller stranger = Caller.agent("agent-x", Set.of("another-site"));
    assertThat(add(stranger, "vip").getError().getMessage()).isEqualTo("unknown-conversation");
    assertThat(remove(stranger, "vip").getError().getMessage()).isEqualTo("unknown-conversation");
  }

  @Test
  void labelsSurviveASnapshot() {
    add(agent, "vip");
    // Enough events for a snapshot, then recovery from it.
    for (int i = 0; i < Conversation.SNAPSHOT_EVERY_EVENTS; i++) {
      kit.<StatusReply<Conversation.Posted>>runCommand(r -> new Conversation.PostMessage(visitor, "x" + UUID.randomUUID(), "hi", r));
    }
    kit.restart();
    assertThat(add(agent, "later").getValue().labels()).containsExactly("vip", "later");
  }
}
