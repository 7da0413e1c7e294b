package dev.parley.edge;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.admin.AccountRoutes;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.AuditTrail;
import dev.parley.edge.admin.AuthRoutes;
import dev.parley.edge.admin.QuickReplyRoutes;
import dev.parley.edge.admin.SiteRoutes;
import dev.parley.edge.admin.WidgetAdminRoutes;
import dev.parley.edge.transport.ConnectionRoutes;
import dev.parley.edge.web.SecurityHeaders;
import dev.parley.edge.web.ConsoleRoutes;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Every route of a node, with JSON errors for everything that goes wrong. */
public final class HttpApi extends AllDirectives {

  private final ApiContext api;
  private final ConnectionRoutes webSockets;
  private final List<BiFunction<ApiContext, SiteRoutes, ApiRoutes>> more;
  /** Public routes built where the node is wired (the widget's: files, settings, leave-a-message, transcripts). */
  private final List<Route> publicRoutes;
  /** The merged OpenAPI document, built once. */
  private final String openApi = OpenApiDocument.build();

  /**
   * {@code more}: the API's other route groups (routing configuration, privacy, ...), each built on the same
   * context and site checks.
   */
  public HttpApi(
      ApiContext api,
      ConnectionRoutes webSockets,
      List<BiFunction<ApiContext, SiteRoutes, ApiRoutes>> more,
      List<Route> publicRoutes) {
    this.api = api;
    this.webSockets = webSockets;
    this.more = List.copyOf(more);
    this.publicRoutes = List.copyOf(publicRoutes);
  }

  /** The alternatives in order; none: a route that rejects everything. */
  private Route all(List<Route> routes) {
    if (routes.isEmpty()) {
      return reject();
    }
    return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
  }

  /**
   * The route tree, built once: the directives below take their inner routes as suppliers that run on every
   * request, so anything built inside them would be rebuilt per request (and lose its state).
   */
  public Route routes() {
    SiteRoutes sites = new SiteRoutes(api);
    SecurityHeaders headers = new SecurityHeaders("public/index.html");
    AuditTrail audit = new AuditTrail(api);
    Route all =
        concat(
            webSockets.routes(),
            all(publicRoutes), // the widget's routes among them (they depend on what this node can send)
            new ConsoleRoutes().routes(),
            new AuthRoutes(api).routes(),
            new AccountRoutes(api, sites).routes(),
            new WidgetAdminRoutes(api, sites).routes(),
            new QuickReplyRoutes(api, sites).routes(),
            sites.routes(),
            all(more.stream().map(f -> f.apply(api, sites).routes()).toList()),
            path(
                segment("api").slash("openapi.json"),
                () -> get(() -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, openApi)))),
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
                () ->
                    respondWithHeader(
                        RawHeader.create("X-Content-Type-Options", "nosniff"),
                        () ->
                            extractRequest(
                                request ->
                                    mapResponse(
                                        response -> headers.apply(request, response),
                                        () -> audit.around(() -> all))))));
  }
}
