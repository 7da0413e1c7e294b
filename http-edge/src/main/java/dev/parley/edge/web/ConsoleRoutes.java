package dev.parley.edge.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web admin console's files, served gzip-encoded at {@code /console/} from the parley-widget module's
 * {@code parley-console/} resources: one HTML page (the app routes by the URL's fragment, so every console address
 * is this one page), ES modules, one stylesheet and the vendored Preact and htm.
 *
 * <p>The page's policy allows scripts of this origin only, plus the one inline script the page has, its import
 * map, by hash; styles of this origin only (no inline styles); nobody may frame it. The console talks to the JSON
 * API and the agents' WebSocket of this same origin with a bearer token, and frames only this server's own
 * widget panel (the preview).
 */
public final class ConsoleRoutes extends AllDirectives {

  static final String ROOT = "parley-console";
  private static final String PAGE = ROOT + "/index.html";
  private static final ContentType JAVASCRIPT =
      ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8);
  private static final RawHeader SHORT_CACHE = RawHeader.create("Cache-Control", "no-cache");

  private final String pagePolicy;

  public ConsoleRoutes() {
    this.pagePolicy = pagePolicy(importMapHash(PAGE));
  }

  public Route routes() {
    return get(
        () ->
            concat(
                path("console", () -> redirect(Uri.create("/console/"), StatusCodes.MOVED_PERMANENTLY)),
                pathPrefix(
                    "console",
                    () ->
                        encodeResponse(
                            () ->
                                respondWithHeader(
                                    SHORT_CACHE,
                                    () ->
                                        concat(
                                            pathSingleSlash(this::page),
                                            path("index.html", this::page),
                                            getFromResourceDirectory(ROOT, ConsoleRoutes::contentType)))))));
  }

  private Route page() {
    return respondWithHeaders(
        List.of(
            RawHeader.create("Content-Security-Policy", pagePolicy),
            RawHeader.create("X-Frame-Options", "DENY"),
            RawHeader.create("Referrer-Policy", "no-referrer")),
        () -> getFromResource(PAGE, ContentTypes.TEXT_HTML_UTF8));
  }

  /** ES modules are JavaScript whatever their extension (browsers refuse a module of another type). */
  static ContentType contentType(String fileName) {
    if (fileName.endsWith(".mjs") || fileName.endsWith(".js")) {
      return JAVASCRIPT;
    }
    if (fileName.endsWith(".css")) {
      return ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8);
    }
    if (fileName.endsWith(".html")) {
      return ContentTypes.TEXT_HTML_UTF8;
    }
    if (fileName.endsWith(".svg")) {
      return ContentTypes.create(MediaTypes.IMAGE_SVG_XML);
    }
    if (fileName.endsWith(".png")) {
      return ContentTypes.create(MediaTypes.IMAGE_PNG);
    }
    return ContentTypes.TEXT_PLAIN_UTF8;
  }

  /** Without 'unsafe-inline' anywhere: scripts and styles of this origin, the import map by its hash. */
  static String pagePolicy(String importMapHash) {
    return "default-src 'self'; script-src 'self' '"
        + importMapHash
        + "'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none';"
        + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  }

  /** The CSP hash ({@code sha256-…}) of the page's {@code <script type="importmap">}. */
  static String importMapHash(String resource) {
    try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the console's page " + resource + " is not on the classpath");
      }
      String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("<script type=\"importmap\">([\\s\\S]*?)</script>").matcher(page);
      if (!m.find()) {
        throw new IllegalStateException("the console's page has no import map");
      }
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(digest);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("could not read " + resource, e);
    }
  }
}
