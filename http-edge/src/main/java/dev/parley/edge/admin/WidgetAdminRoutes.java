package dev.parley.edge.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.auth.IdentitySignatures;
import dev.parley.edge.protocol.Json;
import dev.parley.edge.web.WidgetSettings;
import dev.parley.persistence.directory.Site;
import dev.parley.persistence.directory.SiteWidget;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A site's widget, for its admins: {@code GET|PATCH /api/sites/{id}/widget} (look, behaviour, whether visitor
 * identities must be signed) and {@code POST /api/sites/{id}/identity-secret}, which generates a new signing secret
 * and shows it once (the old one stops working at once).
 */
public final class WidgetAdminRoutes extends ApiRoutes {

  private final SiteRoutes sites;

  public WidgetAdminRoutes(ApiContext api, SiteRoutes sites) {
    super(api);
    this.sites = sites;
  }

  record WidgetView(JsonNode widget, boolean identityRequired, boolean hasIdentitySecret) {}

  record SecretView(String secret) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            concat(
                path("widget", () -> concat(get(() -> show(siteId)), patch(() -> withBody(b -> update(siteId, b))))),
                path("identity-secret", () -> post(() -> rotateSecret(siteId)))));
  }

  private Route show(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Site site = sites.siteWith(principal, siteId, dev.parley.core.access.Permission.CONFIGURE_SITE, "only the site's owners and admins change its widget");
                  return json(200, view(site, api.sites().widgets().get(siteId)));
                }));
  }

  private Route update(String siteId, RequestBody body) {
    Boolean identityRequired = body.optionalBoolean("identityRequired");
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Site site = sites.siteWith(principal, siteId, dev.parley.core.access.Permission.CONFIGURE_SITE, "only the site's owners and admins change its widget");
                  SiteWidget current = api.sites().widgets().get(siteId);
                  String settings = WidgetSettings.merge(current.settingsJson(), body);
                  boolean required = identityRequired != null ? identityRequired : current.identityRequired();
                  String secret = current.identitySecret();
                  if (required && secret == null) {
                    secret = IdentitySignatures.newSecret();
                  }
                  SiteWidget updated = new SiteWidget(siteId, settings, required, secret);
                  api.sites().widgets().save(updated);
                  api.sites().invalidate(siteId);
                  return json(200, view(site, updated));
                }));
  }

  private Route rotateSecret(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, dev.parley.core.access.Permission.CONFIGURE_SITE, "only the site's owners and admins change its widget");
                  SiteWidget current = api.sites().widgets().get(siteId);
                  String secret = IdentitySignatures.newSecret();
                  api.sites()
                      .widgets()
                      .save(new SiteWidget(siteId, current.settingsJson(), current.identityRequired(), secret));
                  api.sites().invalidate(siteId);
                  return json(200, new SecretView(secret));
                }));
  }

  private static WidgetView view(Site site, SiteWidget widget) {
    String config =
        WidgetSettings.publicConfig(site.id(), site.name(), widget.settingsJson(), widget.identityRequired());
    try {
      return new WidgetView(
          Json.MAPPER.readTree(config), widget.identityRequired(), widget.identitySecret() != null);
    } catch (JacksonException e) {
      throw new IllegalStateException("widget settings unreadable", e);
    }
  }
}
