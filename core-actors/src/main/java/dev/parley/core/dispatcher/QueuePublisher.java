package dev.parley.core.dispatcher;

import dev.parley.core.common.Watchers;
import dev.parley.core.dispatcher.Dispatcher.MissedEntry;
import dev.parley.core.dispatcher.Dispatcher.PositionUpdate;
import dev.parley.core.dispatcher.Dispatcher.QueueChanged;
import dev.parley.core.dispatcher.Dispatcher.QueueNotice;
import dev.parley.core.dispatcher.Dispatcher.QueueView;
import dev.parley.core.dispatcher.Dispatcher.Waiting;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * Who watches a site's queue and how they are told: agents' sessions get the whole queue once and then only what
 * changed ({@link QueueChanged}), visitors' sessions follow their own position. Memory only, owned by the {@link
 * DispatcherBehavior}'s actor; a watcher forgotten by a restart renews and gets the whole queue again. Bounded by
 * {@link Dispatcher#MAX_WATCHERS} and {@link Dispatcher#MAX_POSITION_FOLLOWERS}; a refusal is logged.
 */
final class QueuePublisher {

  private final String siteId;
  private final Clock clock;
  private final Logger log;
  private final Watchers<QueueNotice, Boolean> watchers;
  /** The queue and reminders as watchers last saw them; null before the first publish. */
  private List<Waiting> publishedWaiting;
  private List<Waiting> publishedMissed;
  private final Map<String, Set<ActorRef<PositionUpdate>>> followers = new HashMap<>();
  private final Watchers<PositionUpdate, Boolean> watchedFollowers;
  private final Map<String, Integer> positionSent = new HashMap<>();

  QueuePublisher(String siteId, Clock clock, Logger log, Watchers.DeathWatch deathWatch) {
    this.siteId = siteId;
    this.clock = clock;
    this.log = log;
    this.watchers = new Watchers<>(deathWatch, Dispatcher.MAX_WATCHERS);
    this.watchedFollowers = new Watchers<>(deathWatch, Dispatcher.MAX_POSITION_FOLLOWERS);
  }

  /** A watcher already known gets nothing more; a new one (or one forgotten) gets the whole queue. */
  void watch(ActorRef<QueueNotice> watcher, DispatcherState state) {
    if (watchers.contains(watcher)) {
      return;
    }
    if (!watchers.add(watcher, true)) {
      log.error("Site {} has {} queue watchers; refusing one more", siteId, watchers.size());
      return;
    }
    QueueView view = view(state);
    if (publishedWaiting == null) {
      publishedWaiting = view.waiting(); // the baseline of the changes this watcher will get
      publishedMissed = view.missed();
    }
    watcher.tell(view);
  }

  void unwatch(ActorRef<QueueNotice> watcher) {
    watchers.remove(watcher);
  }

  /**
   * A visitor's session follows a conversation's position: 0 at once when it no longer waits ({@code ended}),
   * else its position now (if it is queued yet) and on every change.
   */
  void follow(String conversationId, ActorRef<PositionUpdate> follower, boolean ended, DispatcherState state) {
    if (ended) {
      follower.tell(new PositionUpdate(siteId, conversationId, 0));
      return;
    }
    if (!watchedFollowers.add(follower, true)) {
      log.error("Site {} has {} position followers; refusing one more", siteId, watchedFollowers.size());
      return;
    }
    followers.computeIfAbsent(conversationId, k -> new HashSet<>()).add(follower);
    int position = state.positionOf(conversationId);
    if (position > 0) {
      follower.tell(new PositionUpdate(siteId, conversationId, position));
    }
  }

  /** The conversation closed: its followers hear position 0 now and are forgotten. */
  void ended(String conversationId) {
    Set<ActorRef<PositionUpdate>> gone = followers.remove(conversationId);
    positionSent.remove(conversationId);
    if (gone != null) {
      PositionUpdate update = new PositionUpdate(siteId, conversationId, 0);
      gone.forEach(f -> f.tell(update));
    }
  }

  boolean isFollower(ActorRef<?> ref) {
    return watchedFollowers.contains(ref);
  }

  void followerGone(ActorRef<PositionUpdate> follower) {
    Iterator<Map.Entry<String, Set<ActorRef<PositionUpdate>>>> it = followers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Set<ActorRef<PositionUpdate>>> e = it.next();
      e.getValue().remove(follower);
      if (e.getValue().isEmpty()) {
        it.remove();
        positionSent.remove(e.getKey());
      }
    }
  }

  /**
   * Tells watchers what changed since they were last told, and followers their new positions. {@code ended}
   * says whether a conversation that is not queued has left for good (assigned or closed) rather than not being
   * queued yet.
   */
  void publish(DispatcherState state, Predicate<String> ended) {
    QueueView view = view(state);
    // No baseline yet means nobody was told anything: there is no change to tell.
    QueueChanged change = publishedWaiting == null ? null : changeSincePublished(view);
    publishedWaiting = view.waiting();
    publishedMissed = view.missed();
    if (change != null) {
      watchers.tellAll(change);
    }
    if (followers.isEmpty()) {
      return;
    }
    Map<String, Integer> positions = new HashMap<>();
    int i = 1;
    for (String id : state.waiting.keySet()) {
      if (followers.containsKey(id)) {
        positions.put(id, i);
      }
      i++;
    }
    Iterator<Map.Entry<String, Set<ActorRef<PositionUpdate>>>> it = followers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Set<ActorRef<PositionUpdate>>> e = it.next();
      String id = e.getKey();
      int position = positions.getOrDefault(id, 0);
      if (position == 0 && !ended.test(id)) {
        continue; // followed before it was queued: wait for it
      }
      Integer before = positionSent.get(id);
      if (before == null || before != position) {
        PositionUpdate update = new PositionUpdate(siteId, id, position);
        e.getValue().forEach(f -> f.tell(update));
        positionSent.put(id, position);
      }
      if (position == 0) {
        it.remove();
        positionSent.remove(id);
      }
    }
  }

  /**
   * The difference between {@code view} and what watchers last saw, or null when nothing they see changed. Since
   * conversations only ever join the queue at its end, the new queue is the old one minus the removed, plus the
   * added at the end.
   */
  private QueueChanged changeSincePublished(QueueView view) {
    Set<String> now = new HashSet<>();
    view.waiting().forEach(w -> now.add(w.conversationId()));
    Set<String> was = new HashSet<>();
    List<String> removed = new ArrayList<>();
    for (Waiting w : publishedWaiting) {
      was.add(w.conversationId());
      if (!now.contains(w.conversationId())) {
        removed.add(w.conversationId());
      }
    }
    List<Waiting> added = new ArrayList<>();
    for (Waiting w : view.waiting()) {
      if (!was.contains(w.conversationId())) {
        added.add(w);
      }
    }
    boolean missedChanged = !view.missed().equals(publishedMissed);
    if (removed.isEmpty() && added.isEmpty() && !missedChanged) {
      return null;
    }
    return new QueueChanged(
        siteId,
        List.copyOf(removed),
        List.copyOf(added),
        view.waiting().size(),
        missedChanged ? view.missed() : null);
  }

  /** The whole queue, and the missed conversations of the reminder window, newest first. */
  QueueView view(DispatcherState state) {
    Instant since = clock.instant().minus(Dispatcher.MISSED_REMINDER_WINDOW);
    List<Waiting> missed = new ArrayList<>();
    for (MissedEntry m : state.missed.values()) {
      if (m.at().isAfter(since)) {
        missed.add(0, m.conversation());
      }
    }
    return new QueueView(siteId, state.list(), missed);
  }
}
