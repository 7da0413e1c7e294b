package dev.parley.core.dispatcher;

import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.routing.WorkingHours;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/** Controlled time and configuration for dispatcher tests. */
final class RoutingFixture {

  /** A clock that moves only when a test says so. */
  static final class ManualClock extends Clock {
    private final AtomicReference<Instant> now;

    ManualClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** A configuration a test can swap; loads complete at once, like a cache hit. */
  static final class Config implements RoutingConfig {
    volatile SiteRouting current;

    Config(SiteRouting routing) {
      current = routing;
    }

    @Override
    public CompletableFuture<SiteRouting> load(String siteId) {
      return CompletableFuture.completedFuture(current);
    }
  }

  /** Joins that always succeed, recorded in order. */
  static final class Joins implements DispatcherPeers {
    final ConcurrentLinkedQueue<String> joined = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> idleChecks = new ConcurrentLinkedQueue<>();

    @Override
    public void closeIfIdle(String conversationId, Duration after, Duration notice) {
      idleChecks.add(conversationId + " " + after + " " + notice);
    }

    @Override
    public CompletableFuture<Conversation.Claimed> join(String siteId, String conversationId, String agentId) {
      joined.add(conversationId + "->" + agentId);
      return CompletableFuture.completedFuture(new Conversation.Claimed(conversationId, 2));
    }

    /** Conversations that say they are closed when asked; every other one waits at the asking site. */
    final java.util.Set<String> closed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public CompletableFuture<Conversation.Facts> facts(String siteId, String conversationId) {
      Conversation.Facts waiting = DispatcherPeers.waitingAt(siteId, conversationId);
      return CompletableFuture.completedFuture(
          closed.contains(conversationId)
              ? new Conversation.Facts(
                  conversationId, siteId, waiting.visitorId(), Conversation.Status.CLOSED, null, 0,
                  waiting.openedAt(), null)
              : waiting);
    }
  }

  static SiteRouting routing(
      String siteId, Policy policy, int capacity, List<SiteRouting.Group> groups, WorkingHours hours) {
    return new SiteRouting(
        siteId, policy, Duration.ofSeconds(30), capacity, Map.of(), groups, List.of(), hours, null, null);
  }

  private RoutingFixture() {}
}
