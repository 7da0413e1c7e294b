package dev.parley.edge;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.admin.AccountRoutes;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.AuthRoutes;
import dev.parley.edge.admin.SiteRoutes;
import dev.parley.edge.ws.WebSocketRoutes;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import java.util.function.Function;

/** Every route of a node, with JSON errors for everything that goes wrong. */
public final class HttpApi extends AllDirectives {

  private final ApiContext api;
  private final WebSocketRoutes webSockets;
  private final Function<ApiContext, ApiRoutes> routing;

  /** {@code routing}: the routing configuration API (docs/ROUTING.md), built on the same context. */
  public HttpApi(ApiContext api, WebSocketRoutes webSockets, Function<ApiContext, ApiRoutes> routing) {
    this.api = api;
    this.webSockets = webSockets;
    this.routing = routing;
  }

  public Route routes() {
    SiteRoutes sites = new SiteRoutes(api);
    return handleExceptions(
        ErrorMapping.exceptionHandler(),
        () ->
            handleRejections(
                ErrorMapping.rejectionHandler(),
                () ->
                    respondWithHeader(
                        RawHeader.create("X-Content-Type-Options", "nosniff"),
                        () ->
                            concat(
                                webSockets.routes(),
                                new AuthRoutes(api).routes(),
                                new AccountRoutes(api, sites).routes(),
                                sites.routes(),
                                routing.apply(api).routes(),
                                path(
                                    segment("api").slash("openapi.json"),
                                    () -> get(() -> getFromResource("openapi.json", ContentTypes.APPLICATION_JSON))),
                                path(
                                    "healthz",
                                    () ->
                                        get(
                                            () ->
                                                complete(
                                                    HttpEntities.create(
                                                        ContentTypes.APPLICATION_JSON, "{\"status\":\"ok\"}")))),
                                pathSingleSlash(() -> get(() -> getFromResource("public/index.html")))))));
  }
}
