package dev.parley.edge.visitors;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The visitors online on this node, per site, and the agents' sessions watching each site's list: one actor per
 * node (docs/DECISIONS.md, "Visitors now"). Visitor sessions tell it when they arrive, change (a page, a name, the
 * chat state) and leave; presence is memory only and never reaches the journal. Watchers get their list coalesced:
 * once a second, each watcher of a site that changed gets at most one update ({@link VisitorList}), so a site with
 * 10,000 visitors online costs a watching agent at most one frame a second, whatever the visitors do.
 *
 * <p>A visitor whose last connection closed lingers for {@link #LINGER} before leaving the list: every page of a
 * site opens a new connection, and the list should not blink on each click. Bounded by {@link #MAX_VISITORS} and
 * {@link #MAX_WATCHERS_PER_SITE}; beyond, new ones are not tracked (and said so once in the log).
 *
 * <p>Messages here never leave the node (the actor is local, not sharded), so they are plain records, not
 * serializable ones.
 */
public final class VisitorsNow extends AbstractBehavior<VisitorsNow.Command> {

  /** How often watchers' lists are brought up to date: the most updates a watcher gets per second per site. */
  public static final Duration TICK = Duration.ofSeconds(1);
  /** How long a visitor with no open connection stays listed (the next page reconnects within it). */
  public static final Duration LINGER = Duration.ofSeconds(10);
  /** Visitors tracked on this node; beyond, arrivals are not listed (connections are capped well below). */
  public static final int MAX_VISITORS = 100_000;
  /** Sessions watching one site's list on this node. */
  public static final int MAX_WATCHERS_PER_SITE = 1_000;
  /** Open connections counted per visitor; more are served but not counted. */
  public static final int MAX_SESSIONS_PER_VISITOR = 32;

  // Messages ----------------------------------------------------------------------------------------------------

  public interface Command {}

  /** A visitor connection arrived, with what it knows of the visitor (the registry keeps the visit's start). */
  public record Arrived(VisitorNow visitor, ActorRef<?> session) implements Command {}

  /** Something about a listed visitor changed. */
  public record Changed(String siteId, String visitorId, UnaryOperator<VisitorNow> change) implements Command {}

  public record Left(String siteId, String visitorId, ActorRef<?> session) implements Command {}

  /** Starts (or restarts, with a new filter) a watch: the watcher's next update is a snapshot. */
  public record Watch(String siteId, ActorRef<ListUpdate> watcher, VisitorFilter filter, int limit)
      implements Command {}

  public record Unwatch(String siteId, ActorRef<ListUpdate> watcher) implements Command {}

  /** What a watcher receives: an update of its list of {@code siteId}, at the server's time {@code at}. */
  public record ListUpdate(String siteId, VisitorList.Update update, Instant at) {}

  /** How many visitors a site has online on this node (for tests, the benchmark and metrics). */
  public record Count(String siteId, ActorRef<Integer> replyTo) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record WatcherGone(ActorRef<ListUpdate> watcher) implements Command {}

  // State (owned by this actor) ---------------------------------------------------------------------------------

  private static final class Present {
    VisitorNow visitor;
    final Set<ActorRef<?>> sessions = new HashSet<>();
    /** When the last session left; null while one is open. */
    Instant goneSince;

    Present(VisitorNow visitor) {
      this.visitor = visitor;
    }
  }

  private static final class Site {
    final Map<String, Present> visitors = new HashMap<>();
    final Map<ActorRef<ListUpdate>, VisitorList> watchers = new LinkedHashMap<>();
    /** Whether a visitor changed since the last tick. */
    boolean dirty;
  }

  public static Behavior<Command> create(Clock clock) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  return new VisitorsNow(context, clock);
                }));
  }

  private final Clock clock;
  private final Map<String, Site> sites = new HashMap<>();
  /** Which sites each watcher watches, to forget it everywhere when its session stops. */
  private final Map<ActorRef<ListUpdate>, Set<String>> watching = new HashMap<>();
  private int tracked;
  private long nextVersion = 1;
  private boolean warnedFull;

  private VisitorsNow(ActorContext<Command> context, Clock clock) {
    super(context);
    this.clock = clock;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Arrived.class, this::onArrived)
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Left.class, this::onLeft)
        .onMessage(Watch.class, this::onWatch)
        .onMessage(Unwatch.class, m -> unwatch(m.siteId(), m.watcher()))
        .onMessage(WatcherGone.class, this::onWatcherGone)
        .onMessage(Count.class, this::onCount)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onArrived(Arrived m) {
    VisitorNow v = m.visitor();
    Site site = sites.computeIfAbsent(v.siteId(), id -> new Site());
    Present present = site.visitors.get(v.visitorId());
    if (present == null) {
      if (tracked >= MAX_VISITORS) {
        if (!warnedFull) {
          warnedFull = true;
          getContext().getLog().warn("Visitors now: {} visitors tracked on this node; more are not listed", tracked);
        }
        return this;
      }
      present = new Present(v.withVersion(nextVersion++));
      site.visitors.put(v.visitorId(), present);
      tracked++;
    } else {
      // Another tab, or the next page of the same visit: the visit keeps its start, page and page count.
      present.visitor = present.visitor.joinedBy(v).withVersion(nextVersion++);
    }
    if (present.sessions.size() < MAX_SESSIONS_PER_VISITOR) {
      present.sessions.add(m.session());
    }
    present.goneSince = null;
    site.dirty = true;
    return this;
  }

  private Behavior<Command> onChanged(Changed m) {
    Site site = sites.get(m.siteId());
    Present present = site == null ? null : site.visitors.get(m.visitorId());
    if (present == null) {
      return this;
    }
    VisitorNow changed = m.change().apply(present.visitor);
    if (!changed.sameAs(present.visitor)) {
      present.visitor = changed.withVersion(nextVersion++);
      site.dirty = true;
    }
    return this;
  }

  private Behavior<Command> onLeft(Left m) {
    Site site = sites.get(m.siteId());
    Present present = site == null ? null : site.visitors.get(m.visitorId());
    if (present != null && present.sessions.remove(m.session()) && present.sessions.isEmpty()) {
      present.goneSince = clock.instant();
    }
    return this;
  }

  private Behavior<Command> onWatch(Watch m) {
    Site site = sites.computeIfAbsent(m.siteId(), id -> new Site());
    if (!site.watchers.containsKey(m.watcher()) && site.watchers.size() >= MAX_WATCHERS_PER_SITE) {
      getContext().getLog().warn("Visitors now: site {} has {} watchers on this node; a watch is refused",
          m.siteId(), site.watchers.size());
      return this;
    }
    VisitorList list = new VisitorList(m.filter(), m.limit());
    site.watchers.put(m.watcher(), list);
    if (watching.computeIfAbsent(m.watcher(), w -> new HashSet<>()).size() == 0) {
      getContext().watchWith(m.watcher(), new WatcherGone(m.watcher()));
    }
    watching.get(m.watcher()).add(m.siteId());
    // The snapshot goes at once, not at the next tick: the agent opened the list and waits for it.
    send(m.siteId(), m.watcher(), list, all(site));
    return this;
  }

  private Behavior<Command> unwatch(String siteId, ActorRef<ListUpdate> watcher) {
    Site site = sites.get(siteId);
    if (site != null) {
      site.watchers.remove(watcher);
    }
    Set<String> watched = watching.get(watcher);
    if (watched != null) {
      watched.remove(siteId);
      if (watched.isEmpty()) {
        watching.remove(watcher);
        getContext().unwatch(watcher);
      }
    }
    return this;
  }

  private Behavior<Command> onWatcherGone(WatcherGone m) {
    Set<String> watched = watching.remove(m.watcher());
    if (watched != null) {
      for (String siteId : watched) {
        Site site = sites.get(siteId);
        if (site != null) {
          site.watchers.remove(m.watcher());
        }
      }
    }
    return this;
  }

  private Behavior<Command> onCount(Count m) {
    Site site = sites.get(m.siteId());
    m.replyTo().tell(site == null ? 0 : site.visitors.size());
    return this;
  }

  private Behavior<Command> onTick() {
    Instant now = clock.instant();
    Instant lingerCutoff = now.minus(LINGER);
    List<String> emptySites = new ArrayList<>();
    for (Map.Entry<String, Site> entry : sites.entrySet()) {
      Site site = entry.getValue();
      int before = site.visitors.size();
      site.visitors.values().removeIf(p -> p.goneSince != null && p.goneSince.isBefore(lingerCutoff));
      int gone = before - site.visitors.size();
      if (gone > 0) {
        tracked -= gone;
        site.dirty = true;
      }
      if (site.dirty) {
        site.dirty = false;
        if (!site.watchers.isEmpty()) {
          List<VisitorNow> all = all(site);
          for (Map.Entry<ActorRef<ListUpdate>, VisitorList> watcher : site.watchers.entrySet()) {
            send(entry.getKey(), watcher.getKey(), watcher.getValue(), all);
          }
        }
      }
      if (site.visitors.isEmpty() && site.watchers.isEmpty()) {
        emptySites.add(entry.getKey());
      }
    }
    emptySites.forEach(sites::remove);
    if (warnedFull && tracked < MAX_VISITORS / 2) {
      warnedFull = false;
    }
    return this;
  }

  private static List<VisitorNow> all(Site site) {
    List<VisitorNow> all = new ArrayList<>(site.visitors.size());
    for (Present p : site.visitors.values()) {
      all.add(p.visitor);
    }
    return all;
  }

  private void send(String siteId, ActorRef<ListUpdate> watcher, VisitorList list, List<VisitorNow> all) {
    VisitorList.Update update = list.refresh(all);
    if (update != null) {
      watcher.tell(new ListUpdate(siteId, update, clock.instant()));
    }
  }
}
