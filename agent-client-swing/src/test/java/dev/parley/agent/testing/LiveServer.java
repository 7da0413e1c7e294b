package dev.parley.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parley.agent.core.Json;
import dev.parley.edge.ParleyServer;
import dev.parley.persistence.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

  /** An agent of {@code site} with a known password, created through the API with a manager's token. */
  public Account newAgent(String site, String prefix, String managerToken) {
    String password = "correct horse battery";
    JsonNode created = request("POST", "/api/sites/" + site + "/accounts", managerToken,
        Map.of("username", prefix + "-" + UUID.randomUUID().toString().substring(0, 8), "password", password), 201);
    return new Account(created.path("account").path("username").asText(), password);
  }

  /** Two-factor sign-in turned on through the API with the code of this moment; returns the base32 secret. */
  public String enrolTwoFactor(String token) {
    String secret = request("POST", "/api/auth/2fa/enrol", token, null, 200).path("secret").asText();
    request("POST", "/api/auth/2fa/confirm", token, Map.of("code", AuthenticatorApp.code(secret, Instant.now())), 200);
    return secret;
  }

  /**
   * An agent, without two-factor sign-in, of a new site whose owner (with it, as the server demands) requires it of
   * every member, as SECURITY.md describes; the operator steps out of the site first, leaving it to its owner.
   */
  public Account agentOfASiteRequiringTwoFactor(String prefix) {
    String admin = login(admin());
    String site = "tf-" + UUID.randomUUID().toString().substring(0, 8);
    request("POST", "/api/sites", admin, Map.of("id", site, "name", "Site " + site, "allowedOrigins", List.of(origin())),
        201);
    Account owner = newAgentWithRole(site, "boss", "owner", admin);
    String operatorId = request("GET", "/api/auth/me", admin, null, 200).path("account").path("id").asText();
    request("DELETE", "/api/sites/" + site + "/accounts/" + operatorId, admin, null, 200);
    String ownerToken = login(owner);
    enrolTwoFactor(ownerToken);
    Account agent = newAgent(site, prefix, ownerToken);
    request("PATCH", "/api/sites/" + site, ownerToken, Map.of("twoFactorRequired", true), 200);
    return agent;
  }

  private Account newAgentWithRole(String site, String prefix, String role, String managerToken) {
    String password = "correct horse battery";
    JsonNode created = request("POST", "/api/sites/" + site + "/accounts", managerToken,
        Map.of("username", prefix + "-" + UUID.randomUUID().toString().substring(0, 8), "role", role,
            "password", password), 201);
    return new Account(created.path("account").path("username").asText(), password);
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
    return request("POST", path, token, body, expected);
  }

  /**
   * Any call of the HTTP API, as a shop's backend or an admin's tool makes it: a JSON body (none when null), the
   * status it must answer, and the answer's JSON.
   */
  public JsonNode request(String method, String path, String token, Map<String, ?> body, int expected) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(base().resolve(path))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expected) {
        throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body().isBlank() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(method + " " + path + " interrupted", e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
