package dev.parley.edge.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.longSegment;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.access.Permission;
import dev.parley.edge.ApiError;
import dev.parley.persistence.audit.AuditLog;
import dev.parley.persistence.privacy.Erasures;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Privacy, for a site's admins: erase a visitor ({@code DELETE /api/sites/{id}/visitors/{visitorId}}, an erasure
 * job that {@code GET /api/sites/{id}/erasures/{job}} follows), the site's retention period ({@code GET/PUT
 * /api/sites/{id}/retention}), and the site's audit log ({@code GET /api/sites/{id}/audit}, filtered and paged).
 */
public final class PrivacyRoutes extends ApiRoutes {

  /** Longest retention period accepted: ten years. */
  public static final int MAX_RETENTION_DAYS = 3_650;
  /** Audit entries per page. */
  public static final int MAX_AUDIT_PAGE = 200;
  private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final SiteRoutes sites;
  private final Erasures erasures;
  private final AuditLog audit;

  public PrivacyRoutes(ApiContext api, SiteRoutes sites, Erasures erasures, AuditLog audit) {
    super(api);
    this.sites = sites;
    this.erasures = erasures;
    this.audit = audit;
  }

  record JobView(long id, String kind, String targetId, String reason, String status, Instant requestedAt,
      Integer conversations, Instant doneAt) {
    static JobView of(Erasures.Job j) {
      return new JobView(
          j.id(), j.kind(), j.targetId(), j.reason(), j.doneAt() == null ? "running" : "done", j.requestedAt(),
          j.conversations(), j.doneAt());
    }
  }

  record AuditView(long id, Instant at, String actor, String action, String target, String address, String detail) {
    static AuditView of(AuditLog.Entry e) {
      return new AuditView(e.id(), e.at(), e.actor(), e.action(), e.target(), e.address(), e.detail());
    }
  }

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            concat(
                path(segment("visitors").slash(segment()), visitorId -> delete(() -> erase(siteId, visitorId))),
                path(segment("erasures").slash(longSegment()), id -> get(() -> job(siteId, id))),
                path(
                    "retention",
                    () -> concat(get(() -> retention(siteId)), put(() -> withBody(b -> setRetention(siteId, b))))),
                path("audit", () -> get(() -> parameterMap(p -> audit(siteId, p))))));
  }

  private Route erase(String siteId, String visitorId) {
    if (!VISITOR_ID.matcher(visitorId).matches()) {
      throw ApiError.invalid("visitorId", "not a visitor id");
    }
    return withClientAddress(
        address ->
            authenticated(
                principal ->
                    blocking(
                            () -> {
                              sites.siteWith(principal, siteId, Permission.ERASE, "only the site's admins erase visitors");
                              return principal.account().id();
                            })
                        .thenCompose(actor -> erasures.eraseVisitor(siteId, visitorId, actor, address))
                        .thenApply(
                            id -> json(202, Map.of("id", id, "status", "running", "job",
                                "/api/sites/" + siteId + "/erasures/" + id)))));
  }

  private Route job(String siteId, long id) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.ERASE, "only the site's admins follow erasures");
                  return json(
                      200,
                      JobView.of(erasures.job(siteId, id).orElseThrow(() -> ApiError.notFound("no such erasure"))));
                }));
  }

  private Route retention(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.ERASE, "only the site's admins see its retention period");
                  Map<String, Object> body = new LinkedHashMap<>();
                  body.put("days", erasures.retention(siteId).orElse(null));
                  return json(200, body);
                }));
  }

  private Route setRetention(String siteId, RequestBody body) {
    JsonNode days = body.root().get("days");
    if (days == null) {
      throw ApiError.invalid("days", "'days' is required: a number of days, or null to keep everything");
    }
    if (!days.isNull() && (!days.isIntegralNumber() || days.asLong() < 0 || days.asLong() > MAX_RETENTION_DAYS)) {
      throw ApiError.invalid("days", "'days' is 0 to " + MAX_RETENTION_DAYS + ", or null");
    }
    Integer value = days.isNull() ? null : days.asInt();
    return withClientAddress(
        address ->
            authenticated(
                principal ->
                    blocking(
                        () -> {
                          sites.siteWith(principal, siteId, Permission.ERASE, "only the site's admins set its retention period");
                          erasures.setRetention(siteId, value, principal.account().id(), address);
                          Map<String, Object> out = new LinkedHashMap<>();
                          out.put("days", value);
                          return json(200, out);
                        })));
  }

  /**
   * The site's audit log, newest first, {@value #MAX_AUDIT_PAGE} entries a page at most: filtered by action prefix,
   * actor and time; {@code nextBefore} (null on the last page) is the {@code before} of the next page.
   */
  private Route audit(String siteId, Map<String, String> p) {
    AuditLog.Query query =
        new AuditLog.Query(
            auditText(p, "action"), auditText(p, "actor"), auditTime(p, "from"), auditTime(p, "to"),
            auditNumber(p, "before", 1, Long.MAX_VALUE, 0), (int) auditNumber(p, "limit", 1, MAX_AUDIT_PAGE, MAX_AUDIT_PAGE));
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.ERASE, "only the site's admins read its audit log");
                  List<AuditView> entries = audit.search(siteId, query).stream().map(AuditView::of).toList();
                  Map<String, Object> body = new LinkedHashMap<>();
                  body.put("entries", entries);
                  body.put("nextBefore", entries.size() < query.limit() ? null : entries.get(entries.size() - 1).id());
                  return json(200, body);
                }));
  }

  private static String auditText(Map<String, String> p, String name) {
    String v = p.get(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    if (v.length() > 200 || dev.parley.core.common.TextRules.lineProblem(v).isPresent()) {
      throw ApiError.invalid(name, "'" + name + "' is one line of at most 200 characters");
    }
    return v.strip();
  }

  private static long auditNumber(Map<String, String> p, String name, long min, long max, long fallback) {
    String v = auditText(p, name);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.invalid(name, "'" + name + "' is a number from " + min + " to " + max);
    }
  }

  private static Instant auditTime(Map<String, String> p, String name) {
    String v = auditText(p, name);
    if (v == null) {
      return null;
    }
    try {
      return v.length() == 10
          ? java.time.LocalDate.parse(v).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
          : Instant.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiError.invalid(name, "'" + name + "' is a date (2025-03-01) or an instant (2025-03-01T08:00:00Z)");
    }
  }
}
