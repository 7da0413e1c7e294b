package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.routing.SiteRouting;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * A transfer is one request to the dispatcher, like a claim: decided and persisted (capacity and queue change at
 * once), recorded by the conversation under the transfer's id, answered with the seq of the {@code transferred}
 * entry only once recorded, finished after a restart when it was not, answered again with the same seq when
 * resent, and taken back when the conversation refuses it.
 */
class DispatcherTransferTest {

  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Conversations whose answers the test gives: joins are answered at once, transfers when the test says. */
  static final class Conversations implements DispatcherPeers {
    final LinkedBlockingQueue<String> asked = new LinkedBlockingQueue<>();
    final Map<String, CompletableFuture<Conversation.TransferRecorded>> transfers = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Conversation.Claimed> join(String siteId, String conversationId, String agentId) {
      asked.add("join " + conversationId + "->" + agentId);
      return CompletableFuture.completedFuture(new Conversation.Claimed(conversationId, 2));
    }

    @Override
    public CompletionStage<Conversation.Facts> facts(String siteId, String conversationId) {
      return CompletableFuture.completedFuture(DispatcherPeers.waitingAt(siteId, conversationId));
    }

    @Override
    public CompletionStage<Conversation.TransferRecorded> transfer(String siteId, Dispatcher.TransferDecided d) {
      CompletableFuture<Conversation.TransferRecorded> f = new CompletableFuture<>();
      transfers.put(d.transferId(), f);
      String to = d.toAgentId() != null ? d.toAgentId() : "group " + d.toGroup();
      asked.add("transfer " + d.transferId() + " " + d.conversationId() + " " + d.fromAgentId() + "->" + to);
      return f;
    }

    String nextAsk() throws InterruptedException {
      String next = asked.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(next).as("something asked of a conversation").isNotNull();
      return next;
    }
  }

  private final String siteId = "site-" + UUID.randomUUID();
  private final RoutingFixture.ManualClock clock = new RoutingFixture.ManualClock(START);
  private final RoutingFixture.Config config =
      new RoutingFixture.Config(
          RoutingFixture.routing(
              siteId,
              Policy.MANUAL,
              1,
              List.of(new SiteRouting.Group("billing", "billing", null, Set.of("b"), null, null, null)),
              null));
  private final Conversations conversations = new Conversations();

  private ActorRef<Dispatcher.Command> start() {
    return testKit.spawn(Dispatcher.create(siteId, config, conversations, clock, Duration.ofHours(1)));
  }

  private StatusReply<Dispatcher.Joined> claim(ActorRef<Dispatcher.Command> dispatcher, String agent, String id)
      throws InterruptedException {
    TestProbe<StatusReply<Dispatcher.Joined>> reply = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.Claim(agent, id, null, reply.getRef()));
    return reply.receiveMessage(WITHIN);
  }

  private TestProbe<StatusReply<Dispatcher.Handed>> transfer(
      ActorRef<Dispatcher.Command> dispatcher, String from, String id, String toAgent, String toGroup, String tid) {
    TestProbe<StatusReply<Dispatcher.Handed>> reply = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.Transfer(from, id, toAgent, toGroup, null, reply.getRef(), false, tid));
    return reply;
  }

  /** c1 waits and is held by a (capacity 1 each). */
  private ActorRef<Dispatcher.Command> heldByA() throws InterruptedException {
    var dispatcher = start();
    dispatcher.tell(new Dispatcher.Enqueue("c1", "v1", START, RoutingHints.NONE));
    assertThat(claim(dispatcher, "a", "c1").isSuccess()).isTrue();
    assertThat(conversations.nextAsk()).isEqualTo("join c1->a");
    return dispatcher;
  }

  @Test
  void aTransferIsAnsweredWithItsSeqOnlyOnceTheConversationRecordedItAndMovesTheCapacity() throws Exception {
    var dispatcher = heldByA();
    var reply = transfer(dispatcher, "a", "c1", "b", null, "a/t-1");

    assertThat(conversations.nextAsk()).isEqualTo("transfer a/t-1 c1 a->b");
    reply.expectNoMessage(Duration.ofMillis(200)); // decided, not yet recorded
    conversations.transfers.get("a/t-1").complete(new Conversation.TransferRecorded("c1", 3));
    assertThat(reply.receiveMessage(WITHIN).getValue()).isEqualTo(new Dispatcher.Handed("c1", 3));

    dispatcher.tell(new Dispatcher.Enqueue("c2", "v2", START, RoutingHints.NONE));
    dispatcher.tell(new Dispatcher.Enqueue("c3", "v3", START, RoutingHints.NONE));
    assertThat(claim(dispatcher, "b", "c3").getError().getMessage())
        .as("b holds c1 now, at capacity 1")
        .isEqualTo(Rejection.AT_CAPACITY.code());
    assertThat(claim(dispatcher, "a", "c2").isSuccess()).as("a's seat was freed").isTrue();
  }

  @Test
  void aTransferNotRecordedBeforeARestartIsFinishedAfterItAndAResendGetsTheSameSeq() throws Exception {
    var dispatcher = heldByA();
    transfer(dispatcher, "a", "c1", "b", null, "a/t-1");
    assertThat(conversations.nextAsk()).isEqualTo("transfer a/t-1 c1 a->b"); // never answered: the node dies
    testKit.stop(dispatcher);

    var again = start();
    assertThat(conversations.nextAsk()).as("re-driven on recovery").isEqualTo("transfer a/t-1 c1 a->b");
    var resent = transfer(again, "a", "c1", "b", null, "a/t-1"); // the agent never saw its answer
    resent.expectNoMessage(Duration.ofMillis(200));
    conversations.transfers.get("a/t-1").complete(new Conversation.TransferRecorded("c1", 3));
    assertThat(resent.receiveMessage(WITHIN).getValue()).isEqualTo(new Dispatcher.Handed("c1", 3));
    testKit.stop(again);

    var third = start();
    var late = transfer(third, "a", "c1", "b", null, "a/t-1"); // resent once more, after another restart
    assertThat(late.receiveMessage(WITHIN).getValue()).as("answered from the recorded transfer").isEqualTo(new Dispatcher.Handed("c1", 3));
    third.tell(new Dispatcher.Tick());
    claim(third, "a", "c9");
    assertThat(conversations.nextAsk()).as("nothing left to re-drive").isEqualTo("join c9->a");
  }

  @Test
  void aTransferThatTimesOutIsAskedAgainAtTheNextTick() throws Exception {
    var dispatcher = heldByA();
    var reply = transfer(dispatcher, "a", "c1", null, "billing", "a/t-1");
    assertThat(conversations.nextAsk()).isEqualTo("transfer a/t-1 c1 a->group billing");
    conversations.transfers.get("a/t-1").completeExceptionally(new TimeoutException("no answer"));
    reply.expectNoMessage(Duration.ofMillis(200));

    dispatcher.tell(new Dispatcher.Tick());
    assertThat(conversations.nextAsk()).isEqualTo("transfer a/t-1 c1 a->group billing");
    conversations.transfers.get("a/t-1").complete(new Conversation.TransferRecorded("c1", 3));
    assertThat(reply.receiveMessage(WITHIN).getValue().seq()).isEqualTo(3);
  }

  @Test
  void aClaimOfAConversationTransferredToAGroupJoinsOnlyAfterTheTransferIsRecorded() throws Exception {
    var dispatcher = heldByA();
    var reply = transfer(dispatcher, "a", "c1", null, "billing", "a/t-1");
    assertThat(conversations.nextAsk()).isEqualTo("transfer a/t-1 c1 a->group billing");

    TestProbe<StatusReply<Dispatcher.Joined>> claimed = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.Claim("b", "c1", null, claimed.getRef()));
    claimed.expectNoMessage(Duration.ofMillis(200));
    assertThat(conversations.asked).as("no join driven before the conversation recorded the transfer").isEmpty();

    conversations.transfers.get("a/t-1").complete(new Conversation.TransferRecorded("c1", 3));
    assertThat(reply.receiveMessage(WITHIN).isSuccess()).isTrue();
    assertThat(conversations.nextAsk()).isEqualTo("join c1->b");
    assertThat(claimed.receiveMessage(WITHIN).isSuccess()).isTrue();
  }

  @Test
  void aSecondTransferWaitsForTheFirstToBeRecorded() throws Exception {
    var dispatcher = heldByA();
    var first = transfer(dispatcher, "a", "c1", "b", null, "a/t-1");
    assertThat(conversations.nextAsk()).isEqualTo("transfer a/t-1 c1 a->b");
    var second = transfer(dispatcher, "b", "c1", null, "billing", "b/t-1");
    second.expectNoMessage(Duration.ofMillis(200));

    conversations.transfers.get("a/t-1").complete(new Conversation.TransferRecorded("c1", 3));
    assertThat(first.receiveMessage(WITHIN).isSuccess()).isTrue();
    assertThat(conversations.nextAsk()).as("decided after the first").isEqualTo("transfer b/t-1 c1 b->group billing");
    conversations.transfers.get("b/t-1").complete(new Conversation.TransferRecorded("c1", 5));
    assertThat(second.receiveMessage(WITHIN).getValue().seq()).isEqualTo(5);
  }

  @Test
  void aTransferTheConversationRefusesIsTakenBack() throws Exception {
    var dispatcher = heldByA();
    var reply = transfer(dispatcher, "a", "c1", null, "billing", "a/t-1");
    conversations.nextAsk();
    conversations.transfers
        .get("a/t-1")
        .completeExceptionally(new StatusReply.ErrorMessage(Rejection.NOT_ASSIGNED.code()));

    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.NOT_ASSIGNED.code());
    TestProbe<Dispatcher.QueueView> queue = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.GetQueue(queue.getRef()));
    assertThat(Dispatcher.ids(queue.receiveMessage(WITHIN))).as("not back in the queue").doesNotContain("c1");
    assertThat(claim(dispatcher, "b", "c1").getError().getMessage())
        .as("a holds it again")
        .isEqualTo(Rejection.ALREADY_CLAIMED.code());
  }
}
