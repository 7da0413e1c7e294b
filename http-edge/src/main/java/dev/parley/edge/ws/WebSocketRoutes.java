package dev.parley.edge.ws;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.ErrorMapping;
import dev.parley.edge.SiteCache;
import dev.parley.edge.protocol.ErrorCode;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The WebSocket endpoints. {@code /ws/visitor?site=ID} accepts browsers only from the site's allowed origins and
 * from this server's own pages, which serve the widget's panel (the Origin header is checked before the upgrade); {@code /ws/agent} accepts the desktop client (which sends no
 * Origin) and pages served by this server itself.
 */
public final class WebSocketRoutes extends AllDirectives {

  private final Gateway gateway;
  private final SiteCache sites;
  private final Set<String> ownOrigins;

  public WebSocketRoutes(Gateway gateway, SiteCache sites, Set<String> ownOrigins) {
    this.gateway = gateway;
    this.sites = sites;
    this.ownOrigins = Set.copyOf(ownOrigins);
  }

  public Route routes() {
    return concat(
        path(
            segment("ws").slash("visitor"),
            () ->
                parameterOptional(
                    "site",
                    site ->
                        optionalHeaderValueByName(
                            "Origin", origin -> visitor(site.orElse(""), origin)))),
        path(
            segment("ws").slash("agent"),
            () -> optionalHeaderValueByName("Origin", this::agent)));
  }

  private Route visitor(String siteId, Optional<String> origin) {
    return onSuccess(
        sites.get(siteId),
        site -> {
          if (site.isEmpty()) {
            return complete(
                ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"));
          }
          // The widget's chat panel is an iframe on this server's own origin (whose embedding the site's
          // frame-ancestors policy limits); pages of the site's allowed origins may also connect directly.
          if (origin.isEmpty()
              || !(site.get().allowedOrigins().contains(origin.get()) || ownOrigins.contains(origin.get()))) {
            return complete(
                ErrorMapping.response(
                    403, ErrorCode.ORIGIN_NOT_ALLOWED, "this page's origin may not open the chat of this site", null));
          }
          return handleWebSocketMessages(gateway.connection(Session.Role.VISITOR, siteId));
        });
  }

  private Route agent(Optional<String> origin) {
    if (origin.isPresent() && !ownOrigins.contains(origin.get())) {
      return complete(
          ErrorMapping.response(
              403, ErrorCode.ORIGIN_NOT_ALLOWED, "agents connect from the desktop client or this server's pages", null));
    }
    return handleWebSocketMessages(gateway.connection(Session.Role.AGENT, null));
  }
}
