package dev.parley.edge.visitors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One watcher's view of a site's live visitor list, and the coalescer of its updates: however often visitors
 * change, the registry calls {@link #refresh} at most once per tick (a second), and it answers one update that
 * brings the watcher from what it was last sent to now — the first a whole snapshot, then only the visitors that
 * entered or changed and the ids that left. A visitor that changed ten times within the tick is sent once, a
 * visitor that came and went within it not at all.
 *
 * <p>Bounded: the view holds the {@code limit} newest arrivals that match the watcher's filter (at most {@link
 * #MAX_LIMIT}), plus the count of all that match, so neither a frame nor this object grows with the site. Plain
 * and single-threaded (owned by the registry's actor); table-tested with 10,000 visitors.
 */
public final class VisitorList {

  /** Visitors one watcher's list may show at once, and the default when it names none. */
  public static final int MAX_LIMIT = 500;
  public static final int DEFAULT_LIMIT = 200;

  /** Newest arrivals first; the visitor id breaks ties so that the order is total and stable. */
  static final Comparator<VisitorNow> ORDER =
      Comparator.comparing(VisitorNow::since, Comparator.reverseOrder()).thenComparing(VisitorNow::visitorId);

  /** What to send: a {@code snapshot} replaces the watcher's list; otherwise remove, then add or replace. */
  public record Update(boolean snapshot, List<VisitorNow> upserted, List<String> removed, int total) {}

  private final VisitorFilter filter;
  private final int limit;
  /** Visitor id → version last sent; empty before the first refresh. */
  private final Map<String, Long> sent = new HashMap<>();
  private boolean started;
  private int lastTotal = -1;

  public VisitorList(VisitorFilter filter, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
    this.filter = filter;
    this.limit = limit;
  }

  /**
   * The update that brings the watcher to {@code visitors} (every visitor of the site online now), or null when
   * nothing it shows changed.
   */
  public Update refresh(Collection<VisitorNow> visitors) {
    List<VisitorNow> matching = new ArrayList<>();
    for (VisitorNow v : visitors) {
      if (filter.matches(v)) {
        matching.add(v);
      }
    }
    int total = matching.size();
    matching.sort(ORDER);
    List<VisitorNow> window = matching.size() > limit ? matching.subList(0, limit) : matching;

    List<VisitorNow> upserted = new ArrayList<>();
    Set<String> shown = new HashSet<>(window.size() * 2);
    for (VisitorNow v : window) {
      shown.add(v.visitorId());
      Long version = sent.get(v.visitorId());
      if (!started || version == null || version != v.version()) {
        upserted.add(v);
      }
    }
    List<String> removed = new ArrayList<>();
    if (started) {
      for (String id : sent.keySet()) {
        if (!shown.contains(id)) {
          removed.add(id);
        }
      }
    }
    boolean snapshot = !started;
    if (!snapshot && upserted.isEmpty() && removed.isEmpty() && total == lastTotal) {
      return null;
    }
    removed.forEach(sent::remove);
    for (VisitorNow v : upserted) {
      sent.put(v.visitorId(), v.version());
    }
    started = true;
    lastTotal = total;
    return new Update(snapshot, List.copyOf(upserted), List.copyOf(removed), total);
  }

  /** How many visitors the watcher holds now. */
  public int shown() {
    return sent.size();
  }
}
