package dev.parley.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parley.edge.ParleyServer;
import dev.parley.edge.auth.FirstStart;
import dev.parley.persistence.config.PersistenceSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A real Parley node on a random port for tests, with helpers for its HTTP API. */
public final class TestServer implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final ParleyServer server;
  private final PersistenceSettings storage;
  /** This server's attachments (the local blob store), deleted when it closes. */
  private final java.nio.file.Path blobs;

  private TestServer(ParleyServer server, PersistenceSettings storage, java.nio.file.Path blobs) {
    this.server = server;
    this.storage = storage;
    this.blobs = blobs;
  }

  public static TestServer start(PersistenceSettings storage) {
    return start(storage, Map.of());
  }

  /**
   * Admission control stays on in tests, with limits far above what one test sends from 127.0.0.1; tests of the
   * limits themselves override these.
   */
  public static final Map<String, Object> GENEROUS_ADMISSION =
      Map.ofEntries(
          Map.entry("parley.edge.admission.max-connections-per-address", 100_000),
          Map.entry("parley.edge.admission.hellos-per-address.burst", 1_000_000),
          Map.entry("parley.edge.admission.conversations-per-address.burst", 1_000_000),
          Map.entry("parley.edge.admission.conversations-per-site.burst", 1_000_000),
          Map.entry("parley.edge.admission.max-waiting-per-address", 1_000_000),
          Map.entry("parley.edge.admission.sends-per-visitor.burst", 1_000_000),
          Map.entry("parley.edge.admission.sends-per-address.burst", 1_000_000),
          Map.entry("parley.edge.admission.identifies-per-visitor.burst", 1_000_000),
          Map.entry("parley.edge.admission.fallback-connections-per-address", 100_000));

  public static TestServer start(PersistenceSettings storage, Map<String, Object> overrides) {
    java.nio.file.Path blobs = blobDirectory();
    Config config =
        ConfigFactory.parseMap(overrides)
            .withFallback(ConfigFactory.parseMap(GENEROUS_ADMISSION))
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of(
                        "parley.edge.port", 0,
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
                        "pekko.loglevel", "WARNING",
                        "parley.management.enabled", false,
                        // Each server's attachments in a directory of its own, not in the module's ./data.
                        "parley.persistence.blobs.dir", blobs.toString())))
            .withFallback(ConfigFactory.load());
    return new TestServer(ParleyServer.start(config, storage), storage, blobs);
  }

  private static java.nio.file.Path blobDirectory() {
    try {
      return java.nio.file.Files.createTempDirectory("parley-blobs");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public ParleyServer server() {
    return server;
  }

  public PersistenceSettings storage() {
    return storage;
  }

  public int port() {
    return server.port();
  }

  /** The origin the demo site allows: this server's own. */
  public String origin() {
    return "http://127.0.0.1:" + port();
  }

  public URI visitorUri(String siteId) {
    return URI.create("ws://127.0.0.1:" + port() + "/ws/visitor?site=" + siteId);
  }

  public URI agentUri() {
    return URI.create("ws://127.0.0.1:" + port() + "/ws/agent");
  }

  public FirstStart.Credentials admin() {
    return server.firstStartCredentials().orElseThrow();
  }

  // HTTP API ------------------------------------------------------------------------------------------------

  public record Response(int status, JsonNode body) {}

  public Response request(String method, String path, String token, Object body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).timeout(Duration.ofSeconds(20));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      String json = body == null ? "" : body instanceof String s ? s : WireClient.JSON.writeValueAsString(body);
      b.header("Content-Type", "application/json");
      b.method(method, json.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
      HttpResponse<String> response = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed =
          response.body().isBlank() ? WireClient.JSON.nullNode() : WireClient.JSON.readTree(response.body());
      return new Response(response.statusCode(), parsed);
    } catch (Exception e) {
      throw new AssertionError("request " + method + " " + path + " failed", e);
    }
  }

  /**
   * Polls {@code GET path} until it answers 200 with a body {@code condition} accepts (read models and other
   * asynchronous results catch up on their own), at most {@code within}; fails with the last answer.
   */
  public JsonNode awaitJson(String path, String token, java.util.function.Predicate<JsonNode> condition, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    Response last = null;
    while (System.nanoTime() < deadline) {
      last = request("GET", path, token, null);
      if (last.status() == 200 && condition.test(last.body())) {
        return last.body();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
    throw new AssertionError("no matching answer for " + path + " within " + within + "; last: " + last);
  }

  /**
   * A request over a plain socket bound to {@code localAddress} (any 127.x.y.z reaches the server), so that the
   * server sees another client address; {@code headers} are added as given (e.g. a forged X-Forwarded-For).
   */
  public Response requestFrom(String localAddress, String method, String path, Object body, Map<String, String> headers) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.bind(new java.net.InetSocketAddress(localAddress, 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port()), 5_000);
      socket.setSoTimeout(20_000);
      byte[] json =
          (body == null ? "" : WireClient.JSON.writeValueAsString(body)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port()).append("\r\n")
          .append("Content-Type: application/json\r\n")
          .append("Content-Length: ").append(json.length).append("\r\n")
          .append("Connection: close\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("\r\n");
      socket.getOutputStream().write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(json);
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      String rest = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      return new Response(status, rest.isBlank() ? WireClient.JSON.nullNode() : WireClient.JSON.readTree(rest));
    } catch (Exception e) {
      throw new AssertionError("request " + method + " " + path + " from " + localAddress + " failed", e);
    }
  }

  /** Logs in and returns the token; fails the test on any other answer. */
  public String login(String username, String password) {
    Response r = request("POST", "/api/auth/login", null, Map.of("username", username, "password", password));
    if (r.status() != 200) {
      throw new AssertionError("login of " + username + " failed: " + r);
    }
    return r.body().path("token").asText();
  }

  public String adminToken() {
    return login(admin().username(), admin().password());
  }

  /** Creates an agent at {@code siteId} through the admin API and returns its token. */
  public String createAgent(String adminToken, String siteId, String username) {
    return createAccount(adminToken, siteId, username, "agent");
  }

  /** Creates an account with {@code role} at {@code siteId} through the admin API and returns its token. */
  public String createAccount(String adminToken, String siteId, String username, String role) {
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", username).put("role", role);
    Response r = request("POST", "/api/sites/" + siteId + "/accounts", adminToken, body);
    if (r.status() != 201) {
      throw new AssertionError("could not create agent " + username + ": " + r);
    }
    return login(username, r.body().path("password").asText());
  }

  /** Creates a site through the admin API, allowing this server's origin. */
  public void createSite(String adminToken, String siteId) {
    ObjectNode body = WireClient.JSON.createObjectNode().put("id", siteId).put("name", "Site " + siteId);
    body.putArray("allowedOrigins").add(origin());
    Response r = request("POST", "/api/sites", adminToken, body);
    if (r.status() != 201) {
      throw new AssertionError("could not create site " + siteId + ": " + r);
    }
  }

  @Override
  public void close() {
    server.close();
    try (var files = java.nio.file.Files.walk(blobs)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("could not delete the test server's blobs " + blobs, e);
    }
  }
}
