package dev.parley.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The frames a test client received: all of them, and a queue to await the next matching one with a deadline. */
public final class FrameInbox {

  private final LinkedBlockingQueue<JsonNode> pending = new LinkedBlockingQueue<>();
  private final List<JsonNode> all = new ArrayList<>();

  public void add(JsonNode frame) {
    synchronized (all) {
      all.add(frame);
    }
    pending.add(frame);
  }

  /** The next frame matching {@code match}; frames before it are skipped (they stay in {@link #all()}). */
  public JsonNode await(Predicate<JsonNode> match, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode frame;
      try {
        frame = left <= 0 ? null : pending.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
      if (frame == null) {
        throw new AssertionError("no matching frame within " + within + "; received " + all());
      }
      if (match.test(frame)) {
        return frame;
      }
    }
  }

  public JsonNode awaitType(String type, Duration within) {
    return await(f -> type.equals(f.path("type").asText()), within);
  }

  public List<JsonNode> all() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }
}
