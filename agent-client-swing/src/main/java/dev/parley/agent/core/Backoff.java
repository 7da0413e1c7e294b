package dev.parley.agent.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: 0.5 s doubling to 30 s, each ±20 % at random so that many clients cut off together do not
 * come back together (protocol §2). Owned by the client's network thread.
 */
final class Backoff {

  static final long INITIAL_MILLIS = 500;
  static final long MAX_MILLIS = 30_000;
  static final double JITTER = 0.2;

  private int failures;

  long nextDelayMillis() {
    long base = Math.min(MAX_MILLIS, INITIAL_MILLIS << Math.min(failures, 16));
    failures++;
    double factor = 1 + JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Math.round(base * factor);
  }

  void reset() {
    failures = 0;
  }
}
