// Over 600 lines: one behaviour per test of the one entity every message passes through (posting, dedup, claims,
// transfers, closes, notes, ratings, quotas, erasure), on one test kit; split by topic when it grows further.
package dev.parley.core.conversation;

import java.util.Map;
import dev.parley.core.access.SiteRole;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Limits;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation.Command;
import dev.parley.core.conversation.Conversation.Event;
import dev.parley.core.conversation.ConversationState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConversationTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(5);

  private String site;
  private String visitorId;
  private Caller visitor;
  private Caller agentA;
  private Caller agentB;
  private String conversationId;
  private EventSourcedBehaviorTestKit<Command, Event, ConversationState> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshConversation() {
    site = "site-" + UUID.randomUUID();
    visitorId = UUID.randomUUID().toString();
    visitor = Caller.visitor(site, visitorId);
    agentA = Caller.agent("agent-a-" + UUID.randomUUID(), Set.of(site));
    agentB = Caller.agent("agent-b-" + UUID.randomUUID(), Set.of(site));
    conversationId = UUID.randomUUID().toString();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Conversation.create(conversationId, Clock.systemUTC()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  /** A post as the edge makes it: a visitor's post may open the conversation reserved for it. */
  private CommandResultWithReply<Command, Event, ConversationState, StatusReply<Conversation.Posted>> post(
      Caller caller, String clientMessageId, String text) {
    return kit.runCommand(
        replyTo ->
            new Conversation.PostMessage(caller, clientMessageId, text, caller.isVisitor(), replyTo));
  }

  private long postOk(Caller caller, String text) {
    var result = post(caller, UUID.randomUUID().toString(), text);
    assertThat(result.reply().isSuccess()).as("post %s: %s", text, result.reply()).isTrue();
    return result.reply().getValue().seq();
  }

  private CommandResultWithReply<Command, Event, ConversationState, StatusReply<Conversation.Claimed>> claimResult(
      Caller caller) {
    return kit.runCommand(replyTo -> new Conversation.Claim(caller, replyTo));
  }

  private CommandResultWithReply<Command, Event, ConversationState, StatusReply<Done>> markRead(
      Caller caller, long upToSeq) {
    return kit.runCommand(replyTo -> new Conversation.MarkRead(caller, upToSeq, replyTo));
  }

  private CommandResultWithReply<Command, Event, ConversationState, StatusReply<Conversation.Ended>> close(
      Caller caller) {
    return kit.runCommand(replyTo -> new Conversation.Close(caller, replyTo));
  }

  private CommandResultWithReply<Command, Event, ConversationState, StatusReply<Conversation.Subscribed>>
      subscribe(Caller caller, ActorRef<Conversation.Notification> subscriber, long afterSeq) {
    return kit.runCommand(
        replyTo -> new Conversation.Subscribe(caller, subscriber, afterSeq, replyTo));
  }

  private CommandResultWithReply<Command, Event, ConversationState, StatusReply<Conversation.Summary>> summary(
      Caller caller) {
    return kit.runCommand(replyTo -> new Conversation.GetSummary(caller, replyTo));
  }

  private void claim(Caller caller) {
    assertThat(claimResult(caller).reply().isSuccess()).isTrue();
  }

  private static String errorOf(StatusReply<?> reply) {
    assertThat(reply.isError()).as("expected a rejection but got %s", reply).isTrue();
    return reply.getError().getMessage();
  }

  @Test
  void firstVisitorMessageOpensTheConversationAtSeqOne() throws Exception {
    var result = post(visitor, "m-1", "Hello, is the red dress in stock?");

    assertThat(result.reply().getValue().seq()).isEqualTo(1);
    assertThat(result.events()).hasSize(2);
    assertThat(result.events().get(0)).isInstanceOf(Conversation.Opened.class);
    assertThat(result.state().status()).isEqualTo(Conversation.Status.WAITING);
  }

  @Test
  void repeatedClientMessageIdReturnsOriginalSeqAndPersistsNothing() {
    postOk(visitor, "first");
    var original = post(visitor, "m-42", "Do you ship to Shanghai?");
    postOk(visitor, "third");

    var repeat = post(visitor, "m-42", "Do you ship to Shanghai?");

    assertThat(repeat.reply().getValue().seq()).isEqualTo(original.reply().getValue().seq());
    assertThat(repeat.reply().getValue().duplicate()).isTrue();
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(repeat.state().lastSeq()).isEqualTo(3);
  }

  @Test
  void sameClientIdFromADifferentAuthorIsADifferentMessage() {
    postOk(visitor, "hello");
    claim(agentA);
    var fromVisitor = post(visitor, "same-id", "from visitor");
    var fromAgent = post(agentA, "same-id", "from agent");

    assertThat(fromAgent.reply().getValue().duplicate()).isFalse();
    assertThat(fromAgent.reply().getValue().seq())
        .isEqualTo(fromVisitor.reply().getValue().seq() + 1);
  }

  @Test
  void seqGrowsByOneAcrossEveryTimelineEntryWithoutGaps() {
    postOk(visitor, "hi");
    claim(agentA);
    postOk(agentA, "Hello! How can I help?");
    postOk(visitor, "Where is my order?");
    markRead(visitor, 4);
    postOk(agentA, "It ships today.");
    close(agentA);

    List<Entry> tail = kit.getState().tail();
    List<Long> seqs = tail.stream().map(Entry::seq).toList();
    assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(tail.get(1).kind()).isEqualTo(Entry.Kind.JOINED);
    assertThat(tail.get(5).kind()).isEqualTo(Entry.Kind.CLOSED);
  }

  @Test
  void aVisitorWritesAtMostTheConversationsQuotaAndAgentsAreNotLimited() {
    String chunk = "x".repeat(Limits.MAX_TEXT_CHARS);
    long full = Conversation.MAX_VISITOR_CHARS / Limits.MAX_TEXT_CHARS;
    for (int i = 0; i < full; i++) {
      postOk(visitor, chunk);
    }
    var refused = post(visitor, "one-more", "a");
    assertThat(errorOf(refused.reply())).isEqualTo(Rejection.QUOTA_EXCEEDED.code());
    assertThat(refused.hasNoEvents()).isTrue();
    kit.restart();
    assertThat(errorOf(post(visitor, "after-restart", "a").reply())).isEqualTo(Rejection.QUOTA_EXCEEDED.code());
    claim(agentA);
    postOk(agentA, "agents can still answer");
  }

  @Test
  void anAgentSeesAndClosesItsOwnConversationsAndASupervisorAnyOfTheSite() {
    Caller agentC = Caller.agent("agent-c-" + UUID.randomUUID(), Map.of(site, SiteRole.AGENT));
    Caller supervisor = Caller.agent("sup-" + UUID.randomUUID(), Map.of(site, SiteRole.SUPERVISOR));
    postOk(visitor, "hello?");
    var preview =
        kit.<StatusReply<Conversation.Subscribed>>runCommand(
            r -> new Conversation.Subscribe(agentC, testKit.<Conversation.Notification>createTestProbe().ref(), 0, r));
    assertThat(preview.reply().isSuccess()).as("a waiting conversation is open to every agent").isTrue();
    claim(agentA);

    var peek =
        kit.<StatusReply<Conversation.Subscribed>>runCommand(
            r -> new Conversation.Subscribe(agentC, testKit.<Conversation.Notification>createTestProbe().ref(), 0, r));
    assertThat(errorOf(peek.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    var closeByAgent = kit.<StatusReply<Conversation.Ended>>runCommand(r -> new Conversation.Close(agentC, r));
    assertThat(errorOf(closeByAgent.reply())).isIn(
        Rejection.UNKNOWN_CONVERSATION.code(), Rejection.NOT_ALLOWED.code());
    assertThat(closeByAgent.hasNoEvents()).isTrue();
    var summary = kit.<StatusReply<Conversation.Summary>>runCommand(r -> new Conversation.GetSummary(agentC, r));
    assertThat(summary.reply().getValue().agentId()).as("who holds it is no secret in the site").isEqualTo(agentA.id());

    var watch =
        kit.<StatusReply<Conversation.Subscribed>>runCommand(
            r -> new Conversation.Subscribe(supervisor, testKit.<Conversation.Notification>createTestProbe().ref(), 0, r));
    assertThat(watch.reply().isSuccess()).isTrue();
    var closeBySupervisor = kit.<StatusReply<Conversation.Ended>>runCommand(r -> new Conversation.Close(supervisor, r));
    assertThat(closeBySupervisor.reply().isSuccess()).isTrue();
  }

  @Test
  void aRepeatedClaimAnswersWithTheSeqOfItsJoinAcrossARestart() {
    postOk(visitor, "anyone there?");
    long joined = claimResult(agentA).reply().getValue().seq();
    postOk(visitor, "hello?");
    postOk(agentA, "yes, here");

    var repeat = claimResult(agentA);
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(repeat.reply().getValue().seq()).isEqualTo(joined);
    kit.restart();
    assertThat(claimResult(agentA).reply().getValue().seq()).isEqualTo(joined);
  }

  @Test
  void aJournalWithAGapInItsSeqsRefusesToRecover() throws Exception {
    // A journal that lost an entry in the middle: seq 1, then 3. Recovery must fail rather than serve it.
    String id = UUID.randomUUID().toString();
    Instant now = Instant.now();
    var journal = org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit.create(testKit.system());
    journal.persistForRecovery(
        org.apache.pekko.persistence.typed.PersistenceId.of(Conversation.ENTITY_KEY.name(), id).id(),
        List.of(
            new Conversation.Opened(site, visitorId, now),
            new Conversation.MessagePosted(1, visitor.participant(), "m-1", "one", now),
            new Conversation.MessagePosted(3, visitor.participant(), "m-3", "three", now)));
    var conversation = testKit.spawn(Conversation.create(id, Clock.systemUTC()));
    var probe = testKit.<StatusReply<Conversation.Summary>>createTestProbe();
    conversation.tell(new Conversation.GetSummary(visitor, probe.ref()));
    probe.expectNoMessage(Duration.ofSeconds(2));

    // The same journal without the gap recovers and answers.
    String healthy = UUID.randomUUID().toString();
    journal.persistForRecovery(
        org.apache.pekko.persistence.typed.PersistenceId.of(Conversation.ENTITY_KEY.name(), healthy).id(),
        List.of(
            new Conversation.Opened(site, visitorId, now),
            new Conversation.MessagePosted(1, visitor.participant(), "m-1", "one", now),
            new Conversation.MessagePosted(2, visitor.participant(), "m-2", "two", now)));
    var ok = testKit.spawn(Conversation.create(healthy, Clock.systemUTC()));
    ok.tell(new Conversation.GetSummary(visitor, probe.ref()));
    assertThat(probe.receiveMessage(WAIT).getValue().lastSeq()).isEqualTo(2);
  }

  @Test
  void secondClaimIsRejectedAndTheFirstAgentKeepsTheConversation() {
    postOk(visitor, "anyone there?");
    claim(agentA);

    var second = claimResult(agentB);

    assertThat(errorOf(second.reply())).isEqualTo(Rejection.ALREADY_CLAIMED.code());
    assertThat(second.hasNoEvents()).isTrue();
    var byB = post(agentB, "b-1", "I'll take it");
    assertThat(errorOf(byB.reply())).isEqualTo(Rejection.NOT_ASSIGNED.code());
    postOk(agentA, "I'm here");
  }

  @Test
  void theQueueHearsOfAnOpenOnceBeforeTheVisitorsAckAndOfTheClose() throws Exception {
    String id = UUID.randomUUID().toString();
    List<String> hints = java.util.Collections.synchronizedList(new ArrayList<>());
    Conversation.QueueHint hint =
        new Conversation.QueueHint() {
          @Override
          public void opened(String cid, Conversation.Opened o) {
            hints.add(cid + "/" + o.siteId() + "/" + o.visitorId());
          }

          @Override
          public void closed(String cid, String siteId) {
            hints.add("closed " + cid);
          }
        };
    ActorRef<Command> conversation = testKit.spawn(Conversation.create(id, hint, Clock.systemUTC()));
    for (String message : List.of("open", "second")) {
      StatusReply<Conversation.Posted> posted =
          AskPattern.<Command, StatusReply<Conversation.Posted>>ask(
                  conversation,
                  replyTo -> new Conversation.PostMessage(visitor, message, message, true, replyTo),
                  WAIT,
                  testKit.scheduler())
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      assertThat(posted.isSuccess()).isTrue();
      // Told before the ack (thenRun precedes thenReply), exactly once: a later message tells nobody.
      assertThat(hints).containsExactly(id + "/" + site + "/" + visitorId);
    }
    StatusReply<Conversation.Ended> closed =
        AskPattern.<Command, StatusReply<Conversation.Ended>>ask(
                conversation, replyTo -> new Conversation.Close(visitor, replyTo), WAIT, testKit.scheduler())
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertThat(closed.isSuccess()).isTrue();
    assertThat(hints).containsExactly(id + "/" + site + "/" + visitorId, "closed " + id);
  }

  @Test
  void twoAgentsClaimingAtTheSameMomentYieldExactlyOneWinner() throws Exception {
    // A real running actor this time: the claims race from two threads released by one latch.
    for (int round = 0; round < 20; round++) {
      String id = UUID.randomUUID().toString();
      ActorRef<Command> conversation =
          testKit.spawn(Conversation.create(id, Clock.systemUTC()));
      StatusReply<Conversation.Posted> opened =
          AskPattern.<Command, StatusReply<Conversation.Posted>>ask(
                  conversation,
                  replyTo -> new Conversation.PostMessage(visitor, "open", "hi", true, replyTo),
                  WAIT,
                  testKit.scheduler())
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      assertThat(opened.isSuccess()).isTrue();

      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<StatusReply<Conversation.Claimed>>> claims = new ArrayList<>();
      for (Caller claimant : List.of(agentA, agentB)) {
        claims.add(
            CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        start.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return claimant;
                    })
                .thenCompose(
                    agent ->
                        AskPattern.<Command, StatusReply<Conversation.Claimed>>ask(
                                conversation,
                                replyTo -> new Conversation.Claim(agent, replyTo),
                                WAIT,
                                testKit.scheduler())
                            .toCompletableFuture()));
      }
      start.countDown();
      long winners = 0;
      long rejected = 0;
      for (var claim : claims) {
        StatusReply<Conversation.Claimed> reply = claim.get(5, TimeUnit.SECONDS);
        if (reply.isSuccess()) {
          winners++;
        } else if (Rejection.ALREADY_CLAIMED.code().equals(reply.getError().getMessage())) {
          rejected++;
        }
      }
      assertThat(winners).as("winners in round %d", round).isEqualTo(1);
      assertThat(rejected).as("rejections in round %d", round).isEqualTo(1);
      testKit.stop(conversation);
    }
  }

  @Test
  void subscriberAfterSeqGetsTheGapFirstThenLiveEntries() {
    postOk(visitor, "one");
    postOk(visitor, "two");
    postOk(visitor, "three");
    TestProbe<Conversation.Notification> live = testKit.createTestProbe();

    var subscribed =
        subscribe(agentA, live.getRef(), 1);

    Conversation.Subscribed s = subscribed.reply().getValue();
    assertThat(s.entries()).extracting(Entry::seq).containsExactly(2L, 3L);
    assertThat(s.entries()).extracting(Entry::text).containsExactly("two", "three");
    assertThat(s.missingUpToSeq()).isZero();
    assertThat(s.summary().lastSeq()).isEqualTo(3);

    postOk(visitor, "four");
    var appended = live.expectMessageClass(Conversation.Appended.class);
    assertThat(appended.entry().seq()).isEqualTo(4);
    assertThat(appended.entry().text()).isEqualTo("four");
  }

  @Test
  void resumeFromBeforeTheTailNamesTheMissingRange() {
    int total = Conversation.MAX_TAIL_ENTRIES + 50;
    for (int i = 1; i <= total; i++) {
      postOk(visitor, "message " + i);
    }
    TestProbe<Conversation.Notification> live = testKit.createTestProbe();

    var subscribed =
        subscribe(visitor, live.getRef(), 10);

    Conversation.Subscribed s = subscribed.reply().getValue();
    assertThat(s.missingUpToSeq()).isEqualTo(50);
    assertThat(s.entries()).hasSize(Conversation.MAX_TAIL_ENTRIES);
    assertThat(s.entries().get(0).seq()).isEqualTo(51);
    assertThat(s.entries().get(s.entries().size() - 1).seq()).isEqualTo(total);
  }

  @Test
  void recoveryAfterRestartKeepsHistorySeqAndDeduplication() {
    postOk(visitor, "before restart");
    var original = post(visitor, "resent-id", "sent once, acked, then resent");
    claim(agentA);

    var restarted = kit.restart();

    assertThat(restarted.state().lastSeq()).isEqualTo(3);
    var repeat = post(visitor, "resent-id", "sent once, acked, then resent");
    assertThat(repeat.reply().getValue().seq()).isEqualTo(original.reply().getValue().seq());
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(postOk(agentA, "after restart")).isEqualTo(4);
  }

  @Test
  void recoveryFromASnapshotKeepsTailDedupAndReadMarks() {
    var early = post(visitor, "early-id", "early");
    for (int i = 0; i < Conversation.SNAPSHOT_EVERY_EVENTS + 20; i++) {
      postOk(visitor, "filler " + i);
    }
    markRead(visitor, 100);
    long lastSeq = kit.getState().lastSeq();
    assertThat(kit.snapshotTestKit()).isPresent();

    var restarted = kit.restart();

    assertThat(restarted.state().lastSeq()).isEqualTo(lastSeq);
    assertThat(restarted.state().tail()).hasSize((int) lastSeq);
    var repeat = post(visitor, "early-id", "early");
    assertThat(repeat.reply().getValue().seq()).isEqualTo(early.reply().getValue().seq());
    TestProbe<Conversation.Notification> live = testKit.createTestProbe();
    var subscribed =
        subscribe(visitor, live.getRef(), lastSeq);
    assertThat(subscribed.reply().getValue().readMarks())
        .containsExactly(new Conversation.ReadMark(visitor.participant(), 100));
  }

  @Test
  void typingReachesTheOtherSideAndIsNeverPersisted() {
    postOk(visitor, "hi");
    claim(agentA);
    TestProbe<Conversation.Notification> agentSession = testKit.createTestProbe();
    TestProbe<Conversation.Notification> visitorSession = testKit.createTestProbe();
    subscribe(agentA, agentSession.getRef(), 2);
    subscribe(visitor, visitorSession.getRef(), 2);

    var result = kit.runCommand(new Conversation.SetTyping(visitor, true));

    assertThat(result.hasNoEvents()).isTrue();
    var typing = agentSession.expectMessageClass(Conversation.TypingChanged.class);
    assertThat(typing.who()).isEqualTo(visitor.participant());
    assertThat(typing.typing()).isTrue();
    visitorSession.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void readMarkIsPersistedAndNeverMovesBackwards() {
    postOk(visitor, "one");
    claim(agentA);
    postOk(agentA, "two");

    var forward = markRead(visitor, 3);
    var backward = markRead(visitor, 2);
    var beyond = markRead(visitor, 9);

    assertThat(forward.events()).hasSize(1);
    assertThat(forward.events().get(0)).isInstanceOf(Conversation.ReadUpTo.class);
    assertThat(backward.reply().isSuccess()).isTrue();
    assertThat(backward.hasNoEvents()).isTrue();
    assertThat(errorOf(beyond.reply())).isEqualTo(Rejection.INVALID_SEQ.code());
    assertThat(kit.restart().state().lastSeq()).isEqualTo(3);
  }

  @Test
  void closedConversationRejectsNewMessagesButStillAcksRepeats() throws Exception {
    var sent = post(visitor, "before-close", "thanks, bye");
    claim(agentA);
    var closed =
        close(agentA);

    var after = post(visitor, "after-close", "one more thing");
    var repeat = post(visitor, "before-close", "thanks, bye");
    var closeAgain =
        close(visitor);

    assertThat(errorOf(after.reply())).isEqualTo(Rejection.CONVERSATION_CLOSED.code());
    assertThat(after.hasNoEvents()).isTrue();
    assertThat(repeat.reply().getValue().seq()).isEqualTo(sent.reply().getValue().seq());
    assertThat(closeAgain.hasNoEvents()).isTrue();
    assertThat(closeAgain.reply().getValue().seq()).isEqualTo(closed.reply().getValue().seq());
  }

  @Test
  void anotherVisitorIsToldTheConversationDoesNotExist() {
    postOk(visitor, "private question");
    Caller stranger = Caller.visitor(site, UUID.randomUUID().toString());
    TestProbe<Conversation.Notification> probe = testKit.createTestProbe();

    var post = post(stranger, "x-1", "let me in");
    var subscribe =
        subscribe(stranger, probe.getRef(), 0);

    assertThat(errorOf(post.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(errorOf(subscribe.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(post.hasNoEvents()).isTrue();
  }

  @Test
  void anAgentOfAnotherSiteCannotTouchTheConversation() {
    postOk(visitor, "hi");
    Caller outsider = Caller.agent("outsider", Set.of("another-site"));

    var claim = claimResult(outsider);
    var close = close(outsider);
    var summary =
        summary(outsider);

    assertThat(errorOf(claim.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(errorOf(close.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(errorOf(summary.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(kit.getState().status()).isEqualTo(Conversation.Status.WAITING);
  }

  @Test
  void invalidTextIsRejectedAndNothingIsPersisted() {
    postOk(visitor, "hi");

    var empty = post(visitor, "e-1", "   ");
    var tooLong = post(visitor, "e-2", "x".repeat(Limits.MAX_TEXT_CHARS + 1));
    var badId = post(visitor, "", "no id");
    var longId = post(visitor, "i".repeat(Limits.MAX_CLIENT_MESSAGE_ID_CHARS + 1), "long id");

    assertThat(errorOf(empty.reply())).isEqualTo(Rejection.TEXT_EMPTY.code());
    assertThat(errorOf(tooLong.reply())).isEqualTo(Rejection.TEXT_TOO_LONG.code());
    assertThat(errorOf(badId.reply())).isEqualTo(Rejection.INVALID_MESSAGE_ID.code());
    assertThat(errorOf(longId.reply())).isEqualTo(Rejection.INVALID_MESSAGE_ID.code());
    assertThat(kit.getState().lastSeq()).isEqualTo(1);
    assertThat(postOk(visitor, "x".repeat(Limits.MAX_TEXT_CHARS))).isEqualTo(2);
  }

  @Test
  void anEmptyConversationIsUnknownToEveryoneUntilItsVisitorWrites() {
    TestProbe<Conversation.Notification> session = testKit.createTestProbe();

    var agentView = summary(agentA);
    var visitorSubscribe = subscribe(visitor, session.getRef(), 0);
    var strangerPost =
        kit.<StatusReply<Conversation.Posted>>runCommand(
            replyTo ->
                new Conversation.PostMessage(Caller.visitor(site, "stranger"), "s-1", "mine now?", replyTo));
    var agentPost = post(agentA, "a-1", "hello?");

    assertThat(errorOf(agentView.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(errorOf(visitorSubscribe.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(errorOf(agentPost.reply())).isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(errorOf(strangerPost.reply()))
        .as("a post that was not reserved by the visitor's entity cannot open a conversation")
        .isEqualTo(Rejection.UNKNOWN_CONVERSATION.code());
    assertThat(post(visitor, "m-1", "mine").reply().isSuccess()).isTrue();
  }

  @Test
  void tooManySubscribersAreRefused() {
    postOk(visitor, "hi");
    for (int i = 0; i < Conversation.MAX_SUBSCRIBERS; i++) {
      TestProbe<Conversation.Notification> p = testKit.createTestProbe();
      var ok = subscribe(agentA, p.getRef(), 0);
      assertThat(ok.reply().isSuccess()).isTrue();
    }
    TestProbe<Conversation.Notification> one = testKit.createTestProbe();
    var refused =
        subscribe(agentA, one.getRef(), 0);
    assertThat(errorOf(refused.reply())).isEqualTo(Rejection.TOO_MANY_SUBSCRIBERS.code());
  }

  @Test
  void aTransferWithANoteShowsTheVisitorAGaplessTimelineAndNeverTheNote() {
    postOk(visitor, "My parcel is lost");
    claim(agentA);
    TestProbe<Conversation.Notification> visitorSide = testKit.createTestProbe();
    TestProbe<Conversation.Notification> agentSide = testKit.createTestProbe();
    subscribe(visitor, visitorSide.getRef(), 2);
    subscribe(agentB, agentSide.getRef(), 2);

    var transfer =
        kit.<StatusReply<Conversation.TransferRecorded>>runCommand(
            replyTo -> new Conversation.Transfer(agentA, "t-1", agentB.id(), null, "VIP, refund approved", replyTo));
    var note =
        kit.<StatusReply<Long>>runCommand(replyTo -> new Conversation.AddNote(agentB, "n-1", "called courier", replyTo));
    var repeat =
        kit.<StatusReply<Long>>runCommand(replyTo -> new Conversation.AddNote(agentB, "n-1", "called courier", replyTo));
    var byVisitor =
        kit.<StatusReply<Long>>runCommand(replyTo -> new Conversation.AddNote(visitor, "n-2", "sneaky", replyTo));

    assertThat(transfer.reply().isSuccess()).isTrue();
    assertThat(note.reply().getValue()).isEqualTo(2L);
    assertThat(repeat.reply().getValue()).isEqualTo(2L);
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(byVisitor.reply().isError()).isTrue();
    // The visitor's timeline: 3 transferred, 4 joined, nothing else, and no note on the way.
    assertThat(((Conversation.Appended) visitorSide.receiveMessage(WAIT)).entry().kind()).isEqualTo(Entry.Kind.TRANSFERRED);
    var joined = (Conversation.Appended) visitorSide.receiveMessage(WAIT);
    assertThat(joined.entry().seq()).isEqualTo(4);
    assertThat(joined.entry().author().id()).isEqualTo(agentB.id());
    visitorSide.expectNoMessage(Duration.ofMillis(200));
    var visitorSync = subscribe(visitor, visitorSide.getRef(), 0).reply().getValue();
    assertThat(visitorSync.notes()).isEmpty();
    assertThat(visitorSync.entries()).extracting(Entry::seq).containsExactly(1L, 2L, 3L, 4L);
    // Agents get the notes, numbered on their own.
    var agentSync = subscribe(agentB, agentSide.getRef(), 4).reply().getValue();
    assertThat(agentSync.notes()).extracting(Conversation.Note::noteSeq).containsExactly(1L, 2L);
    assertThat(agentSync.notes().get(0).text()).isEqualTo("VIP, refund approved");
    // The new agent may write; the old one may not.
    assertThat(post(agentB, "b-1", "Hi, I have your case").reply().isSuccess()).isTrue();
    assertThat(post(agentA, "a-9", "still me?").reply().getError().getMessage())
        .isEqualTo(dev.parley.core.common.Rejection.NOT_ASSIGNED.code());
  }

  @Test
  void aRepeatedTransferIdAnswersTheOriginalSeqAndPersistsNothingEvenAfterAClose() {
    postOk(visitor, "My parcel is lost");
    claim(agentA);
    var first =
        kit.<StatusReply<Conversation.TransferRecorded>>runCommand(
            replyTo -> new Conversation.Transfer(agentA, "a/t-1", null, "billing", null, replyTo));
    var repeat =
        kit.<StatusReply<Conversation.TransferRecorded>>runCommand(
            replyTo -> new Conversation.Transfer(agentA, "a/t-1", null, "billing", null, replyTo));
    assertThat(first.reply().getValue().seq()).isEqualTo(3);
    assertThat(repeat.reply().getValue().seq()).isEqualTo(3);
    assertThat(repeat.hasNoEvents()).isTrue();

    claim(agentB);
    close(agentB);
    kit.restart();
    var afterClose =
        kit.<StatusReply<Conversation.TransferRecorded>>runCommand(
            replyTo -> new Conversation.Transfer(agentA, "a/t-1", null, "billing", null, replyTo));
    assertThat(afterClose.reply().getValue().seq()).as("still answered after a close and a restart").isEqualTo(3);
    assertThat(afterClose.hasNoEvents()).isTrue();
  }

  @Test
  void aTransferToAGroupPutsTheConversationBackInTheQueueWithThatGroup() throws InterruptedException {
    postOk(visitor, "Question about billing");
    claim(agentA);

    var transfer =
        kit.<StatusReply<Conversation.TransferRecorded>>runCommand(
            replyTo -> new Conversation.Transfer(agentA, "t-1", null, "billing", null, replyTo));

    assertThat(transfer.reply().isSuccess()).isTrue();
    assertThat(transfer.state().status()).isEqualTo(Conversation.Status.WAITING);
    assertThat(claimResult(agentB).reply().isSuccess()).isTrue();
  }

  @Test
  void theVisitorRatesAndARepeatedRatingPersistsNothing() {
    postOk(visitor, "Where is my tea?");
    claim(agentA);
    assertThat(close(agentA).reply().isSuccess()).isTrue();

    var rated =
        kit.<StatusReply<Done>>runCommand(replyTo -> new Conversation.Rate(visitor, 5, "quick answer", replyTo));
    var repeat =
        kit.<StatusReply<Done>>runCommand(replyTo -> new Conversation.Rate(visitor, 5, "quick answer", replyTo));
    var byAgent = kit.<StatusReply<Done>>runCommand(replyTo -> new Conversation.Rate(agentA, 1, null, replyTo));
    var outOfRange = kit.<StatusReply<Done>>runCommand(replyTo -> new Conversation.Rate(visitor, 6, null, replyTo));

    assertThat(rated.reply().isSuccess()).isTrue();
    assertThat(rated.events()).containsExactly(new Conversation.Rated(5, "quick answer", ((Conversation.Rated) rated.events().get(0)).at()));
    assertThat(rated.state().lastSeq()).isEqualTo(3); // not a timeline entry
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(byAgent.reply().getError().getMessage()).isEqualTo(dev.parley.core.common.Rejection.INVALID_RATING.code());
    assertThat(outOfRange.reply().getError().getMessage()).isEqualTo(dev.parley.core.common.Rejection.INVALID_RATING.code());
  }

  @Test
  void anIdleVisitorIsWarnedOnceAndThenTheSystemClosesTheChat() {
    java.util.concurrent.atomic.AtomicReference<Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now.get();
          }

          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }
        };
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Conversation.create(UUID.randomUUID().toString(), clock),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    Conversation.CloseIfIdle check = new Conversation.CloseIfIdle(Duration.ofMinutes(10), Duration.ofMinutes(2));
    assertThat(kit.runCommand(check).hasNoEvents()).isTrue(); // not opened: nothing to close
    postOk(visitor, "hello?");
    assertThat(kit.runCommand(check).hasNoEvents()).isTrue(); // waiting: only assigned chats auto-close
    claim(agentA);
    now.set(now.get().plus(Duration.ofMinutes(30)));
    // The visitor waits for an answer: however long, that is no reason to warn or close.
    assertThat(kit.runCommand(check).hasNoEvents()).isTrue();
    postOk(agentA, "Here is the answer.");

    now.set(now.get().plus(Duration.ofMinutes(7)).plusSeconds(59));
    assertThat(kit.runCommand(check).hasNoEvents()).isTrue();
    now.set(now.get().plusSeconds(1));
    var warned = kit.runCommand(check);
    var again = kit.runCommand(check);
    now.set(now.get().plus(Duration.ofMinutes(2)));
    var closed = kit.runCommand(check);

    var notice = (Conversation.MessagePosted) warned.events().get(0);
    assertThat(notice.author()).isEqualTo(dev.parley.core.common.Participant.system());
    assertThat(notice.text()).isEqualTo("This chat will close in 2 minutes without a reply.");
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(closed.events()).hasSize(1);
    assertThat(((Conversation.Closed) closed.events().get(0)).by()).isEqualTo(dev.parley.core.common.Participant.system());
    assertThat(closed.state().status()).isEqualTo(Conversation.Status.CLOSED);
  }

  @Test
  void aChatWithinItsIdleLimitIsLeftAlone() {
    postOk(visitor, "hi");
    claim(agentA);
    postOk(visitor, "still here");
    // With the system clock, a limit of one hour is nowhere near: nothing happens.
    assertThat(kit.runCommand(new Conversation.CloseIfIdle(Duration.ofHours(1), Duration.ofMinutes(2))).hasNoEvents())
        .isTrue();
  }

  @Test
  void factsNameSiteStatusAndJoinWithoutACallerAndAnEmptyConversationSaysEmpty() {
    var empty = kit.<Conversation.Facts>runCommand(Conversation.GetFacts::new);
    assertThat(empty.reply().status()).isEqualTo(Conversation.Status.EMPTY);
    assertThat(empty.reply().siteId()).isNull();

    postOk(visitor, "hi");
    claim(agentA);
    var facts = kit.<Conversation.Facts>runCommand(Conversation.GetFacts::new).reply();

    assertThat(facts.siteId()).isEqualTo(site);
    assertThat(facts.visitorId()).isEqualTo(visitorId);
    assertThat(facts.status()).isEqualTo(Conversation.Status.ASSIGNED);
    assertThat(facts.agentId()).isEqualTo(agentA.id());
    assertThat(facts.joinedSeq()).isEqualTo(2);
  }

  @Test
  void aClosedConversationRefusesPostsClaimsAndTransfersButAnswersRepeats() {
    var first = post(visitor, "m-1", "hello");
    claim(agentA);
    close(agentA);

    assertThat(post(visitor, "m-1", "hello").reply().getValue().duplicate()).isTrue();
    assertThat(errorOf(post(visitor, "m-2", "more").reply())).isEqualTo("conversation-closed");
    assertThat(errorOf(claimResult(agentB).reply())).isEqualTo("conversation-closed");
    var transfer =
        kit.<StatusReply<Conversation.TransferRecorded>>runCommand(
            replyTo -> new Conversation.Transfer(agentA, "t-1", agentB.id(), null, null, replyTo));
    assertThat(errorOf(transfer.reply())).isEqualTo("conversation-closed");
    assertThat(first.reply().getValue().seq()).isEqualTo(1);
  }
}
