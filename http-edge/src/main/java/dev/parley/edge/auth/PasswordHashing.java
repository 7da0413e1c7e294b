package dev.parley.edge.auth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The small, bounded pool on which every password is hashed or checked (Argon2id costs tens of milliseconds and
 * 19 MiB each). Logins are unauthenticated, so they must never be able to occupy the shared blocking pool that
 * signed-in admins' requests use: here a fixed number of threads works through a bounded queue, and work that
 * finds the queue full is refused at once with {@link Overloaded} (HTTP 503 {@code overloaded} with
 * {@code Retry-After}), before anything is hashed.
 */
public final class PasswordHashing implements AutoCloseable {

  /** Seconds a client is told to wait when the pool is full. */
  public static final int RETRY_AFTER_SECONDS = 2;

  /** The pool was full; nothing was done. */
  public static final class Overloaded extends RuntimeException {
    Overloaded() {
      super("password hashing is saturated", null, false, false);
    }
  }

  private final ThreadPoolExecutor pool;
  /** Tasks run so far (each hashes or checks one password): for tests and metrics. */
  private final AtomicLong tasksRun = new AtomicLong();

  public PasswordHashing(int threads, int maxQueuedTasks) {
    AtomicInteger counter = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0L,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(maxQueuedTasks),
            runnable -> {
              Thread thread = new Thread(runnable, "parley-password-hashing-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs {@code work} on the pool; fails with {@link Overloaded} at once when the queue is full. */
  public <T> CompletionStage<T> submit(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            tasksRun.incrementAndGet();
            return work.get();
          },
          pool);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new Overloaded());
    }
  }

  public long tasksRun() {
    return tasksRun.get();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
