package dev.parley.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation.Attachment;
import dev.parley.core.conversation.Conversation.Command;
import dev.parley.core.conversation.Conversation.Event;
import dev.parley.core.routing.RoutingHints;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Messages that carry a file (issue 15): stored with their seq, replayed after a restart, erased with the words. */
class ConversationAttachmentTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private final String site = "site-" + UUID.randomUUID();
  private final Caller visitor = Caller.visitor(site, UUID.randomUUID().toString());
  private final EventSourcedBehaviorTestKit<Command, Event, ConversationState> kit =
      EventSourcedBehaviorTestKit.create(
          testKit.system(),
          Conversation.create(UUID.randomUUID().toString(), Clock.systemUTC()),
          EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));

  private Attachment photo(String siteId) {
    return new Attachment(UUID.randomUUID().toString(), siteId, "IMG_1.jpg", 123_456, "image/jpeg", 1600, 1200, true);
  }

  private StatusReply<Conversation.Posted> post(String id, String text, boolean opens, Attachment file) {
    return kit.<StatusReply<Conversation.Posted>>runCommand(
            replyTo -> new Conversation.PostMessage(visitor, id, text, opens, replyTo, RoutingHints.NONE, file))
        .reply();
  }

  @Test
  void aFileTakesASeqLikeTextSurvivesARestartAndARepeatStoresNothing() {
    Attachment file = photo(site);
    assertThat(post("m-1", "IMG_1.jpg", true, file).getValue().seq()).isEqualTo(1);
    assertThat(post("m-2", "and the box", false, null).getValue().seq()).isEqualTo(2);
    var repeat = kit.<StatusReply<Conversation.Posted>>runCommand(
        replyTo -> new Conversation.PostMessage(visitor, "m-1", "IMG_1.jpg", false, replyTo, RoutingHints.NONE, file));
    assertThat(repeat.reply().getValue().duplicate()).isTrue();
    assertThat(repeat.events()).isEmpty();

    kit.restart();

    Entry first = kit.getState().tail.peekFirst();
    assertThat(first.attachment()).isEqualTo(file);
    assertThat(Entry.ofEventOrNull(new Conversation.MessagePosted(3, visitor.participant(), "m-3", "x", first.at()))
        .attachment()).isNull();
  }

  @Test
  void aFileOfAnotherSiteIsRefusedAndNothingIsStored() {
    assertThat(post("m-1", "hello", true, null).isSuccess()).isTrue();
    var refused = kit.<StatusReply<Conversation.Posted>>runCommand(
        replyTo -> new Conversation.PostMessage(
            visitor, "m-2", "theirs.jpg", false, replyTo, RoutingHints.NONE, photo("another-site")));
    assertThat(refused.reply().isError()).isTrue();
    assertThat(refused.reply().getError().getMessage()).isEqualTo("not-allowed");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void erasingTheWordsDropsTheFile() {
    Conversation.MessagePosted posted =
        new Conversation.MessagePosted(1, visitor.participant(), "m-1", "IMG_1.jpg", java.time.Instant.now(), photo(site));
    Conversation.MessagePosted scrubbed = (Conversation.MessagePosted) Conversation.scrubbed(posted);
    assertThat(scrubbed.text()).isEmpty();
    assertThat(scrubbed.attachment()).isNull();
  }
}
