package dev.parley.agent.core;

import dev.parley.agent.protocol.ServerFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live lists of the agent's sites' visitors online now (protocol §12), as the server's {@code visitors} and
 * {@code visitorsChanged} frames build them: per site, the listed visitors newest arrival first and the total
 * matching. Times on site and on page are computed against the server's clock (the frame's {@code serverTime}
 * against this machine's when it arrived), so a skewed local clock does not skew them. Not thread-safe: the
 * {@link Workspace} guards it.
 */
public final class VisitorsNow {

  /** Rows one site's list may hold; the server's default list limit, and the most a table shows usefully. */
  static final int MAX_ROWS_PER_SITE = 500;

  /** One listed visitor of a site, with times on site and on page as of {@code at} on this machine. */
  public record Row(String siteId, ServerFrame.ListedVisitor visitor, Duration onSite, Duration onPage) {}

  private static final class Site {
    final LinkedHashMap<String, ServerFrame.ListedVisitor> visitors = new LinkedHashMap<>();
    int total;
    /** Server time minus local time when the last frame arrived. */
    Duration skew = Duration.ZERO;
  }

  private final Map<String, Site> sites = new HashMap<>();

  void replace(ServerFrame.Visitors frame, Instant localNow) {
    Site site = new Site();
    for (ServerFrame.ListedVisitor v : frame.visitors()) {
      if (v.visitorId() != null && site.visitors.size() < MAX_ROWS_PER_SITE) {
        site.visitors.put(v.visitorId(), v);
      }
    }
    site.total = frame.total();
    site.skew = skew(frame.serverTime(), localNow);
    sites.put(frame.siteId(), site);
  }

  void change(ServerFrame.VisitorsChanged frame, Instant localNow) {
    Site site = sites.computeIfAbsent(frame.siteId(), id -> new Site());
    frame.removed().forEach(site.visitors::remove);
    for (ServerFrame.ListedVisitor v : frame.upserted()) {
      if (v.visitorId() != null && (site.visitors.containsKey(v.visitorId())
          || site.visitors.size() < MAX_ROWS_PER_SITE)) {
        site.visitors.put(v.visitorId(), v);
      }
    }
    site.total = frame.total();
    site.skew = skew(frame.serverTime(), localNow);
  }

  /** Forgets every list (a new connection's watches start over with snapshots). */
  void clear() {
    sites.clear();
  }

  /** How many visitors match, over all sites. */
  int total() {
    return sites.values().stream().mapToInt(s -> s.total).sum();
  }

  /** Every listed visitor, newest arrival first, with times as of {@code localNow}. */
  List<Row> rows(Instant localNow) {
    List<Row> rows = new ArrayList<>();
    sites.forEach((siteId, site) -> {
      Instant serverNow = localNow.plus(site.skew);
      for (ServerFrame.ListedVisitor v : site.visitors.values()) {
        rows.add(new Row(siteId, v, since(v.since(), serverNow), since(v.pageSince(), serverNow)));
      }
    });
    rows.sort(Comparator.comparing((Row r) -> r.visitor().since(), Comparator.nullsLast(Comparator.reverseOrder())));
    return rows;
  }

  private static Duration since(Instant start, Instant now) {
    if (start == null) {
      return null;
    }
    Duration d = Duration.between(start, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Duration skew(Instant serverTime, Instant localNow) {
    return serverTime == null ? Duration.ZERO : Duration.between(localNow, serverTime);
  }
}
