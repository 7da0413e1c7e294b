package dev.parley.edge.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.ApiError;
import dev.parley.persistence.directory.Membership;
import dev.parley.persistence.directory.Site;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites}: the sites the caller works for. Any admin may create a site and becomes its admin; a site's
 * details are visible to its members and editable by its admins. Other tenants' sites answer 404.
 */
public final class SiteRoutes extends ApiRoutes {

  /** Origins one site may allow. */
  public static final int MAX_ORIGINS = 50;

  public SiteRoutes(ApiContext api) {
    super(api);
  }

  record SiteView(String id, String name, List<String> allowedOrigins, Instant createdAt, String role) {
    static SiteView of(Site s, String role) {
      return new SiteView(s.id(), s.name(), s.allowedOrigins(), s.createdAt(), role);
    }
  }

  @Override
  public Route routes() {
    return pathPrefix(
        segment("api").slash("sites"),
        () ->
            concat(
                pathEnd(() -> concat(get(this::list), post(() -> withBody(this::create)))),
                path(
                    PathMatchers.segment(),
                    siteId -> concat(get(() -> show(siteId)), patch(() -> withBody(body -> update(siteId, body)))))));
  }

  private Route list() {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  List<SiteView> views = new ArrayList<>();
                  for (Membership m : principal.memberships()) {
                    api.directory().site(m.siteId()).ifPresent(s -> views.add(SiteView.of(s, m.role().code())));
                  }
                  return json(200, views);
                }));
  }

  private Route create(RequestBody body) {
    String id = body.requiredString("id", 1, 63).toLowerCase(Locale.ROOT);
    if (!dev.parley.edge.SiteCache.SITE_ID.matcher(id).matches()) {
      throw ApiError.invalid("id", "a site id has lower-case letters, digits and hyphens, and starts with a letter or digit");
    }
    String name = body.requiredString("name", 1, 200);
    List<String> origins = origins(body);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!principal.isAdminAnywhere()) {
                    throw ApiError.forbidden("only admins create sites");
                  }
                  Site site = new Site(id, name, origins, api.clock().instant());
                  api.directory().createSite(site);
                  api.directory().grant(principal.account().id(), id, Membership.Role.ADMIN);
                  return json(201, SiteView.of(site, Membership.Role.ADMIN.code()));
                }));
  }

  private Route show(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Site site = memberSite(principal, siteId);
                  String role = principal.isAdminOf(siteId) ? "admin" : "agent";
                  return json(200, SiteView.of(site, role));
                }));
  }

  private Route update(String siteId, RequestBody body) {
    String name = body.optionalString("name", 1, 200);
    List<String> origins = body.has("allowedOrigins") ? origins(body) : null;
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Site site = memberSite(principal, siteId);
                  if (!principal.isAdminOf(siteId)) {
                    throw ApiError.forbidden("only the site's admins change it");
                  }
                  Site updated =
                      new Site(
                          siteId,
                          name != null ? name : site.name(),
                          origins != null ? origins : site.allowedOrigins(),
                          site.createdAt());
                  api.directory().updateSite(updated);
                  api.sites().invalidate(siteId);
                  return json(200, SiteView.of(updated, "admin"));
                }));
  }

  /** The site if the caller works for it; 404 otherwise, whether or not it exists. */
  Site memberSite(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no such site");
    }
    return api.directory().site(siteId).orElseThrow(() -> ApiError.notFound("no such site"));
  }

  /** The site if the caller is one of its admins; 404 for non-members, 403 with {@code refusal} for its agents. */
  Site adminSite(Principal principal, String siteId, String refusal) {
    Site site = memberSite(principal, siteId);
    if (!principal.isAdminOf(siteId)) {
      throw ApiError.forbidden(refusal);
    }
    return site;
  }

  /** Allowed origins, normalised to scheme://host[:port]; anything else is refused. */
  static List<String> origins(RequestBody body) {
    LinkedHashSet<String> origins = new LinkedHashSet<>();
    for (String raw : body.stringList("allowedOrigins", MAX_ORIGINS, 300)) {
      origins.add(normaliseOrigin(raw));
    }
    return List.copyOf(origins);
  }

  static String normaliseOrigin(String raw) {
    URI uri;
    try {
      uri = URI.create(raw.strip());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("allowedOrigins", "'" + raw + "' is not an origin like https://shop.example");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean bare = (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))
        && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null;
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
      throw ApiError.invalid("allowedOrigins", "'" + raw + "' is not an origin like https://shop.example");
    }
    String origin = scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT);
    return uri.getPort() == -1 ? origin : origin + ":" + uri.getPort();
  }
}
