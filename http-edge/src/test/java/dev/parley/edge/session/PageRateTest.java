package dev.parley.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageRateTest {

  private static final long REFILL_NANOS = PageRate.REFILL.toNanos();

  @Test
  void aBurstPassesThenOnePageEveryRefill() {
    PageRate rate = new PageRate(0);
    for (int i = 0; i < PageRate.BURST; i++) {
      assertThat(rate.tryTake(0)).as("page %d of the burst", i + 1).isTrue();
    }
    assertThat(rate.tryTake(0)).isFalse();
    assertThat(rate.tryTake(REFILL_NANOS - 1)).isFalse();
    assertThat(rate.tryTake(REFILL_NANOS)).isTrue();
    assertThat(rate.tryTake(REFILL_NANOS)).isFalse();
  }

  @Test
  void aLongPauseRefillsNoMoreThanOneBurst() {
    PageRate rate = new PageRate(0);
    for (int i = 0; i < PageRate.BURST; i++) {
      rate.tryTake(0);
    }
    long muchLater = 1_000 * REFILL_NANOS;
    int passed = 0;
    while (rate.tryTake(muchLater)) {
      passed++;
    }
    assertThat(passed).isEqualTo(PageRate.BURST);
  }

  @Test
  void refusedPagesDoNotDelayTheNextToken() {
    PageRate rate = new PageRate(0);
    for (int i = 0; i < PageRate.BURST; i++) {
      rate.tryTake(0);
    }
    for (long t = 1; t < 10; t++) {
      assertThat(rate.tryTake(t * REFILL_NANOS / 10)).isFalse();
    }
    // A microsecond of slack: the tenths added up in floating point fall short of one by a rounding error.
    assertThat(rate.tryTake(REFILL_NANOS + 1_000)).isTrue();
  }
}
