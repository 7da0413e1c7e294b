package dev.parley.core.visitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.RoutingHints;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A visitor's message that has no live conversation goes through the {@link Visitor}, which decides where it goes
 * and posts it to real {@link Conversation} entities: the open conversation if there is one, a new one when the
 * held one was closed (never reopened), and a new one also when the visitor had not heard of the close yet.
 */
class VisitorSendTest {

  private static final Duration WITHIN = Duration.ofSeconds(5);

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private final String visitorId = "v-" + UUID.randomUUID();
  private final Caller caller = Caller.visitor("shop", visitorId);
  /** Real conversation entities, started on first use, as cluster sharding would. */
  private final Map<String, ActorRef<Conversation.Command>> conversations = new ConcurrentHashMap<>();
  private final Visitor.Conversations port =
      (id, post) ->
          AskPattern.ask(
              conversations.computeIfAbsent(id, k -> testKit.spawn(Conversation.create(k, Clock.systemUTC()))),
              post::apply,
              WITHIN,
              testKit.scheduler());
  private final ActorRef<Visitor.Command> visitor =
      testKit.spawn(Visitor.create(Visitor.entityId("shop", visitorId), Clock.systemUTC(), port));

  private StatusReply<Visitor.Sent> send(String id, String text, String stale) {
    TestProbe<StatusReply<Visitor.Sent>> reply = testKit.createTestProbe();
    visitor.tell(new Visitor.Send(caller, id, text, RoutingHints.NONE, stale, reply.getRef()));
    return reply.receiveMessage(WITHIN);
  }

  private void close(String conversationId) {
    TestProbe<StatusReply<Conversation.Ended>> reply = testKit.createTestProbe();
    conversations.get(conversationId).tell(new Conversation.Close(caller, reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).isSuccess()).isTrue();
  }

  @Test
  void theFirstMessageOpensAConversationAndTheNextGoesToIt() {
    Visitor.Sent first = send("m-1", "hello", null).getValue();
    Visitor.Sent second = send("m-2", "anyone?", null).getValue();

    assertThat(first.posted().seq()).isEqualTo(1);
    assertThat(second.conversationId()).isEqualTo(first.conversationId());
    assertThat(second.posted().seq()).isEqualTo(2);
    assertThat(send("m-1", "hello", null).getValue().posted().duplicate()).as("a resend is a repeat").isTrue();
  }

  @Test
  void aMessageForAClosedConversationOpensANewOneAndNeverReopensIt() {
    String first = send("m-1", "hello", null).getValue().conversationId();
    close(first);

    Visitor.Sent after = send("m-2", "one more thing", first).getValue();
    assertThat(after.conversationId()).isNotEqualTo(first);
    assertThat(after.posted().seq()).isEqualTo(1);
    assertThat(send("m-3", "and another", first).getValue().conversationId())
        .as("the same stale id again: the new conversation, not a third")
        .isEqualTo(after.conversationId());
  }

  @Test
  void aCloseTheVisitorHadNotHeardOfStillGivesANewConversation() {
    String first = send("m-1", "hello", null).getValue().conversationId();
    close(first); // the routing feed would tell the visitor later; here it never does

    Visitor.Sent after = send("m-2", "still there?", null).getValue();
    assertThat(after.conversationId()).isNotEqualTo(first);
    assertThat(after.posted().seq()).isEqualTo(1);
  }

  @Test
  void aRejectionOfTheConversationIsTheAnswer() {
    String first = send("m-1", "hello", null).getValue().conversationId();
    assertThat(send("m-2", "", null).getError().getMessage()).isEqualTo(Rejection.TEXT_EMPTY.code());
    assertThat(send("m-3", "fine", null).getValue().conversationId()).isEqualTo(first);
  }
}
