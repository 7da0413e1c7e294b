package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Rejection;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.routing.WorkingHours;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {

  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<Dispatcher.Command, Dispatcher.Event, DispatcherState> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshSite() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Dispatcher.create("site-" + UUID.randomUUID()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  @Test
  void repeatedAnnouncementsQueueAConversationOnceInArrivalOrder() {
    kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.parse("2026-11-23T10:00:00Z")));
    kit.runCommand(new Dispatcher.Enqueue("c2", "v2", Instant.parse("2026-11-23T10:01:00Z")));
    var repeat = kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.parse("2026-11-23T10:00:00Z")));

    var view = kit.<Dispatcher.QueueView>runCommand(Dispatcher.GetQueue::new).reply();

    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(Dispatcher.ids(view)).containsExactly("c1", "c2");
  }

  @Test
  void watchersGetTheQueueOnceThenOnlyWhatChanged() {
    kit.runCommand(new Dispatcher.Enqueue("c0", "v0", Instant.now()));
    TestProbe<Dispatcher.QueueNotice> watcher = testKit.createTestProbe();
    kit.runCommand(new Dispatcher.Watch(watcher.getRef()));
    assertThat(Dispatcher.ids((Dispatcher.QueueView) watcher.receiveMessage())).containsExactly("c0");

    kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.now()));
    var added = (Dispatcher.QueueChanged) watcher.receiveMessage();
    assertThat(added.added()).extracting(Dispatcher.Waiting::conversationId).containsExactly("c1");
    assertThat(added.removed()).isEmpty();
    assertThat(added.total()).isEqualTo(2);
    assertThat(added.missed()).as("reminders unchanged").isNull();

    kit.runCommand(new Dispatcher.Remove("c0"));
    var removed = (Dispatcher.QueueChanged) watcher.receiveMessage();
    assertThat(removed.removed()).containsExactly("c0");
    assertThat(removed.added()).isEmpty();
    assertThat(removed.total()).isEqualTo(1);
    assertThat(removed.missed()).extracting(Dispatcher.Waiting::conversationId).containsExactly("c0");

    // Watching again renews quietly: nothing is sent twice.
    kit.runCommand(new Dispatcher.Watch(watcher.getRef()));
    watcher.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aNoticeIsAsLargeAsTheChangeNotAsTheQueue() {
    TestProbe<Dispatcher.QueueNotice> watcher = testKit.createTestProbe();
    kit.runCommand(new Dispatcher.Watch(watcher.getRef()));
    watcher.receiveMessage();
    for (int i = 0; i < 300; i++) {
      kit.runCommand(new Dispatcher.Enqueue("c" + i, "v" + i, Instant.now()));
      var change = (Dispatcher.QueueChanged) watcher.receiveMessage();
      assertThat(change.added()).hasSize(1);
      assertThat(change.total()).isEqualTo(i + 1);
    }
  }

  @Test
  void theQueueCountsWhatOneClientKeyHasWaiting() {
    kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.now(), new RoutingHints(null, null, "k1")));
    kit.runCommand(new Dispatcher.Enqueue("c2", "v2", Instant.now(), new RoutingHints(null, null, "k1")));
    kit.runCommand(new Dispatcher.Enqueue("c3", "v3", Instant.now(), new RoutingHints(null, null, "k2")));
    kit.runCommand(new Dispatcher.Remove("c1"));

    assertThat(kit.<Integer>runCommand(r -> new Dispatcher.CountWaiting("k1", r)).reply()).isEqualTo(1);
    assertThat(kit.<Integer>runCommand(r -> new Dispatcher.CountWaiting("k2", r)).reply()).isEqualTo(1);
    kit.restart();
    assertThat(kit.<Integer>runCommand(r -> new Dispatcher.CountWaiting("k1", r)).reply()).isEqualTo(1);
  }

  @Test
  void theQueueSurvivesRestartThroughSnapshots() {
    for (int i = 0; i < 450; i++) {
      kit.runCommand(new Dispatcher.Enqueue("c" + i, "v" + i, Instant.now()));
      if (i % 2 == 0) {
        kit.runCommand(new Dispatcher.Remove("c" + i));
      }
    }

    kit.restart();

    var view = kit.<Dispatcher.QueueView>runCommand(Dispatcher.GetQueue::new).reply();
    assertThat(view.waiting()).hasSize(225);
    assertThat(view.waiting().get(0).conversationId()).isEqualTo("c1");
    assertThat(view.waiting().get(224).conversationId()).isEqualTo("c449");
  }

  // Routing: offers, capacity, re-offer, overflow, returning visitors, positions, hours ----------------------

  /** One site's dispatcher under test, with its clock, configuration and joins. */
  private final class Site {
    final String id = "site-" + UUID.randomUUID();
    final RoutingFixture.ManualClock clock = new RoutingFixture.ManualClock(START);
    final RoutingFixture.Config config;
    final RoutingFixture.Joins joins = new RoutingFixture.Joins();
    final ActorRef<Dispatcher.Command> dispatcher;

    Site(Policy policy, int capacity, List<SiteRouting.Group> groups, WorkingHours hours) {
      this(id -> RoutingFixture.routing(id, policy, capacity, groups, hours));
    }

    Site(java.util.function.Function<String, SiteRouting> routing) {
      config = new RoutingFixture.Config(routing.apply(id));
      dispatcher =
          testKit.spawn(Dispatcher.create(id, config, joins, clock, Duration.ofHours(1)));
    }

    TestProbe<Dispatcher.AgentNotice> agent(String agentId) {
      TestProbe<Dispatcher.AgentNotice> probe = testKit.createTestProbe();
      dispatcher.tell(new Dispatcher.AgentPresent(agentId, true, probe.getRef()));
      return probe;
    }

    void enqueue(String conversationId, String visitorId, RoutingHints hints) {
      dispatcher.tell(new Dispatcher.Enqueue(conversationId, visitorId, clock.instant(), hints));
    }

    StatusReply<Dispatcher.Joined> claim(String agentId, String conversationId) {
      TestProbe<StatusReply<Dispatcher.Joined>> reply = testKit.createTestProbe();
      dispatcher.tell(new Dispatcher.Claim(agentId, conversationId, "v", reply.getRef()));
      return reply.receiveMessage(WITHIN);
    }

    void tickAfter(Duration d) {
      clock.advance(d);
      dispatcher.tell(new Dispatcher.Tick());
    }

    Dispatcher.QueueView queue() {
      TestProbe<Dispatcher.QueueView> reply = testKit.createTestProbe();
      dispatcher.tell(new Dispatcher.GetQueue(reply.getRef()));
      return reply.receiveMessage(WITHIN);
    }
  }

  private static Dispatcher.Offer offer(TestProbe<Dispatcher.AgentNotice> agent) {
    return (Dispatcher.Offer) agent.fishForMessage(
        WITHIN,
        n ->
            n instanceof Dispatcher.Offer
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
        .get(0);
  }

  private static SiteRouting.Group group(String id, Set<String> members, String overflow, Duration after) {
    return new SiteRouting.Group(id, id, null, members, overflow, after, null);
  }

  @Test
  void leastBusyOffersToTheAgentWithFewestChats() {
    Site site = new Site(Policy.LEAST_BUSY, 3, List.of(), null);
    var a = site.agent("a");
    var b = site.agent("b");
    assertThat(site.claim("a", "c0").isSuccess()).isTrue();

    site.enqueue("c1", "v1", RoutingHints.NONE);

    Dispatcher.Offer offer = offer(b);
    assertThat(offer.conversationId()).isEqualTo("c1");
    assertThat(offer.expiresAt()).isEqualTo(START.plusSeconds(30));
    a.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void roundRobinTakesTurnsAndSkipsAgentsAtCapacity() {
    Site site = new Site(Policy.ROUND_ROBIN, 1, List.of(), null);
    var a = site.agent("a");
    var b = site.agent("b");
    var c = site.agent("c");
    assertThat(site.claim("b", "c0").isSuccess()).isTrue(); // b is full

    site.enqueue("c1", "v1", RoutingHints.NONE);
    site.enqueue("c2", "v2", RoutingHints.NONE);
    site.enqueue("c3", "v3", RoutingHints.NONE);

    assertThat(offer(a).conversationId()).isEqualTo("c1");
    assertThat(offer(c).conversationId()).isEqualTo("c2");
    b.expectNoMessage(Duration.ofMillis(200));
    assertThat(site.queue().waiting()).hasSize(3); // c3 waits: everyone is full or holds an offer
  }

  @Test
  void anOfferNotAcceptedInTimeGoesToTheNextAgent() {
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(), null);
    var a = site.agent("a");
    site.enqueue("c1", "v1", RoutingHints.NONE);
    assertThat(offer(a).conversationId()).isEqualTo("c1");
    var b = site.agent("b");

    site.tickAfter(Duration.ofSeconds(29));
    b.expectNoMessage(Duration.ofMillis(200));
    site.tickAfter(Duration.ofSeconds(1));

    assertThat(a.receiveMessage(WITHIN)).isEqualTo(new Dispatcher.OfferEnded(site.id, "c1", "expired"));
    assertThat(offer(b).conversationId()).isEqualTo("c1");
  }

  @Test
  void aDeclinedOfferGoesToTheNextAgentAndClaimAcceptsIt() {
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(), null);
    var a = site.agent("a");
    var b = site.agent("b");
    site.enqueue("c1", "v1", RoutingHints.NONE);
    String first = offer(a).conversationId();

    site.dispatcher.tell(new Dispatcher.Decline("a", first));

    assertThat(offer(b).conversationId()).isEqualTo("c1");
    assertThat(site.claim("b", "c1").isSuccess()).isTrue();
    assertThat(site.queue().waiting()).isEmpty();
    assertThat(site.joins.joined).contains("c1->b");
  }

  @Test
  void aClaimNeverGoesPastCapacityNorTakesAnotherAgentsConversation() {
    Site site = new Site(Policy.MANUAL, 2, List.of(), null);
    site.enqueue("c1", "v1", RoutingHints.NONE);
    site.enqueue("c2", "v2", RoutingHints.NONE);
    site.enqueue("c3", "v3", RoutingHints.NONE);

    assertThat(site.claim("a", "c1").isSuccess()).isTrue();
    assertThat(site.claim("a", "c1").isSuccess()).isTrue(); // idempotent
    assertThat(site.claim("a", "c2").isSuccess()).isTrue();
    assertThat(site.claim("a", "c3").getError().getMessage()).isEqualTo(Rejection.AT_CAPACITY.code());
    assertThat(site.claim("b", "c1").getError().getMessage()).isEqualTo(Rejection.ALREADY_CLAIMED.code());

    site.joins.closed.add("c1"); // it closed: it says so when the dispatcher asks
    site.dispatcher.tell(new Dispatcher.Remove("c1"));
    assertThat(site.claim("a", "c3").isSuccess()).isTrue();
    assertThat(site.claim("b", "c1").getError().getMessage()).isEqualTo(Rejection.CONVERSATION_CLOSED.code());
  }

  @Test
  void aWaitingConversationOverflowsToAnotherGroupAfterTheConfiguredWait() {
    Site site =
        new Site(
            Policy.LEAST_BUSY,
            2,
            List.of(
                group("sales", Set.of("s1"), "support", Duration.ofSeconds(60)),
                group("support", Set.of("t1"), null, null)),
            null);
    var support = site.agent("t1");
    site.enqueue("c1", "v1", new RoutingHints("sales", null));
    assertThat(site.queue().waiting().get(0).group()).isEqualTo("sales");

    site.tickAfter(Duration.ofSeconds(59));
    support.expectNoMessage(Duration.ofMillis(200));
    site.tickAfter(Duration.ofSeconds(1));

    assertThat(offer(support).conversationId()).isEqualTo("c1");
  }

  @Test
  void pageUrlRulesPickTheGroupAndOnlyItsMembersAreOffered() {
    Site site =
        new Site(
            id ->
                new SiteRouting(
                    id, Policy.LEAST_BUSY, Duration.ofSeconds(30), 2, Map.of(),
                    List.of(group("billing", Set.of("bill"), null, null)),
                    List.of(new SiteRouting.UrlRule("/invoices", "billing")), null, null, null));
    var other = site.agent("other");
    var bill = site.agent("bill");

    site.enqueue("c1", "v1", new RoutingHints(null, "https://shop.example/invoices/42"));

    assertThat(offer(bill).conversationId()).isEqualTo("c1");
    other.expectNoMessage(Duration.ofMillis(200));
    assertThat(site.queue().waiting().get(0).group()).isEqualTo("billing");
  }

  @Test
  void aReturningVisitorIsOfferedToTheirPreviousAgent() {
    Site site = new Site(Policy.LEAST_BUSY, 3, List.of(), null);
    var a = site.agent("a");
    var b = site.agent("b");
    site.enqueue("c1", "returning", RoutingHints.NONE);
    assertThat(offer(a).conversationId()).isEqualTo("c1");
    site.dispatcher.tell(new Dispatcher.Decline("a", "c1"));
    assertThat(offer(b).conversationId()).isEqualTo("c1");
    assertThat(site.claim("b", "c1").isSuccess()).isTrue();
    site.dispatcher.tell(new Dispatcher.Remove("c1"));
    assertThat(site.claim("b", "other").isSuccess()).isTrue(); // b is now busier than a

    site.enqueue("c2", "returning", RoutingHints.NONE);

    assertThat(offer(b).conversationId()).isEqualTo("c2");
  }

  @Test
  void visitorsSeeTheirPositionFallAsTheQueueMoves() {
    Site site = new Site(Policy.MANUAL, 5, List.of(), null);
    site.enqueue("c1", "v1", RoutingHints.NONE);
    site.enqueue("c2", "v2", RoutingHints.NONE);
    site.enqueue("c3", "v3", RoutingHints.NONE);
    TestProbe<Dispatcher.PositionUpdate> third = testKit.createTestProbe();
    site.dispatcher.tell(new Dispatcher.FollowPosition("c3", third.getRef()));
    assertThat(third.receiveMessage(WITHIN).position()).isEqualTo(3);

    site.claim("a", "c1");
    assertThat(third.receiveMessage(WITHIN).position()).isEqualTo(2);
    site.dispatcher.tell(new Dispatcher.Remove("c2"));
    assertThat(third.receiveMessage(WITHIN).position()).isEqualTo(1);
    site.claim("a", "c3");
    assertThat(third.receiveMessage(WITHIN).position()).isZero();
  }

  @Test
  void outsideWorkingHoursNothingIsOfferedAndVisitorsAreToldClosed() {
    // Open 09:00-17:00 UTC on Mondays; START is Monday 10:00.
    WorkingHours hours =
        new WorkingHours(
            ZoneId.of("UTC"),
            List.of(new WorkingHours.Span(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(17, 0))),
            Set.of());
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(), hours);
    site.clock.advance(Duration.ofHours(8)); // 18:00
    var a = site.agent("a");
    TestProbe<Dispatcher.Availability> availability = testKit.createTestProbe();
    site.dispatcher.tell(new Dispatcher.GetAvailability(availability.getRef()));
    assertThat(availability.receiveMessage(WITHIN).status()).isEqualTo(Dispatcher.Availability.CLOSED);

    site.enqueue("c1", "v1", RoutingHints.NONE);
    a.expectNoMessage(Duration.ofMillis(200));
    assertThat(site.queue().waiting()).hasSize(1); // left as a message for later

    site.tickAfter(Duration.ofHours(7 * 24 - 9)); // next Monday 09:00
    assertThat(offer(a).conversationId()).isEqualTo("c1");
  }

  @Test
  void nobodyOnlineIsReportedAsNoAgents() {
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(), null);
    TestProbe<Dispatcher.Availability> availability = testKit.createTestProbe();
    site.dispatcher.tell(new Dispatcher.GetAvailability(availability.getRef()));
    assertThat(availability.receiveMessage(WITHIN).status()).isEqualTo(Dispatcher.Availability.NO_AGENTS);
    site.agent("a");
    site.dispatcher.tell(new Dispatcher.GetAvailability(availability.getRef()));
    assertThat(availability.receiveMessage(WITHIN).status()).isEqualTo(Dispatcher.Availability.OPEN);
  }

  @Test
  void assignmentsAndLoadSurviveRestart() {
    Site site = new Site(Policy.MANUAL, 1, List.of(), null);
    site.enqueue("c1", "v1", RoutingHints.NONE);
    assertThat(site.claim("a", "c1").isSuccess()).isTrue();
    testKit.stop(site.dispatcher);

    ActorRef<Dispatcher.Command> again =
        testKit.spawn(Dispatcher.create(site.id, site.config, site.joins, site.clock, Duration.ofHours(1)));
    TestProbe<StatusReply<Dispatcher.Joined>> reply = testKit.createTestProbe();
    again.tell(new Dispatcher.Claim("a", "c2", "v2", reply.getRef()));

    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.AT_CAPACITY.code());
  }

  @Test
  void oneSessionRefMayWatchTheQueueBeAnAgentAndFollowAPosition() {
    // Message adapters of one actor share one ref: every role must work through it, and its stop clears all.
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(), null);
    TestProbe<Object> session = testKit.createTestProbe();
    site.dispatcher.tell(new Dispatcher.Watch(session.getRef().narrow()));
    site.dispatcher.tell(new Dispatcher.AgentPresent("a", true, session.getRef().narrow()));
    site.dispatcher.tell(new Dispatcher.FollowPosition("c1", session.getRef().narrow()));
    site.enqueue("c1", "v1", RoutingHints.NONE);

    session.fishForMessage(
        WITHIN,
        m ->
            m instanceof Dispatcher.Offer
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    session.stop();
    TestProbe<Dispatcher.Availability> availability = testKit.createTestProbe();
    availability.awaitAssert(
        WITHIN,
        () -> {
          site.dispatcher.tell(new Dispatcher.GetAvailability(availability.getRef()));
          assertThat(availability.receiveMessage(WITHIN).status()).isEqualTo(Dispatcher.Availability.NO_AGENTS);
          return null;
        });
  }

  @Test
  void aTransferRespectsCapacityAndAGroupTransferRejoinsTheQueueAtTheEnd() {
    Site site =
        new Site(Policy.LEAST_BUSY, 1, List.of(group("billing", Set.of("b"), null, null)), null);
    site.enqueue("c0", "v0", RoutingHints.NONE);
    site.enqueue("c1", "v1", RoutingHints.NONE);
    assertThat(site.claim("a", "c1").isSuccess()).isTrue();
    assertThat(site.claim("b", "c9").isSuccess()).isTrue(); // b is full
    TestProbe<StatusReply<Dispatcher.Handed>> reply = testKit.createTestProbe();

    site.dispatcher.tell(new Dispatcher.Transfer("a", "c1", "b", null, "note", reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.AT_CAPACITY.code());
    site.dispatcher.tell(new Dispatcher.Transfer("b", "c1", "c", null, null, reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.NOT_ASSIGNED.code());
    site.dispatcher.tell(new Dispatcher.Transfer("a", "c1", null, "nope", null, reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.UNKNOWN_GROUP.code());
    site.dispatcher.tell(new Dispatcher.Transfer("a", "c1", null, "billing", null, reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).isSuccess()).isTrue();

    var queue = site.queue().waiting();
    assertThat(queue).extracting(Dispatcher.Waiting::conversationId).containsExactly("c0", "c1");
    assertThat(queue.get(1).group()).isEqualTo("billing");
    assertThat(site.claim("a", "c0").isSuccess()).isTrue(); // a's capacity was freed by the transfer
  }

  @Test
  void anAgentClaimsOnlyInItsSkillGroupsUnlessItsRoleAllowsMore() {
    Site site =
        new Site(Policy.MANUAL, 2, List.of(group("billing", Set.of("b"), null, null)), null);
    site.enqueue("c1", "v1", new RoutingHints("billing", null));
    TestProbe<StatusReply<Dispatcher.Joined>> reply = testKit.createTestProbe();

    site.dispatcher.tell(new Dispatcher.Claim("a", "c1", "v1", reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.NOT_ALLOWED.code());
    site.dispatcher.tell(new Dispatcher.Claim("s", "c1", "v1", reply.getRef(), true));
    assertThat(reply.receiveMessage(WITHIN).isSuccess()).as("a supervisor claims outside its groups").isTrue();
  }

  @Test
  void aTransferGoesOnlyToAnAccountOfTheSiteAndASupervisorMayTakeOver() {
    Site site =
        new Site(
            id -> RoutingFixture.routing(id, Policy.MANUAL, 2, List.of(), null).withAgents(Set.of("a", "b", "s")));
    site.enqueue("c1", "v1", RoutingHints.NONE);
    assertThat(site.claim("a", "c1").isSuccess()).isTrue();
    TestProbe<StatusReply<Dispatcher.Handed>> reply = testKit.createTestProbe();

    site.dispatcher.tell(new Dispatcher.Transfer("a", "c1", "someone-elsewhere", null, null, reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).getError().getMessage()).isEqualTo(Rejection.UNKNOWN_AGENT.code());
    site.dispatcher.tell(new Dispatcher.Transfer("b", "c1", "b", null, null, reply.getRef()));
    assertThat(reply.receiveMessage(WITHIN).getError().getMessage())
        .as("an agent cannot take another's conversation")
        .isEqualTo(Rejection.NOT_ASSIGNED.code());
    site.dispatcher.tell(new Dispatcher.Transfer("s", "c1", "s", null, null, reply.getRef(), true));
    assertThat(reply.receiveMessage(WITHIN).isSuccess()).as("a supervisor takes over").isTrue();
    assertThat(site.claim("a", "c1").getError().getMessage()).isEqualTo(Rejection.ALREADY_CLAIMED.code());
  }

  @Test
  void aConversationClosedBeforeAnyAgentJoinedIsShownAsMissed() {
    Site site = new Site(Policy.MANUAL, 2, List.of(), null);
    site.enqueue("c1", "v1", RoutingHints.NONE);
    site.enqueue("c2", "v2", RoutingHints.NONE);
    assertThat(site.claim("a", "c2").isSuccess()).isTrue();

    site.dispatcher.tell(new Dispatcher.Remove("c1"));
    site.dispatcher.tell(new Dispatcher.Remove("c2"));

    var view = site.queue();
    assertThat(view.waiting()).isEmpty();
    assertThat(view.missed()).extracting(Dispatcher.Waiting::conversationId).containsExactly("c1");
    site.clock.advance(Dispatcher.MISSED_REMINDER_WINDOW.plusSeconds(1));
    assertThat(site.queue().missed()).isEmpty();
  }

  @Test
  void aConversationClosedBeforeItWasEverQueuedIsStillMissedOnceAndAcknowledged() {
    Site site = new Site(Policy.MANUAL, 2, List.of(), null);
    TestProbe<Done> ack = testKit.createTestProbe();
    var unanswered = new Dispatcher.Unanswered("v9", START, RoutingHints.NONE);

    site.dispatcher.tell(new Dispatcher.Remove("c9", ack.getRef(), unanswered));
    ack.receiveMessage(WITHIN);
    site.dispatcher.tell(new Dispatcher.Remove("c9", ack.getRef(), unanswered)); // delivered again
    ack.receiveMessage(WITHIN);

    assertThat(site.queue().missed()).extracting(Dispatcher.Waiting::conversationId).containsExactly("c9");
  }

  @Test
  void aGroupOutsideItsHoursIsSkippedAndItsChatsOverflowToAGroupThatIsOpen() {
    // Night desk 22:00-06:00 every night; the day group is closed on Monday (START, 10:00) by its hours.
    WorkingHours night =
        new WorkingHours(
            ZoneId.of("UTC"),
            java.util.Arrays.stream(DayOfWeek.values())
                .map(d -> new WorkingHours.Span(d, LocalTime.of(22, 0), LocalTime.of(6, 0)))
                .toList(),
            Set.of());
    SiteRouting.Group nightDesk = new SiteRouting.Group("night", "Night", null, Set.of("n"), "day", Duration.ofMinutes(2), night);
    SiteRouting.Group dayDesk = group("day", Set.of("d"), null, null);
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(nightDesk, dayDesk), null);
    var n = site.agent("n");
    var d = site.agent("d");

    site.enqueue("c1", "v1", new RoutingHints("night", null));
    n.expectNoMessage(Duration.ofMillis(200));
    site.tickAfter(Duration.ofMinutes(2));

    assertThat(offer(d).conversationId()).isEqualTo("c1");
    n.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anAgentGoingAwayLosesTheirOfferToAnotherAgent() {
    Site site = new Site(Policy.LEAST_BUSY, 2, List.of(), null);
    TestProbe<Dispatcher.AgentNotice> a = testKit.createTestProbe();
    site.dispatcher.tell(new Dispatcher.AgentPresent("a", true, a.getRef()));
    site.enqueue("c1", "v1", RoutingHints.NONE);
    assertThat(offer(a).conversationId()).isEqualTo("c1");
    var b = site.agent("b");

    site.dispatcher.tell(new Dispatcher.AgentPresent("a", false, a.getRef())); // status away

    assertThat(a.receiveMessage(WITHIN)).isEqualTo(new Dispatcher.OfferEnded(site.id, "c1", "withdrawn"));
    assertThat(offer(b).conversationId()).isEqualTo("c1");
    a.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void assignedChatsAreAskedToAutoCloseEveryHalfMinuteWhenTheSiteHasALimit() {
    Site site =
        new Site(
            id ->
                new SiteRouting(
                    id, Policy.MANUAL, Duration.ofSeconds(30), 3, Map.of(), List.of(), List.of(), null, null,
                    Duration.ofMinutes(15)));
    site.enqueue("c1", "v1", RoutingHints.NONE);
    site.enqueue("c2", "v2", RoutingHints.NONE);
    assertThat(site.claim("a", "c1").isSuccess()).isTrue();

    site.tickAfter(Duration.ofSeconds(1));
    site.queue(); // the tick has been handled once the queue answers
    site.tickAfter(Duration.ofSeconds(10));
    site.queue();

    assertThat(site.joins.idleChecks).containsExactly("c1 PT15M PT2M"); // once, for the assigned chat only
    site.tickAfter(Duration.ofSeconds(30));
    site.queue();
    assertThat(site.joins.idleChecks).hasSize(2);
  }
}
