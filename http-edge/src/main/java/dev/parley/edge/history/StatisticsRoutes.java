package dev.parley.edge.history;

import dev.parley.core.access.Permission;
import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.Principal;
import dev.parley.edge.admin.RequestBody;
import dev.parley.persistence.statistics.AgentActivity;
import dev.parley.persistence.statistics.SiteTimeZones;
import dev.parley.persistence.statistics.Statistics;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/sites/{siteId}/statistics}: conversations, missed, first-response and resolution times (median,
 * p90), messages, ratings and transfers, and proactive invitations sent and how they ended, over a range of the site's calendar days, in total and per hour, day, agent
 * or group ({@link Statistics}). {@code GET/PUT /api/sites/{siteId}/time-zone}: the zone those days and hours are
 * counted in. {@code GET /api/sites/{siteId}/agent-activity}: each member's time online, away and offline and
 * their concurrent chats over such a range ({@link AgentActivity}). Statistics and everyone's activity are for those
 * who read every conversation (owners, admins, supervisors); an agent reads their own activity only and gets 403 for
 * statistics; non-members get 404.
 */
public final class StatisticsRoutes extends ApiRoutes {

  /** Longest range of one report, in days. */
  public static final int MAX_RANGE_DAYS = 366;
  /** Days of the range when {@code from} is not given. */
  static final int DEFAULT_RANGE_DAYS = 7;

  private final Statistics statistics;
  private final AgentActivity activity;
  private final SiteTimeZones zones;

  public StatisticsRoutes(ApiContext api, Statistics statistics, AgentActivity activity, SiteTimeZones zones) {
    super(api);
    this.statistics = statistics;
    this.activity = activity;
    this.zones = zones;
  }

  record Report(
      String siteId, String timeZone, LocalDate from, LocalDate to, String by, Statistics.Row total,
      List<Statistics.Row> rows, Statistics.Invitations invitations) {}

  record TimeZoneView(String timeZone) {}

  record ActivityReport(String siteId, String timeZone, LocalDate from, LocalDate to, List<AgentActivity.Row> agents) {}

  /** A range of the site's calendar days, validated. */
  record Days(LocalDate first, LocalDate last) {
    static Days of(LocalDate from, LocalDate to, ZoneId zone, java.time.Clock clock) {
      LocalDate last = to != null ? to : LocalDate.now(clock.withZone(zone));
      LocalDate first = from != null ? from : last.minusDays(DEFAULT_RANGE_DAYS - 1);
      if (first.isAfter(last)) {
        throw ApiError.invalid("from", "'from' is a day on or before 'to'");
      }
      if (ChronoUnit.DAYS.between(first, last) >= MAX_RANGE_DAYS) {
        throw ApiError.invalid("from", "a report covers at most " + MAX_RANGE_DAYS + " days");
      }
      return new Days(first, last);
    }

    Instant start(ZoneId zone) {
      return first.atStartOfDay(zone).toInstant();
    }

    Instant end(ZoneId zone) {
      return last.plusDays(1).atStartOfDay(zone).toInstant();
    }
  }

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            concat(
                path("statistics", () -> get(() -> parameterMap(p -> report(siteId, p)))),
                path("agent-activity", () -> get(() -> parameterMap(p -> activity(siteId, p)))),
                path(
                    "time-zone",
                    () -> concat(get(() -> showZone(siteId)), put(() -> withBody(b -> setZone(siteId, b)))))));
  }

  private Route report(String siteId, Map<String, String> params) {
    Statistics.Grouping by = grouping(Filters.text(params, "by"));
    LocalDate to = date(params, "to");
    LocalDate from = date(params, "from");
    Statistics.Filter filter = new Statistics.Filter(Filters.text(params, "group"), Filters.text(params, "agent"));
    return authenticated(
        principal ->
            blocking(
                () -> {
                  ZoneId zone = readableZone(principal, siteId);
                  Days days = Days.of(from, to, zone, api.clock());
                  LocalDate first = days.first();
                  LocalDate last = days.last();
                  Instant start = days.start(zone);
                  Instant end = days.end(zone);
                  Statistics.Row total =
                      statistics.report(siteId, zone, start, end, Statistics.Grouping.TOTAL, filter).get(0);
                  List<Statistics.Row> rows =
                      by == Statistics.Grouping.TOTAL ? List.of() : statistics.report(siteId, zone, start, end, by, filter);
                  Statistics.Invitations invitations = statistics.invitations(siteId, start, end, filter);
                  return json(
                      200,
                      new Report(siteId, zone.getId(), first, last, by.name().toLowerCase(Locale.ROOT), total, rows,
                          invitations));
                }));
  }

  /** Everyone's activity for those who read every conversation; an agent's own for an agent. */
  private Route activity(String siteId, Map<String, String> params) {
    LocalDate to = date(params, "to");
    LocalDate from = date(params, "from");
    String agent = Filters.text(params, "agent");
    return authenticated(
        principal ->
            blocking(
                () -> {
                  member(principal, siteId);
                  ZoneId zone = zone(siteId);
                  String only = principal.may(siteId, Permission.READ_ALL_CONVERSATIONS) ? agent : principal.account().id();
                  if (agent != null && !agent.equals(only)) {
                    throw ApiError.forbidden("an agent reads their own activity only");
                  }
                  Days days = Days.of(from, to, zone, api.clock());
                  List<AgentActivity.Row> rows =
                      activity.report(siteId, days.start(zone), days.end(zone), api.clock().instant(), only);
                  return json(200, new ActivityReport(siteId, zone.getId(), days.first(), days.last(), rows));
                }));
  }

  private Route showZone(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  member(principal, siteId);
                  return json(200, new TimeZoneView(zone(siteId).getId()));
                }));
  }

  private Route setZone(String siteId, RequestBody body) {
    String text = body.requiredString("timeZone", 1, 64);
    ZoneId zone;
    try {
      zone = ZoneId.of(text);
    } catch (DateTimeException e) {
      throw ApiError.invalid("timeZone", "'timeZone' must be an IANA time zone such as Asia/Shanghai");
    }
    if (!zone.getId().contains("/") && !zone.getId().equals("UTC")) {
      // Offsets such as +08:00 have no daylight rules and PostgreSQL reads POSIX offsets inverted: names only.
      throw ApiError.invalid("timeZone", "'timeZone' must be an IANA time zone such as Asia/Shanghai");
    }
    return authenticated(
        principal ->
            blocking(
                () -> {
                  member(principal, siteId);
                  if (!principal.may(siteId, Permission.CONFIGURE_SITE)) {
                    throw ApiError.forbidden("only the site's owners and admins change its time zone");
                  }
                  if (!zones.set(siteId, zone)) {
                    throw ApiError.notFound("no such site");
                  }
                  return json(200, new TimeZoneView(zone.getId()));
                }));
  }

  /** The site's zone if the caller reads its statistics: 404 for non-members, 403 for agents. */
  private ZoneId readableZone(Principal principal, String siteId) {
    member(principal, siteId);
    if (!principal.may(siteId, Permission.READ_ALL_CONVERSATIONS)) {
      throw ApiError.forbidden("only the site's owners, admins and supervisors read its statistics");
    }
    return zone(siteId);
  }

  private static void member(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no such site");
    }
  }

  private ZoneId zone(String siteId) {
    return zones.of(siteId).orElseThrow(() -> ApiError.notFound("no such site"));
  }

  static Statistics.Grouping grouping(String by) {
    if (by == null) {
      return Statistics.Grouping.DAY;
    }
    return switch (by) {
      case "total" -> Statistics.Grouping.TOTAL;
      case "hour" -> Statistics.Grouping.HOUR;
      case "day" -> Statistics.Grouping.DAY;
      case "agent" -> Statistics.Grouping.AGENT;
      case "group" -> Statistics.Grouping.GROUP;
      default -> throw ApiError.invalid("by", "'by' is total, hour, day, agent or group");
    };
  }

  /** A calendar day of the site, 2025-03-01. */
  static LocalDate date(Map<String, String> params, String name) {
    String v = Filters.text(params, name);
    if (v == null) {
      return null;
    }
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid(name, "'" + name + "' is a day of the site's calendar, such as 2025-03-01");
    }
  }
}
