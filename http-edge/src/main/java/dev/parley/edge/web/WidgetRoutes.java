package dev.parley.edge.web;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.ErrorMapping;
import dev.parley.edge.SiteCache;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.directory.Site;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The visitor widget's files, served gzip-encoded from the parley-widget module's classpath resources.
 *
 * <p>{@code /widget.js} is the loader a shop embeds; {@code /widget/frame.html?site=ID} is the chat panel, an
 * iframe on this server's origin that only the site's allowed origins may embed ({@code frame-ancestors}), so
 * the host page's CSS and scripts cannot reach it; everything else under {@code /widget/} is a plain file.
 */
public final class WidgetRoutes extends AllDirectives {

  private static final String ROOT = "parley-widget";
  private static final RawHeader SHORT_CACHE = RawHeader.create("Cache-Control", "public, max-age=300");

  private final SiteCache sites;
  /** Whether this node sends transcripts by e-mail (told to the widget in its settings as {@code transcripts}). */
  private final boolean transcripts;

  /** This server's own origins (its pages may always embed the chat); filled once the port is bound. */
  private final java.util.Set<String> ownOrigins;

  public WidgetRoutes(SiteCache sites) {
    this(sites, false, java.util.Set.of());
  }

  public WidgetRoutes(SiteCache sites, boolean transcripts, java.util.Set<String> ownOrigins) {
    this.sites = sites;
    this.transcripts = transcripts;
    this.ownOrigins = ownOrigins;
  }

  public Route routes() {
    return get(
        () ->
            encodeResponse(
                () ->
                    concat(
                        path(
                            "widget.js",
                            () -> respondWithHeader(SHORT_CACHE, () -> getFromResource(ROOT + "/widget.js"))),
                        path(
                            segment("widget").slash("frame.html"),
                            () -> parameter("site", this::frame)),
                        path(segment("widget").slash("config"), () -> parameter("site", this::config)),
                        path(
                            segment("widget").slash("allowed"),
                            () ->
                                parameter(
                                    "site",
                                    site -> optionalHeaderValueByName("Origin", origin -> allowed(site, origin)))),
                        path(
                            segment("widget").slash("agent"),
                            () -> parameter("site", site -> parameter("id", id -> agent(site, id)))),
                        pathPrefix(
                            "widget",
                            () -> respondWithHeader(SHORT_CACHE, () -> getFromResourceDirectory(ROOT))))));
  }

  private Route frame(String siteId) {
    return onSuccess(
        sites.get(siteId),
        site ->
            site.map(
                    s ->
                        respondWithHeaders(
                            List.of(
                                RawHeader.create("Content-Security-Policy", contentSecurityPolicy(s)),
                                RawHeader.create("Cache-Control", "no-cache"),
                                RawHeader.create("Referrer-Policy", "no-referrer")),
                            () -> getFromResource(ROOT + "/frame.html")))
                .orElseGet(
                    () ->
                        complete(
                            ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"))));
  }

  /** The site's public widget settings (never its identity secret). */
  private Route config(String siteId) {
    return onSuccess(
        sites.get(siteId),
        site -> {
          if (site.isEmpty()) {
            return complete(ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"));
          }
          Site s = site.get();
          return onSuccess(
              sites.widget(s.id()),
              widget ->
                  respondWithHeader(
                      RawHeader.create("Cache-Control", "public, max-age=60"),
                      () ->
                          complete(
                              HttpResponse.create()
                                  .withEntity(
                                      HttpEntities.create(
                                          ContentTypes.APPLICATION_JSON,
                                          withTranscripts(
                                              WidgetSettings.publicConfig(
                                                  s.id(), s.name(), widget.settingsJson(), widget.identityRequired())))))));
        });
  }

  /**
   * An agent's display name for the widget, which knows agents only by the ids in events ({@code joined},
   * {@code transferred}, messages): {@code {"id","name"}}, or 404 {@code unknown-agent} when the id is not an
   * enabled account of the site. Public and cached like the settings; it tells no more than the chat itself.
   */
  private Route agent(String siteId, String agentId) {
    return onSuccess(
        sites.get(siteId),
        site -> {
          if (site.isEmpty()) {
            return complete(ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"));
          }
          return onSuccess(
              sites.agentName(siteId, agentId),
              name ->
                  name.map(
                          n ->
                              respondWithHeader(
                                  RawHeader.create("Cache-Control", "public, max-age=300"),
                                  () ->
                                      complete(
                                          HttpResponse.create()
                                              .withEntity(
                                                  HttpEntities.create(
                                                      ContentTypes.APPLICATION_JSON, agentJson(agentId, n))))))
                      .orElseGet(
                          () ->
                              complete(
                                  ErrorMapping.response(
                                      404, ErrorCode.UNKNOWN_AGENT, "no agent of the site with that id", "id"))));
        });
  }

  /**
   * May a page of the request's origin show this site's chat? The loader asks before it shows anything, so that a
   * page whose origin is not allowed shows nothing (instead of a frame the browser refuses to draw) and says why
   * in the console. Readable from any origin (CORS), since the answer only concerns the asking origin; a request
   * without an Origin header comes from this server's own pages. The same rule as the panel's
   * {@code frame-ancestors}: the site's allowed origins and this server's own.
   */
  private Route allowed(String siteId, java.util.Optional<String> origin) {
    List<org.apache.pekko.http.javadsl.model.HttpHeader> cors =
        List.of(
            RawHeader.create("Access-Control-Allow-Origin", origin.orElse("*")),
            RawHeader.create("Vary", "Origin"),
            RawHeader.create("Cache-Control", "no-store"));
    return respondWithHeaders(
        cors,
        () ->
            onSuccess(
                sites.get(siteId),
                site -> {
                  if (site.isEmpty()) {
                    return complete(
                        ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"));
                  }
                  boolean ok =
                      origin.isEmpty()
                          || ownOrigins.contains(origin.get())
                          || site.get().allowedOrigins().contains(origin.get());
                  var node = dev.parley.edge.protocol.Json.MAPPER.createObjectNode().put("allowed", ok);
                  return complete(
                      HttpResponse.create()
                          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, node.toString())));
                }));
  }

  private String withTranscripts(String config) {
    try {
      var node = (com.fasterxml.jackson.databind.node.ObjectNode) dev.parley.edge.protocol.Json.MAPPER.readTree(config);
      return node.put("transcripts", transcripts).toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the widget's settings are JSON we made", e);
    }
  }

  private static String agentJson(String id, String name) {
    var node = dev.parley.edge.protocol.Json.MAPPER.createObjectNode();
    node.put("id", id);
    node.put("name", name);
    return node.toString();
  }

  /**
   * Only the site's own pages may embed its chat panel, and the panel itself loads nothing from elsewhere: even
   * if visitor text ever reached the DOM as markup, it could neither run scripts nor send data away.
   */
  static String contentSecurityPolicy(Site site) {
    StringBuilder ancestors = new StringBuilder("'self'");
    site.allowedOrigins().forEach(origin -> ancestors.append(' ').append(origin));
    return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "connect-src 'self' ws: wss:; media-src 'self' data:; object-src 'none'; base-uri 'none'; "
        + "form-action 'none'; frame-ancestors "
        + ancestors;
  }
}
