package dev.parley.edge.admin;

import dev.parley.edge.ApiError;
import dev.parley.persistence.directory.QuickReplies;
import dev.parley.persistence.directory.QuickReply;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{id}/quick-replies}: a site's team quick replies. Every member reads them (agents insert them
 * with {@code /shortcut}); its admins add and remove them.
 */
public final class QuickReplyRoutes extends ApiRoutes {

  private static final Pattern SHORTCUT = Pattern.compile("[\\p{L}\\p{N}_-]{1,32}");

  private final SiteRoutes sites;

  public QuickReplyRoutes(ApiContext api, SiteRoutes sites) {
    super(api);
    this.sites = sites;
  }

  record QuickReplyView(String id, String shortcut, String text, Instant createdAt) {
    static QuickReplyView of(QuickReply r) {
      return new QuickReplyView(r.id(), r.shortcut(), r.text(), r.createdAt());
    }
  }

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            pathPrefix(
                "quick-replies",
                () ->
                    concat(
                        pathEnd(
                            () -> concat(get(() -> list(siteId)), post(() -> withBody(body -> add(siteId, body))))),
                        path(PathMatchers.segment(), id -> delete(() -> remove(siteId, id))))));
  }

  private Route list(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.memberSite(principal, siteId);
                  List<QuickReplyView> replies =
                      api.quickReplies().list(siteId).stream().map(QuickReplyView::of).toList();
                  return json(200, replies);
                }));
  }

  private Route add(String siteId, RequestBody body) {
    String shortcut = body.requiredString("shortcut", 1, 32);
    if (!SHORTCUT.matcher(shortcut).matches()) {
      throw ApiError.invalid("shortcut", "a shortcut has 1 to 32 letters, digits, _ and -");
    }
    String text = body.requiredFreeText("text", 1, dev.parley.core.common.Limits.MAX_TEXT_CHARS);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, dev.parley.core.access.Permission.CONFIGURE_SITE, "only the site's owners and admins change its quick replies");
                  if (api.quickReplies().list(siteId).size() >= QuickReplies.MAX_PER_SITE) {
                    throw ApiError.conflict(
                        "shortcut", "a site has at most " + QuickReplies.MAX_PER_SITE + " quick replies");
                  }
                  QuickReply reply =
                      new QuickReply(UUID.randomUUID().toString(), siteId, shortcut, text, api.clock().instant());
                  api.quickReplies().add(reply);
                  return json(201, QuickReplyView.of(reply));
                }));
  }

  private Route remove(String siteId, String id) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, dev.parley.core.access.Permission.CONFIGURE_SITE, "only the site's owners and admins change its quick replies");
                  if (!api.quickReplies().remove(siteId, id)) {
                    throw ApiError.notFound("no such quick reply");
                  }
                  return json(200, java.util.Map.of("removed", id));
                }));
  }
}
