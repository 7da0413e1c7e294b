package dev.parley.agent.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline (never a fixed sleep): polls briefly until true or time is up. */
public final class Await {

  public static final Duration WAIT = Duration.ofSeconds(20);
  private static final long POLL_NANOS = 20_000_000;

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    until(what, WAIT, condition);
  }

  public static void until(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Waits until {@code value} yields non-null and returns it. */
  public static <T> T value(String what, Supplier<T> value) {
    Object[] holder = new Object[1];
    until(what, () -> (holder[0] = value.get()) != null);
    @SuppressWarnings("unchecked")
    T result = (T) holder[0];
    return result;
  }
}
