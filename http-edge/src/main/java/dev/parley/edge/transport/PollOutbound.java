package dev.parley.edge.transport;

import dev.parley.edge.session.Outbound;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The long-polling transport's outbound side: frames numbered from 1 and kept until a later poll's cursor
 * confirms them, so that a poll response lost on the way is sent again by the next poll.
 *
 * <p>At most {@code capacity} unconfirmed frames are kept; beyond, {@link #offer} answers {@code FULL} and the
 * session disconnects the client, which resumes from its last seq. Thread-safe: the session offers from its actor,
 * polls arrive on HTTP threads.
 */
final class PollOutbound implements Outbound {

  /** The answer to one poll: frames after the poll's cursor, the new cursor, and whether the connection ended. */
  record Batch(long cursor, List<String> frames, boolean closed) {}

  private record Numbered(long index, String frame) {}

  private final int capacity;
  private final ArrayDeque<Numbered> frames = new ArrayDeque<>();
  private long lastIndex;
  private boolean completed;
  private CompletableFuture<Batch> waiting;
  private long waitingCursor;

  PollOutbound(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public Offer offer(String frame) {
    CompletableFuture<Batch> wake;
    Batch batch;
    synchronized (this) {
      if (completed) {
        return Offer.CLOSED;
      }
      if (frames.size() >= capacity) {
        return Offer.FULL;
      }
      frames.addLast(new Numbered(++lastIndex, frame));
      if (waiting == null) {
        return Offer.ENQUEUED;
      }
      wake = waiting;
      waiting = null;
      batch = after(waitingCursor);
    }
    wake.complete(batch);
    return Offer.ENQUEUED;
  }

  @Override
  public synchronized int size() {
    return frames.size();
  }

  @Override
  public void complete() {
    CompletableFuture<Batch> wake;
    Batch batch;
    synchronized (this) {
      if (completed) {
        return;
      }
      completed = true;
      wake = waiting;
      waiting = null;
      batch = wake == null ? null : after(waitingCursor);
    }
    if (wake != null) {
      wake.complete(batch);
    }
  }

  @Override
  public synchronized boolean isCompleted() {
    return completed;
  }

  /**
   * The frames after {@code cursor}, at once if there are any (or the connection ended), else as soon as one is
   * offered, else an empty batch after {@code maxWait}. A newer poll answers an older one that still waits.
   */
  CompletionStage<Batch> poll(long cursor, Duration maxWait) {
    CompletableFuture<Batch> superseded;
    CompletableFuture<Batch> result;
    Batch supersededBatch;
    Batch now;
    synchronized (this) {
      while (!frames.isEmpty() && frames.peekFirst().index() <= cursor) {
        frames.removeFirst();
      }
      superseded = waiting;
      supersededBatch = superseded == null ? null : new Batch(waitingCursor, List.of(), completed);
      waiting = null;
      now = after(cursor);
      if (!now.frames().isEmpty() || completed) {
        result = CompletableFuture.completedFuture(now);
      } else {
        result = new CompletableFuture<>();
        waiting = result;
        waitingCursor = cursor;
      }
    }
    if (superseded != null) {
      superseded.complete(supersededBatch);
    }
    if (!result.isDone()) {
      // Nothing new: after maxWait the answer is the empty batch found now (an offer completes it sooner).
      result.completeOnTimeout(now, maxWait.toMillis(), TimeUnit.MILLISECONDS);
      result.whenComplete((batch, failure) -> forget(result));
    }
    return result;
  }

  private synchronized void forget(CompletableFuture<Batch> done) {
    if (waiting == done) {
      waiting = null;
    }
  }

  /** Must hold the lock. A cursor beyond what was ever sent is treated as "everything sent so far". */
  private Batch after(long cursor) {
    List<String> out = new ArrayList<>();
    long last = Math.min(cursor, lastIndex);
    for (Numbered n : frames) {
      if (n.index() > cursor) {
        out.add(n.frame());
        last = n.index();
      }
    }
    return new Batch(last, out, completed);
  }
}
