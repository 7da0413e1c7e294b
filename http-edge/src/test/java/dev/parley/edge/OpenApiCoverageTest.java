package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ServerTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document covers every route: {@link RouteCatalog} (the list beside the route tree) equals the served
 * document's operations, every catalogued route is really routed by the running server, and every literal path
 * segment in the route classes' sources is in the catalogue, so a new route cannot hide from all three.
 */
class OpenApiCoverageTest extends ServerTest {

  /** What the router itself answers when no route matches the path (Pekko's default text, as JSON). */
  private static final String NO_ROUTE = "The requested resource could not be found.";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void theDocumentDescribesExactlyTheCataloguedRoutes() {
    JsonNode doc = server.request("GET", "/api/openapi.json", null, null).body();
    Set<String> documented = new TreeSet<>();
    doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
      if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
        documented.add(method.toUpperCase() + " " + path.getKey());
      }
    }));
    assertThat(documented).containsExactlyInAnyOrderElementsOf(RouteCatalog.ENDPOINTS);
  }

  @Test
  void everyCataloguedRouteIsRouted() throws Exception {
    List<String> unrouted = new ArrayList<>();
    for (String endpoint : RouteCatalog.ENDPOINTS) {
      String method = endpoint.substring(0, endpoint.indexOf(' '));
      String path = endpoint.substring(endpoint.indexOf(' ') + 1)
          .replace("{siteId}", "demo").replace("{file}", "app.js").replace("{label}", "vip").replace("{jobId}", "1")
          .replaceAll("\\{[A-Za-z]+}", "x1");
      Answer a = send(method, path);
      if (a.status() == 405 || (a.status() == 404 && a.body().contains(NO_ROUTE))) {
        unrouted.add(endpoint + " -> " + a);
      }
    }
    assertThat(unrouted).isEmpty();
    // The probe tells an unrouted path and method apart.
    assertThat(send("GET", "/api/sites/demo/no-such-thing").body()).contains(NO_ROUTE);
    assertThat(send("DELETE", "/api/sites/demo/statistics").status()).isEqualTo(405);
  }

  @Test
  void everyLiteralPathSegmentOfTheRouteClassesIsCatalogued() throws IOException {
    Set<String> catalogued = new TreeSet<>();
    for (String endpoint : RouteCatalog.ENDPOINTS) {
      catalogued.addAll(Arrays.asList(endpoint.substring(endpoint.indexOf(' ') + 1).split("/")));
    }
    Pattern literal = Pattern.compile("(?:\\bpath|\\bpathPrefix|\\bsegment|\\.slash)\\(\"([^\"]+)\"");
    Set<String> missing = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/parley/edge"))) {
      for (Path file : files.filter(f -> f.toString().endsWith("Routes.java") || f.endsWith("HttpApi.java")).toList()) {
        Matcher m = literal.matcher(Files.readString(file));
        while (m.find()) {
          if (!catalogued.contains(m.group(1))) {
            missing.add(file.getFileName() + ": " + m.group(1));
          }
        }
      }
    }
    assertThat(missing).isEmpty();
    assertThat(catalogued).contains("statistics", "webhooks", "quick-replies");
  }

  record Answer(int status, String body) {}

  private static Answer send(String method, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json");
    b.method(method, method.equals("GET") || method.equals("DELETE")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    String body = r.body();
    return new Answer(r.statusCode(), body.length() > 300 ? body.substring(0, 300) : body);
  }

}
