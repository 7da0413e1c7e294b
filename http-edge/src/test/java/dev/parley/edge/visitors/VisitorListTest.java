package dev.parley.edge.visitors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One watcher's list over 10,000 visitors: bounded frames, only what changed, nothing when nothing did. */
class VisitorListTest {

  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  private static VisitorNow visitor(int i, long version, String page, String chat) {
    return new VisitorNow("demo", "v" + i, version, T0.plusSeconds(i), page, null, T0, 1, null, null, Map.of(), null,
        null, i % 3 == 0 ? 2 : 1, null, chat, null);
  }

  private static List<VisitorNow> many(int n) {
    List<VisitorNow> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(visitor(i, i + 1, "https://shop.example/p" + i, VisitorNow.CHAT_NONE));
    }
    return all;
  }

  @Test
  void aSnapshotHoldsTheNewestArrivalsThenOnlyChangesAreSent() {
    List<VisitorNow> all = many(10_000);
    VisitorList list = new VisitorList(VisitorFilter.ANY, 200);

    VisitorList.Update first = list.refresh(all);
    assertThat(first.snapshot()).isTrue();
    assertThat(first.total()).isEqualTo(10_000);
    assertThat(first.upserted()).hasSize(200);
    assertThat(first.upserted().get(0).visitorId()).isEqualTo("v9999");
    assertThat(list.refresh(all)).as("nothing changed").isNull();

    all.set(9_990, visitor(9_990, 20_000, "https://shop.example/cart", VisitorNow.CHAT_NONE));
    all.set(5, visitor(5, 20_001, "https://shop.example/cart", VisitorNow.CHAT_NONE));
    VisitorList.Update changed = list.refresh(all);
    assertThat(changed.snapshot()).isFalse();
    assertThat(changed.upserted()).extracting(VisitorNow::visitorId).containsExactly("v9990");
    assertThat(changed.removed()).isEmpty();

    all.remove(9_999);
    VisitorList.Update left = list.refresh(all);
    assertThat(left.removed()).containsExactly("v9999");
    assertThat(left.upserted()).extracting(VisitorNow::visitorId).containsExactly("v9799");
    assertThat(left.total()).isEqualTo(9_999);
    assertThat(list.shown()).isEqualTo(200);
  }

  @Test
  void theFilterDecidesWhatIsCountedAndShown() {
    List<VisitorNow> all = many(10_000);
    all.set(42, visitor(42, 30_000, "https://shop.example/jasmine", VisitorNow.CHAT_WAITING));
    VisitorList waiting = new VisitorList(new VisitorFilter(null, "waiting", null, null), 50);
    VisitorList.Update w = waiting.refresh(all);
    assertThat(w.total()).isEqualTo(1);
    assertThat(w.upserted()).extracting(VisitorNow::visitorId).containsExactly("v42");

    VisitorList returning = new VisitorList(new VisitorFilter(null, null, true, null), 500);
    assertThat(returning.refresh(all).total()).isEqualTo(3_334);
    VisitorList text = new VisitorList(new VisitorFilter("  JASMINE ", null, null, null), 10);
    assertThat(text.refresh(all).upserted()).extracting(VisitorNow::visitorId).containsExactly("v42");
  }

  @Test
  void aLimitOutsideOneTo500IsRefused() {
    assertThatThrownBy(() -> new VisitorList(VisitorFilter.ANY, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VisitorList(VisitorFilter.ANY, 501)).isInstanceOf(IllegalArgumentException.class);
  }
}
