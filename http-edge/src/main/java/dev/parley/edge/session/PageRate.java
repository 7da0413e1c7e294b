package dev.parley.edge.session;

import java.time.Duration;

/**
 * How many {@code page} frames a visitor may send: a token bucket of {@link #BURST} that refills one token every
 * {@link #REFILL}. A page view is worth recording, but a script that navigates in a loop must not write the
 * visitor's page trail as fast as it can send. Plain and clock-free (the caller passes the time); owned by the
 * session's actor.
 */
final class PageRate {

  /** Page frames a visitor may send at once, and how often one more is allowed. */
  static final int BURST = 10;
  static final Duration REFILL = Duration.ofSeconds(3);

  /** Pages that may still be sent now; at most {@link #BURST}. */
  private double tokens = BURST;
  /** When {@link #tokens} was last brought up to date, in {@link System#nanoTime()} terms. */
  private long atNanos;

  PageRate(long nowNanos) {
    this.atNanos = nowNanos;
  }

  /** Takes one page's token if there is one at {@code nowNanos}; false means the page is refused. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(BURST, tokens + (double) (nowNanos - atNanos) / REFILL.toNanos());
    atNanos = nowNanos;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** The refusal's text. */
  static String limit() {
    return "at most one page every " + REFILL.toSeconds() + " s after a burst of " + BURST;
  }
}
