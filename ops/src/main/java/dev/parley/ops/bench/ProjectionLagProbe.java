package dev.parley.ops.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * How long an acknowledged message takes to reach the read side (its row in {@code read_messages}, which history,
 * search and exports read): one in {@code sampleEvery} acks is remembered with its time, and a thread asks the
 * server's database every 10 ms which of the remembered ones have arrived. The figure is ack → visible, polled, so
 * it is up to about 10 ms high. A sample not there after 60 s counts as lost.
 */
final class ProjectionLagProbe implements AutoCloseable {

  private record Sample(String conversationId, long seq, long ackedNanos) {}

  private final ConcurrentLinkedQueue<Sample> arriving = new ConcurrentLinkedQueue<>();
  private final AtomicInteger acks = new AtomicInteger();
  private final int sampleEvery;
  private final Histogram lagMicros = new Histogram(3);
  private final Thread poller;
  private volatile boolean running = true;
  private volatile boolean recording;
  private int lost;

  ProjectionLagProbe(String jdbcUrl, String user, String password, int sampleEvery) {
    this.sampleEvery = sampleEvery;
    this.poller = new Thread(() -> poll(jdbcUrl, user, password), "projection-lag-probe");
    poller.setDaemon(true);
    poller.start();
  }

  /** Called for every ack the load clients receive. */
  void acked(String conversationId, long seq) {
    if (recording && acks.incrementAndGet() % sampleEvery == 0) {
      arriving.add(new Sample(conversationId, seq, System.nanoTime()));
    }
  }

  void recording(boolean on) {
    recording = on;
  }

  /** Waits until every sample taken has arrived or timed out, then prints the figures under {@code name}. */
  String report(String name) throws InterruptedException {
    long deadline = System.nanoTime() + 70_000_000_000L;
    while (!arriving.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    synchronized (lagMicros) {
      return String.format(Locale.ROOT,
          "projection lag (ack → row in read_messages) during %s: %d samples, p50 %.0f ms, p99 %.0f ms, max %.0f ms,"
              + " %d not there after 60 s",
          name, lagMicros.getTotalCount(), lagMicros.getValueAtPercentile(50) / 1000.0,
          lagMicros.getValueAtPercentile(99) / 1000.0, lagMicros.getMaxValue() / 1000.0, lost);
    }
  }

  private void poll(String jdbcUrl, String user, String password) {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        PreparedStatement s =
            c.prepareStatement("SELECT 1 FROM read_messages WHERE conversation_id = ? AND seq = ?")) {
      while (running) {
        List<Sample> pending = new ArrayList<>(arriving);
        long now = System.nanoTime();
        for (Sample sample : pending) {
          s.setString(1, sample.conversationId());
          s.setLong(2, sample.seq());
          boolean there;
          try (ResultSet rs = s.executeQuery()) {
            there = rs.next();
          }
          if (there || now - sample.ackedNanos() > 60_000_000_000L) {
            synchronized (lagMicros) {
              if (there) {
                lagMicros.recordValue(Math.max(0, (now - sample.ackedNanos()) / 1_000));
              } else {
                lost++;
              }
            }
            for (Iterator<Sample> it = arriving.iterator(); it.hasNext(); ) {
              if (it.next() == sample) {
                it.remove();
                break;
              }
            }
          }
        }
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.out.println("projection lag probe stopped: " + e);
    }
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
  }
}
