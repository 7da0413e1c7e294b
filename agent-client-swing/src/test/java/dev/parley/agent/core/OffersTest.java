package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offer state without a server: countdown, expiry, accept, decline, the server ending it, the preview. */
class OffersTest {

  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private Instant now = T0;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MovableClock clock = new MovableClock();
  private final Offers offers = new Offers(clock);

  private static ServerFrame.Offer offer(String conversationId, String group, Duration validFor) {
    return new ServerFrame.Offer(conversationId, "demo", "visitor-" + conversationId, group, T0.plus(validFor));
  }

  @Test
  void theCountdownRoundsUpAndTheOfferLeavesWhenItsTimeIsUp() {
    offers.offered(offer("c1", "support", Duration.ofSeconds(30)));
    Offers.Offer open = offers.get("c1");
    assertThat(offers.secondsLeft(open)).isEqualTo(30);
    clock.advance(Duration.ofMillis(500));
    assertThat(offers.secondsLeft(open)).isEqualTo(30); // 29.5 s left shows 30 until it is 29
    clock.advance(Duration.ofMillis(29_000));
    assertThat(offers.secondsLeft(open)).isEqualTo(1);
    assertThat(offers.open()).extracting(Offers.Offer::conversationId).containsExactly("c1");
    clock.advance(Duration.ofMillis(500));
    assertThat(offers.secondsLeft(open)).isZero();
    assertThat(offers.open()).isEmpty();
    assertThat(offers.accept("c1")).as("an expired offer is not answered").isNull();
    assertThat(offers.decline("c1")).isNull();
  }

  @Test
  void acceptingOrDecliningAnswersOnceAndLeavesTheOthersOpenOldestFirst() {
    offers.offered(offer("c1", null, Duration.ofSeconds(30)));
    clock.advance(Duration.ofSeconds(1));
    offers.offered(offer("c2", "sales", Duration.ofSeconds(31)));
    offers.offered(offer("c3", null, Duration.ofSeconds(32)));
    assertThat(offers.open()).extracting(Offers.Offer::conversationId).containsExactly("c1", "c2", "c3");

    assertThat(offers.accept("c2")).extracting(Offers.Offer::group).isEqualTo("sales");
    assertThat(offers.accept("c2")).as("answered once").isNull();
    assertThat(offers.decline("c1")).extracting(Offers.Offer::conversationId).isEqualTo("c1");
    assertThat(offers.decline("c1")).isNull();
    assertThat(offers.open()).extracting(Offers.Offer::conversationId).containsExactly("c3");
  }

  @Test
  void theServerEndingAnOfferRemovesItAndARepeatKeepsWhatWasLearnt() {
    offers.offered(offer("c1", null, Duration.ofSeconds(30)));
    assertThat(offers.firstMessage("c1", "Where is my parcel?")).isTrue();
    assertThat(offers.firstMessage("c1", "hello?")).as("the first message stays the first").isFalse();
    assertThat(offers.visitorName("c1", "Han Meimei")).isTrue();

    offers.offered(offer("c1", null, Duration.ofSeconds(60))); // offered again in a new round
    Offers.Offer again = offers.get("c1");
    assertThat(again.firstMessage()).isEqualTo("Where is my parcel?");
    assertThat(again.visitorName()).isEqualTo("Han Meimei");
    assertThat(offers.secondsLeft(again)).isEqualTo(60);

    assertThat(offers.ended("c1")).isTrue();
    assertThat(offers.open()).isEmpty();
    assertThat(offers.ended("c1")).isFalse();
    assertThat(offers.firstMessage("c1", "late")).as("nothing is learnt of an ended offer").isFalse();
  }

  @Test
  void aLongFirstMessageIsCutAndAnonymousVisitorsGetAStableStandIn() {
    offers.offered(offer("c1", null, Duration.ofSeconds(30)));
    offers.firstMessage("c1", "x".repeat(4000));
    assertThat(offers.get("c1").firstMessage()).hasSize(Offers.MAX_PREVIEW_CHARS + 1).endsWith("…");
    String standIn = offers.get("c1").standInNumber();
    assertThat(standIn).matches("#\\d{4}");
    offers.ended("c1");
    offers.offered(offer("c1", null, Duration.ofSeconds(30)));
    assertThat(offers.get("c1").standInNumber()).isEqualTo(standIn);
  }

  @Test
  void offersBeyondTheBoundAreNotKept() {
    for (int i = 0; i < Offers.MAX_OFFERS; i++) {
      assertThat(offers.offered(offer("c" + i, null, Duration.ofSeconds(30)))).isTrue();
    }
    assertThat(offers.offered(offer("one-too-many", null, Duration.ofSeconds(30)))).isFalse();
    assertThat(offers.open()).hasSize(Offers.MAX_OFFERS);
  }

  @Test
  void theWorkspaceTellsListenersWhenAnOfferComesExpiresOrIsAnswered(@TempDir Path dir) {
    Workspace workspace = new Workspace(new Outbox(dir.resolve("outbox.json")), clock);
    List<List<String>> told = new ArrayList<>();
    workspace.addListener(new WorkspaceListener() {
      @Override
      public void offersChanged(List<Offers.Offer> open) {
        told.add(open.stream().map(Offers.Offer::conversationId).toList());
      }
    });
    workspace.offered(offer("c1", null, Duration.ofSeconds(30)));
    workspace.offered(offer("c2", null, Duration.ofSeconds(40)));
    workspace.offerPreview("c2", null, "Hi there");
    workspace.expireOffers(); // nothing expired: nobody is told
    clock.advance(Duration.ofSeconds(30));
    workspace.expireOffers();
    workspace.acceptOffer("c2");
    assertThat(told).containsExactly(List.of("c1"), List.of("c1", "c2"), List.of("c1", "c2"), List.of("c2"), List.of());
  }
}
