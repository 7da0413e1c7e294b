package dev.parley.edge;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.admin.AccountRoutes;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.AuthRoutes;
import dev.parley.edge.admin.QuickReplyRoutes;
import dev.parley.edge.admin.SiteRoutes;
import dev.parley.edge.admin.WidgetAdminRoutes;
import dev.parley.edge.web.WidgetRoutes;
import dev.parley.edge.ws.ConnectionRoutes;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Every route of a node, with JSON errors for everything that goes wrong. */
public final class HttpApi extends AllDirectives {

  private final ApiContext api;
  private final ConnectionRoutes webSockets;
  private final Function<ApiContext, ApiRoutes> routing;
  private final List<Function<ApiContext, ApiRoutes>> more;

  /** {@code routing}: the routing configuration API (docs/ROUTING.md), built on the same context. */
  public HttpApi(ApiContext api, ConnectionRoutes webSockets, Function<ApiContext, ApiRoutes> routing) {
    this(api, webSockets, routing, List.of());
  }

  /** {@code more}: further resources built on the same context (the history and search APIs). */
  public HttpApi(
      ApiContext api,
      ConnectionRoutes webSockets,
      Function<ApiContext, ApiRoutes> routing,
      List<Function<ApiContext, ApiRoutes>> more) {
    this.api = api;
    this.webSockets = webSockets;
    this.routing = routing;
    this.more = List.copyOf(more);
  }

  /**
   * The route tree, built once: the directives below take their inner routes as suppliers that run on every
   * request, so anything built inside them would be rebuilt per request (and lose its state).
   */
  public Route routes() {
    SiteRoutes sites = new SiteRoutes(api);
    Route all =
        concat(
            webSockets.routes(),
            new WidgetRoutes(api.sites()).routes(),
            new AuthRoutes(api).routes(),
            new AccountRoutes(api, sites).routes(),
            new WidgetAdminRoutes(api, sites).routes(),
            new QuickReplyRoutes(api, sites).routes(),
            sites.routes(),
            routing.apply(api).routes(),
            more.stream().map(r -> r.apply(api).routes()).reduce(Route::orElse).orElseGet(this::reject),
            path(
                segment("api").slash("openapi.json"),
                () -> get(() -> getFromResource("openapi.json", ContentTypes.APPLICATION_JSON))),
            path(
                "healthz",
                () ->
                    get(
                        () ->
                            complete(
                                HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"ok\"}")))),
            pathSingleSlash(() -> get(() -> getFromResource("public/index.html"))));
    return handleExceptions(
        ErrorMapping.exceptionHandler(),
        () ->
            handleRejections(
                ErrorMapping.rejectionHandler(),
                () -> respondWithHeader(RawHeader.create("X-Content-Type-Options", "nosniff"), () -> all)));
  }
}
