package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.edge.testing.TestServer;
import dev.parley.persistence.testing.TestDatabases;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's health and membership endpoints on the management port. */
class ManagementTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aRunningNodeIsAliveReadyAndListsItselfReadOnly() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (TestServer server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of("parley.management.enabled", true, "pekko.management.http.port", port))) {
      String base = "http://127.0.0.1:" + port;
      assertThat(get(base + "/alive").statusCode()).isEqualTo(200);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int ready = get(base + "/ready").statusCode();
      while (ready != 200 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        ready = get(base + "/ready").statusCode();
      }
      assertThat(ready).isEqualTo(200);
      HttpResponse<String> members = get(base + "/cluster/members");
      assertThat(members.statusCode()).isEqualTo(200);
      assertThat(members.body()).contains("\"status\":\"Up\"");
      HttpResponse<String> leave =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/cluster/members"))
                  .PUT(HttpRequest.BodyPublishers.ofString("operation=leave"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(leave.statusCode()).isNotEqualTo(200);
      assertThat(server.server().port()).isPositive();
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
