package dev.parley.core.visitor;

import dev.parley.core.common.Rejection;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VisitorTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<Visitor.Command, Visitor.Event, Visitor.State> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshVisitor() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Visitor.create(Visitor.entityId("shop", UUID.randomUUID().toString()), Clock.systemUTC()));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          Visitor.Command, Visitor.Event, Visitor.State, StatusReply<String>>
      ensure(String stale) {
    return kit.runCommand(replyTo -> new Visitor.EnsureConversation(stale, replyTo));
  }

  @Test
  void repeatedRequestsGetTheSameOpenConversation() {
    var first = ensure(null);
    var second = ensure(null);

    assertThat(first.reply().getValue()).isNotBlank();
    assertThat(second.reply().getValue()).isEqualTo(first.reply().getValue());
    assertThat(second.hasNoEvents()).isTrue();
  }

  @Test
  void aVisitorOpensAtMostTheDailyQuotaOfConversationsAcrossARestart() {
    String current = ensure(null).reply().getValue();
    for (int i = 1; i < Visitor.MAX_CONVERSATIONS_PER_DAY; i++) {
      current = ensure(current).reply().getValue();
    }
    kit.restart();
    var refused = ensure(current);

    assertThat(refused.reply().isError()).isTrue();
    assertThat(refused.reply().getError().getMessage()).isEqualTo(Rejection.QUOTA_EXCEEDED.code());
    assertThat(refused.hasNoEvents()).isTrue();
    // The open conversation itself is still the visitor's: asking without a stale id still names it.
    assertThat(ensure(null).reply().getValue()).isEqualTo(current);
  }

  @Test
  void aStaleConversationIsReplacedOnceAndArchived() {
    String old = ensure(null).reply().getValue();

    var replaced = ensure(old);
    var again = ensure(old);

    assertThat(replaced.reply().getValue()).isNotEqualTo(old);
    assertThat(again.reply().getValue()).isEqualTo(replaced.reply().getValue());
    assertThat(kit.getState().pastConversationIds()).containsExactly(old);
  }

  @Test
  void aClosedNoteEndsTheCurrentConversationAndSurvivesRestart() {
    String first = ensure(null).reply().getValue();

    kit.runCommand(new Visitor.NoteConversationClosed(first));
    kit.runCommand(new Visitor.NoteConversationClosed(first));
    var restarted = kit.restart();

    assertThat(restarted.state().currentConversationId()).isNull();
    assertThat(restarted.state().pastConversationIds()).containsExactly(first);
    assertThat(ensure(null).reply().getValue()).isNotEqualTo(first);
  }

  @Test
  void presenceFollowsOpenSessionsAndOnlyANewVisitIsPersisted() {
    TestProbe<Object> session = testKit.createTestProbe();
    var connected = kit.runCommand(new Visitor.Connected(session.getRef()));
    var online =
        kit.<Visitor.Profile>runCommand(replyTo -> new Visitor.GetProfile(replyTo)).reply();

    session.stop();
    testKit.createTestProbe().awaitAssert(
        () -> {
          Visitor.Profile p =
              kit.<Visitor.Profile>runCommand(replyTo -> new Visitor.GetProfile(replyTo)).reply();
          assertThat(p.online()).isFalse();
          return null;
        });

    // Coming online starts a visit (counted once per visit, Visits.GAP); the open sessions themselves are never
    // persisted: coming back within the visit writes nothing.
    assertThat(connected.events()).hasSize(1).allMatch(e -> e instanceof Visitor.VisitStarted);
    assertThat(online.online()).isTrue();
    assertThat(online.visits()).isEqualTo(1);
    TestProbe<Object> again = testKit.createTestProbe();
    assertThat(kit.runCommand(new Visitor.Connected(again.getRef())).hasNoEvents()).isTrue();
  }

  @Test
  void theProfileKeepsIdentityDeviceCampaignAndABoundedPageTrail() {
    Instant at = Instant.parse("2026-11-11T08:00:00Z");
    kit.runCommand(
        new Visitor.ViewPage(
            new PageView(
                "https://shop.example/tea?utm_source=weibo&utm_campaign=double-11", "Tea", "https://weibo.com/x", at)));
    for (int i = 0; i < Visitor.MAX_PAGES + 5; i++) {
      kit.runCommand(
          new Visitor.ViewPage(
              new PageView("https://shop.example/p/" + i, "Page " + i, "https://shop.example/tea", at.plusSeconds(i))));
    }
    var identified =
        kit.<StatusReply<org.apache.pekko.Done>>runCommand(
            replyTo ->
                new Visitor.Identify(
                    new Identity("u-42", "Li Lei", "li@example.com", Map.of("plan", "gold"), true), replyTo));
    kit.runCommand(new Visitor.SeenOn(new Device("Chrome", "Android", "mobile")));
    var sameDevice = kit.runCommand(new Visitor.SeenOn(new Device("Chrome", "Android", "mobile")));

    Visitor.Profile profile = kit.<Visitor.Profile>runCommand(Visitor.GetProfile::new).reply();
    assertThat(identified.reply().isSuccess()).isTrue();
    assertThat(sameDevice.hasNoEvents()).isTrue();
    assertThat(profile.identity().name()).isEqualTo("Li Lei");
    assertThat(profile.identity().verified()).isTrue();
    assertThat(profile.device().type()).isEqualTo("mobile");
    // The referrer is the last other site that sent the visitor, not the shop's own pages.
    assertThat(profile.referrer()).isEqualTo("https://weibo.com/x");
    assertThat(profile.utm()).containsEntry("source", "weibo").containsEntry("campaign", "double-11");
    assertThat(profile.pages()).hasSize(Visitor.MAX_PAGES);
    assertThat(profile.pages().get(Visitor.MAX_PAGES - 1).url()).isEqualTo("https://shop.example/p/" + (Visitor.MAX_PAGES + 4));

    kit.restart();
    Visitor.Profile recovered = kit.<Visitor.Profile>runCommand(Visitor.GetProfile::new).reply();
    assertThat(recovered.identity()).isEqualTo(profile.identity());
    assertThat(recovered.pages()).isEqualTo(profile.pages());
  }

  @Test
  void watchersGetTheProfileNowAndAfterEachChange() {
    TestProbe<Visitor.Profile> agent = testKit.createTestProbe();
    kit.runCommand(new Visitor.Watch(agent.getRef()));
    assertThat(agent.receiveMessage().pages()).isEmpty();
    // Sessions renew their watch periodically; a renewal alone sends nothing.
    kit.runCommand(new Visitor.Watch(agent.getRef()));
    agent.expectNoMessage(java.time.Duration.ofMillis(200));

    kit.runCommand(
        new Visitor.ViewPage(new PageView("https://shop.example/cart", "Cart", null, Instant.now())));
    assertThat(agent.receiveMessage().pages()).extracting(PageView::title).containsExactly("Cart");

    kit.runCommand(new Visitor.Unwatch(agent.getRef()));
    kit.runCommand(
        new Visitor.ViewPage(new PageView("https://shop.example/pay", "Pay", null, Instant.now())));
    agent.expectNoMessage(java.time.Duration.ofMillis(200));
  }
}
