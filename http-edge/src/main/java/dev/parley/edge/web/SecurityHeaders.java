package dev.parley.edge.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Headers every answer of a kind carries, added in one place so that no route can forget them:
 *
 * <ul>
 *   <li>HTML, JavaScript and CSS: a {@code Content-Security-Policy} (unless the route set its own, as the chat panel
 *       does with {@code frame-ancestors} listing its site's origins), {@code Referrer-Policy: no-referrer}, and for
 *       pages nobody may frame {@code X-Frame-Options: DENY} for browsers that predate {@code frame-ancestors};
 *   <li>the JSON API ({@code /api/}): {@code Cache-Control: no-store}, since its answers carry tokens, generated
 *       passwords, secrets and people's data, none of which a browser or a proxy should keep.
 * </ul>
 *
 * {@code X-Content-Type-Options: nosniff} goes on every answer (HttpApi).
 */
public final class SecurityHeaders {

  /** For JavaScript and CSS files: as documents they may do nothing, and nobody frames them. */
  static final String FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final String pagePolicy;

  /** {@code pageResource}: the classpath HTML page served at {@code /}, whose inline scripts are allowed by hash. */
  public SecurityHeaders(String pageResource) {
    this.pagePolicy = pagePolicy(inlineScriptHashes(pageResource));
  }

  /** The policy of this server's own pages: only its own scripts (and the page's inline ones, by hash). */
  static String pagePolicy(List<String> inlineScriptHashes) {
    StringBuilder scripts = new StringBuilder("'self'");
    inlineScriptHashes.forEach(h -> scripts.append(" '").append(h).append('\''));
    return "default-src 'self'; script-src " + scripts
        + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self';"
        + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  }

  public HttpResponse apply(HttpRequest request, HttpResponse response) {
    List<HttpHeader> add = new ArrayList<>();
    if (request.getUri().path().startsWith("/api/") && response.getHeader("Cache-Control").isEmpty()) {
      add.add(RawHeader.create("Cache-Control", "no-store"));
    }
    String mediaType = response.entity().getContentType().mediaType().toString();
    boolean html = mediaType.equals("text/html");
    boolean script = mediaType.equals("application/javascript") || mediaType.equals("text/javascript");
    boolean css = mediaType.equals("text/css");
    if (html || script || css) {
      if (response.getHeader("Content-Security-Policy").isEmpty()) {
        add.add(RawHeader.create("Content-Security-Policy", html ? pagePolicy : FILE_POLICY));
        if (html) {
          add.add(RawHeader.create("X-Frame-Options", "DENY"));
        }
      }
      if (response.getHeader("Referrer-Policy").isEmpty()) {
        add.add(RawHeader.create("Referrer-Policy", "no-referrer"));
      }
    }
    return add.isEmpty() ? response : response.addHeaders(add);
  }

  /** CSP hashes ({@code sha256-…}) of the inline scripts of a page; none if the page is missing. */
  static List<String> inlineScriptHashes(String resource) {
    List<String> hashes = new ArrayList<>();
    try (InputStream in = SecurityHeaders.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return hashes;
      }
      String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("<script>([\\s\\S]*?)</script>").matcher(page);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      while (m.find()) {
        hashes.add(
            "sha256-"
                + Base64.getEncoder().encodeToString(sha.digest(m.group(1).getBytes(StandardCharsets.UTF_8))));
      }
      return hashes;
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("could not read " + resource, e);
    }
  }
}
