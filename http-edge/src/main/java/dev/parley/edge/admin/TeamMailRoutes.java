package dev.parley.edge.admin;

import dev.parley.core.access.Permission;
import dev.parley.edge.ApiError;
import dev.parley.edge.mail.LeaveMessageRoutes;
import dev.parley.persistence.directory.SiteTeamMail;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET|PUT /api/sites/{siteId}/team-email}: where the site's left messages are mailed (docs/WIDGET.md,
 * "Leave a message"). Members read it; owners and admins set it, or clear it with null to fall back to the
 * operator's {@code parley.mail.team-to}. {@code operatorFallback} says whether such a fallback is configured.
 */
public final class TeamMailRoutes extends ApiRoutes {

  private final SiteTeamMail store;
  private final boolean operatorFallback;

  public TeamMailRoutes(ApiContext api, SiteTeamMail store, boolean operatorFallback) {
    super(api);
    this.store = store;
    this.operatorFallback = operatorFallback;
  }

  record TeamEmailView(String siteId, String teamEmail, boolean operatorFallback) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            path(
                "team-email",
                () -> concat(get(() -> show(siteId)), put(() -> withBody(body -> set(siteId, body))))));
  }

  private Route show(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!principal.isMemberOf(siteId)) {
                    throw ApiError.notFound("no site '" + siteId + "'");
                  }
                  String email =
                      store.of(siteId).orElseThrow(() -> ApiError.notFound("no site '" + siteId + "'")).orElse(null);
                  return json(200, new TeamEmailView(siteId, email, operatorFallback));
                }));
  }

  private Route set(String siteId, RequestBody body) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!principal.isMemberOf(siteId)) {
                    throw ApiError.notFound("no site '" + siteId + "'");
                  }
                  if (!principal.may(siteId, Permission.CONFIGURE_SITE)) {
                    throw ApiError.forbidden("only the site's owners and admins change its team e-mail");
                  }
                  String email = body.optionalString("teamEmail", 3, LeaveMessageRoutes.MAX_EMAIL_CHARS);
                  if (email != null) {
                    LeaveMessageRoutes.checkEmail(email, "teamEmail");
                  }
                  if (!store.set(siteId, email)) {
                    throw ApiError.notFound("no site '" + siteId + "'");
                  }
                  return json(200, new TeamEmailView(siteId, email, operatorFallback));
                }));
  }
}
