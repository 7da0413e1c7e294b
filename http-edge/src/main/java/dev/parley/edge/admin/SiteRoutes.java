package dev.parley.edge.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.core.access.Permission;
import dev.parley.core.access.SiteRole;
import dev.parley.edge.ApiError;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Membership;
import dev.parley.persistence.directory.Site;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites}: the sites the caller works for. Only server operators create sites (and become their owners):
 * a tenant cannot multiply its tenancy. A site's details are visible to its members, its name and origins editable
 * by those who may configure it, and its security settings (mandatory two-factor sign-in) by its owners. Other
 * tenants' sites answer 404.
 */
public final class SiteRoutes extends ApiRoutes {

  /** Origins one site may allow. */
  public static final int MAX_ORIGINS = 50;

  public SiteRoutes(ApiContext api) {
    super(api);
  }

  record SiteView(
      String id, String name, List<String> allowedOrigins, Instant createdAt, String role, boolean twoFactorRequired) {
    static SiteView of(Site s, SiteRole role, boolean twoFactorRequired) {
      return new SiteView(s.id(), s.name(), s.allowedOrigins(), s.createdAt(), role.code(), twoFactorRequired);
    }
  }

  @Override
  public Route routes() {
    return pathPrefix(
        segment("api").slash("sites"),
        () ->
            concat(
                pathEnd(() -> concat(get(this::list), post(() -> withClientAddress(a -> withBody(b -> create(b, a)))))),
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
                    api.directory()
                        .site(m.siteId())
                        .ifPresent(
                            s -> views.add(SiteView.of(s, m.role(), api.directory().twoFactorRequired(s.id()))));
                  }
                  return json(200, views);
                }));
  }

  /** Recorded here, not by AuditTrail: the entry belongs to the new site's log, and only this route knows it. */
  private Route create(RequestBody body, String address) {
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
                  if (!principal.isOperator()) {
                    throw ApiError.forbidden("only the server's operators create sites");
                  }
                  Site site = new Site(id, name, origins, api.clock().instant());
                  api.directory().createSite(site);
                  api.directory().grant(principal.account().id(), id, SiteRole.OWNER);
                  api.audit().record(api.clock().instant(), id, principal.account().id(), "site.create", null, address,
                      null);
                  return json(201, SiteView.of(site, SiteRole.OWNER, false));
                }));
  }

  private Route show(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Site site = memberSite(principal, siteId);
                  return json(
                      200,
                      SiteView.of(
                          site, principal.role(siteId).orElseThrow(), api.directory().twoFactorRequired(siteId)));
                }));
  }

  private Route update(String siteId, RequestBody body) {
    String name = body.optionalString("name", 1, 200);
    List<String> origins = body.has("allowedOrigins") ? origins(body) : null;
    Boolean twoFactorRequired = body.optionalBoolean("twoFactorRequired");
    return authenticated(
        principal ->
            blocking(
                    () -> {
                      Site site = memberSite(principal, siteId);
                      if ((name != null || origins != null) && !principal.may(siteId, Permission.CONFIGURE_SITE)) {
                        throw ApiError.forbidden("only the site's owners and admins change it");
                      }
                      if (twoFactorRequired != null && !principal.may(siteId, Permission.MANAGE_SECURITY)) {
                        throw ApiError.forbidden("only the site's owners change its security settings");
                      }
                      if (Boolean.TRUE.equals(twoFactorRequired) && !principal.account().twoFactorEnabled()) {
                        // Else the owner would lock themselves into a token that only allows enrolling.
                        throw ApiError.conflict(
                            "twoFactorRequired", "set up two-factor sign-in for yourself first (/api/auth/2fa/enrol)");
                      }
                      Site updated =
                          new Site(
                              siteId,
                              name != null ? name : site.name(),
                              origins != null ? origins : site.allowedOrigins(),
                              site.createdAt());
                      api.directory().updateSite(updated);
                      api.sites().invalidate(siteId);
                      List<Directory.Revoked> revoked =
                          twoFactorRequired != null
                              ? api.directory().setTwoFactorRequired(siteId, twoFactorRequired)
                              : List.of();
                      SiteView view =
                          SiteView.of(
                              updated,
                              principal.role(siteId).orElseThrow(),
                              api.directory().twoFactorRequired(siteId));
                      return new Updated(view, revoked);
                    })
                .thenComposeAsync(
                    updated ->
                        endSessions(updated.revoked()).thenApply(done -> json(200, updated.view())),
                    api.blocking()));
  }

  private record Updated(SiteView view, List<Directory.Revoked> revoked) {}

  /** Ends the live connections of every account in {@code revoked}. */
  CompletionStage<Void> endSessions(List<Directory.Revoked> revoked) {
    return CompletableFuture.allOf(
        revoked.stream()
            .map(r -> api.revocations().endSessions(r.accountId(), r.tokenVersion()).toCompletableFuture())
            .toArray(CompletableFuture[]::new));
  }

  /** The site if the caller works for it; 404 otherwise, whether or not it exists. */
  Site memberSite(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no such site");
    }
    return api.directory().site(siteId).orElseThrow(() -> ApiError.notFound("no such site"));
  }

  /** The site if the caller holds {@code permission} there; 404 for non-members, 403 with {@code refusal} else. */
  Site siteWith(Principal principal, String siteId, Permission permission, String refusal) {
    Site site = memberSite(principal, siteId);
    if (!principal.may(siteId, permission)) {
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
