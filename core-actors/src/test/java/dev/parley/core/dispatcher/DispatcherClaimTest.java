package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.RoutingHints;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A claim is one request to the dispatcher: decided and persisted, the join driven to the conversation, answered
 * with the join's seq only once the conversation recorded it, and finished after a restart when it was not.
 */
class DispatcherClaimTest {

  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Conversations whose answers the test gives: each join asked is a future the test completes. */
  static final class Conversations implements DispatcherPeers {
    final LinkedBlockingQueue<String> asked = new LinkedBlockingQueue<>();
    final Map<String, CompletableFuture<Conversation.Claimed>> joins = new ConcurrentHashMap<>();
    final Map<String, Conversation.Facts> facts = new ConcurrentHashMap<>();
    /** When above 0, every join asked from now on is answered at once with this seq. */
    volatile long answerAtOnce;

    @Override
    public CompletionStage<Conversation.Claimed> join(String siteId, String conversationId, String agentId) {
      CompletableFuture<Conversation.Claimed> f = new CompletableFuture<>();
      if (answerAtOnce > 0) {
        f.complete(new Conversation.Claimed(conversationId, answerAtOnce));
      }
      joins.put(conversationId, f);
      asked.add(conversationId + "->" + agentId);
      return f;
    }

    @Override
    public CompletionStage<Conversation.Facts> facts(String siteId, String conversationId) {
      Conversation.Facts known = facts.get(conversationId);
      return CompletableFuture.completedFuture(
          known != null ? known : DispatcherPeers.waitingAt(siteId, conversationId));
    }

    String nextAsk() throws InterruptedException {
      String next = asked.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(next).as("a join asked of the conversation").isNotNull();
      return next;
    }
  }

  private final String siteId = "site-" + UUID.randomUUID();
  private final RoutingFixture.ManualClock clock = new RoutingFixture.ManualClock(START);
  private final RoutingFixture.Config config =
      new RoutingFixture.Config(RoutingFixture.routing(siteId, Policy.MANUAL, 2, List.of(), null));
  private final Conversations conversations = new Conversations();

  private ActorRef<Dispatcher.Command> start() {
    return testKit.spawn(Dispatcher.create(siteId, config, conversations, clock, Duration.ofHours(1)));
  }

  private TestProbe<StatusReply<Dispatcher.Joined>> claim(
      ActorRef<Dispatcher.Command> dispatcher, String agentId, String conversationId) {
    TestProbe<StatusReply<Dispatcher.Joined>> reply = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.Claim(agentId, conversationId, null, reply.getRef()));
    return reply;
  }

  @Test
  void aClaimIsAnsweredWithTheJoinSeqOnlyOnceTheConversationRecordedIt() throws Exception {
    var dispatcher = start();
    dispatcher.tell(new Dispatcher.Enqueue("c1", "v1", START, RoutingHints.NONE));
    var reply = claim(dispatcher, "a", "c1");

    assertThat(conversations.nextAsk()).isEqualTo("c1->a");
    reply.expectNoMessage(Duration.ofMillis(200)); // decided, but not yet joined
    conversations.joins.get("c1").complete(new Conversation.Claimed("c1", 7));

    assertThat(reply.receiveMessage(WITHIN).getValue()).isEqualTo(new Dispatcher.Joined("c1", 7));
  }

  @Test
  void aJoinThatTimesOutIsAskedAgainAtTheNextTickAndTheClaimerAnsweredThen() throws Exception {
    var dispatcher = start();
    dispatcher.tell(new Dispatcher.Enqueue("c1", "v1", START, RoutingHints.NONE));
    var reply = claim(dispatcher, "a", "c1");
    conversations.nextAsk();
    conversations.joins.get("c1").completeExceptionally(new TimeoutException("no answer"));
    reply.expectNoMessage(Duration.ofMillis(200));

    dispatcher.tell(new Dispatcher.Tick());
    assertThat(conversations.nextAsk()).isEqualTo("c1->a");
    conversations.joins.get("c1").complete(new Conversation.Claimed("c1", 3));

    assertThat(reply.receiveMessage(WITHIN).getValue().seq()).isEqualTo(3);
  }

  @Test
  void aDecisionWhoseJoinWasNotConfirmedIsFinishedAfterARestart() throws Exception {
    var dispatcher = start();
    dispatcher.tell(new Dispatcher.Enqueue("c1", "v1", START, RoutingHints.NONE));
    claim(dispatcher, "a", "c1");
    conversations.nextAsk(); // never answered: the node dies here
    testKit.stop(dispatcher);

    var again = start();
    assertThat(conversations.nextAsk()).as("re-driven on recovery").isEqualTo("c1->a");
    conversations.joins.get("c1").complete(new Conversation.Claimed("c1", 2));
    // A repeat is answered with the same seq (asking the idempotent conversation again if it must).
    conversations.answerAtOnce = 2;
    var repeat = claim(again, "a", "c1");
    assertThat(repeat.receiveMessage(WITHIN).getValue().seq()).isEqualTo(2);
    testKit.stop(again);

    conversations.answerAtOnce = 0;
    conversations.asked.clear();
    var third = start();
    claim(third, "a", "c2");
    assertThat(conversations.nextAsk()).as("c1 is confirmed: nothing left to re-drive").isEqualTo("c2->a");
  }

  @Test
  void aClaimOfAConversationNeverQueuedHereAsksItsFactsFirst() throws Exception {
    var dispatcher = start();
    // The conversation waits at this site, but its queue entry was lost (a crash before the dispatcher heard).
    var lost = claim(dispatcher, "a", "lost");
    assertThat(conversations.nextAsk()).isEqualTo("lost->a");
    conversations.joins.get("lost").complete(new Conversation.Claimed("lost", 2));
    assertThat(lost.receiveMessage(WITHIN).isSuccess()).isTrue();

    conversations.facts.put(
        "elsewhere",
        new Conversation.Facts(
            "elsewhere", "another-site", "v", Conversation.Status.WAITING, null, 0, START, null));
    conversations.facts.put(
        "over", new Conversation.Facts("over", siteId, "v", Conversation.Status.CLOSED, null, 0, START, null));
    assertThat(claim(dispatcher, "a", "elsewhere").receiveMessage(WITHIN).getError().getMessage())
        .isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(claim(dispatcher, "a", "over").receiveMessage(WITHIN).getError().getMessage())
        .isEqualTo(Rejection.CONVERSATION_CLOSED.code());
  }

  @Test
  void aConversationThatRefusesTheJoinFreesTheCapacityAndTheClaimerHearsWhy() throws Exception {
    config.current = RoutingFixture.routing(siteId, Policy.MANUAL, 1, List.of(), null);
    var dispatcher = start();
    dispatcher.tell(new Dispatcher.Enqueue("c1", "v1", START, RoutingHints.NONE));
    dispatcher.tell(new Dispatcher.Enqueue("c2", "v2", START, RoutingHints.NONE));
    var reply = claim(dispatcher, "a", "c1");
    conversations.nextAsk();
    conversations.joins.get("c1").completeExceptionally(new StatusReply.ErrorMessage("conversation-closed"));

    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo("conversation-closed");
    var next = claim(dispatcher, "a", "c2");
    assertThat(conversations.nextAsk()).as("capacity 1 is free again").isEqualTo("c2->a");
    conversations.joins.get("c2").complete(new Conversation.Claimed("c2", 2));
    assertThat(next.receiveMessage(WITHIN).isSuccess()).isTrue();
  }
}
