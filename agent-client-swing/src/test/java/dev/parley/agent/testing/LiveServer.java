package dev.parley.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parley.agent.core.Json;
import dev.parley.edge.ParleyServer;
import dev.parley.persistence.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * A real Parley server in this JVM on a random port with a fresh H2 database, as http-edge's own tests start it.
 * The client under test talks to it only over HTTP and WebSocket, like any installation.
 */
public final class LiveServer implements AutoCloseable {


  public record Account(String username, String password) {}

  private final ParleyServer server;
  /** Trusts the server's certificate when it serves TLS. */
  private final HttpClient http;

  private LiveServer(ParleyServer server, HttpClient http) {
    this.server = server;
    this.http = http;
  }

  public static LiveServer start() {
    return start(Map.of(), null);
  }

  /**
   * With {@code overrides} on top of the test defaults (e.g. {@code parley.edge.tls.*}), and {@code trust} for the
   * helper's own HTTP calls when the server serves TLS (null: the JVM's).
   */
  public static LiveServer start(Map<String, Object> overrides, javax.net.ssl.SSLContext trust) {
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (trust != null) {
      http.sslContext(trust);
    }
    Config config =
        ConfigFactory.parseMap(overrides)
            .withFallback(ConfigFactory.parseMap(
                Map.of(
                    "parley.edge.port", 0,
                    "pekko.remote.artery.canonical.port", 0,
                    "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
                    "pekko.loglevel", "WARNING",
                    "parley.management.enabled", false,
                    // The scripted visitors all come from 127.0.0.1: lift the per-address limits far above them.
                    "parley.edge.admission.hellos-per-address.burst", 1_000_000,
                    "parley.edge.admission.conversations-per-address.burst", 1_000_000,
                    "parley.edge.admission.max-waiting-per-address", 1_000_000,
                    "parley.edge.admission.sends-per-address.burst", 1_000_000)))
            .withFallback(ConfigFactory.load());
    return new LiveServer(ParleyServer.start(config, TestDatabases.freshPostgres()), http.build());
  }

  public URI base() {
    return URI.create(origin());
  }

  /** The demo site allows the server's own origin: http://127.0.0.1:PORT, or https:// when it serves TLS. */
  public String origin() {
    return server.publicUrl();
  }

  public URI visitorSocket(String siteId) {
    return URI.create(origin().replaceFirst("^http", "ws") + "/ws/visitor?site=" + siteId);
  }

  public Account admin() {
    var c = server.firstStartCredentials().orElseThrow();
    return new Account(c.username(), c.password());
  }

  /** A fresh agent of site {@code demo}, created through the admin API. */
  public Account newAgent(String prefix) {
    String admin = login(admin());
    String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    JsonNode created =
        post("/api/sites/demo/accounts", admin, Map.of("username", username, "role", "agent"), 201);
    return new Account(username, created.path("password").asText());
  }

  /** An admin adds a team quick reply to site {@code demo}, as the admin API documents. */
  public void addTeamQuickReply(String shortcut, String text) {
    post("/api/sites/demo/quick-replies", login(admin()), Map.of("shortcut", shortcut, "text", text), 201);
  }

  /** A new identity secret for site {@code demo}, for signing visitor identities as a shop's backend does. */
  public String newIdentitySecret() {
    return post("/api/sites/demo/identity-secret", login(admin()), Map.of(), 200).path("secret").asText();
  }

  public String login(Account account) {
    return post(
            "/api/auth/login", null, Map.of("username", account.username(), "password", account.password()), 200)
        .path("token")
        .asText();
  }

  private JsonNode post(String path, String token, Map<String, String> body, int expected) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(base().resolve(path))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expected) {
        throw new AssertionError("POST " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return Json.MAPPER.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError("POST " + path + " failed", e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
