package dev.parley.edge.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Revocation that ends things at once: a password change or a disable ends the account's live WebSocket with an
 * error frame and voids its old token over HTTP and WebSocket; renewal stops at the session limit (short here).
 */
class RevocationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration MAX_SESSION = Duration.ofSeconds(4);
  private static final String PASSWORD = "correct horse battery";

  private static TestServer server;
  private static String adminToken;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            TestDatabases.freshPostgres(), Map.of("parley.edge.auth.max-session", MAX_SESSION.toMillis() + "ms"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A fresh agent of the demo site: {id, username}. The operator's token is fetched per use (sessions are short). */
  private static JsonNode newAgent() {
    adminToken = server.adminToken();
    var created =
        server.request(
            "POST", "/api/sites/demo/accounts", adminToken,
            Map.of("username", "rv-" + UUID.randomUUID().toString().substring(0, 8), "password", PASSWORD));
    assertThat(created.status()).isEqualTo(201);
    return created.body().path("account");
  }

  private static WireClient connected(String token) {
    WireClient agent = WireClient.connect(server.agentUri(), null);
    agent.send(WireClient.frame("hello").put("token", token));
    agent.awaitType("welcome", WAIT);
    return agent;
  }

  private static void assertEndedWithAccessChanged(WireClient agent) throws Exception {
    JsonNode error = agent.await(f -> "error".equals(f.path("type").asText()), WAIT);
    assertThat(error.path("code").asText()).isEqualTo("invalid-token");
    assertThat(error.path("message").asText()).contains("access changed");
    agent.closedFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(agent.isClosed()).isTrue();
  }

  private static void assertRefusedEverywhere(String oldToken) {
    var http = server.request("GET", "/api/sites", oldToken, null);
    assertThat(http.status()).isEqualTo(401);
    assertThat(http.body().path("error").path("code").asText()).isEqualTo("invalid-token");
    try (WireClient again = WireClient.connect(server.agentUri(), null)) {
      again.send(WireClient.frame("hello").put("token", oldToken));
      JsonNode refused = again.awaitType("error", WAIT);
      assertThat(refused.path("code").asText()).isEqualTo("invalid-token");
      again.roundTrip(WAIT);
      assertThat(again.all()).noneMatch(f -> "welcome".equals(f.path("type").asText()));
    }
  }

  @Test
  void aPasswordChangeEndsTheLiveWebSocketAndTheOldToken() throws Exception {
    JsonNode account = newAgent();
    String token = server.login(account.path("username").asText(), PASSWORD);
    try (WireClient live = connected(token)) {
      var changed =
          server.request(
              "POST", "/api/auth/password", token,
              Map.of("currentPassword", PASSWORD, "newPassword", "another long password"));

      assertThat(changed.status()).isEqualTo(200);
      assertEndedWithAccessChanged(live);
      assertRefusedEverywhere(token);
      String fresh = changed.body().path("token").asText();
      assertThat(server.request("GET", "/api/sites", fresh, null).status()).isEqualTo(200);
      try (WireClient again = connected(fresh)) {
        again.roundTrip(WAIT);
      }
    }
  }

  @Test
  void disablingAnAccountEndsItsLiveWebSocketAndItsTokens() throws Exception {
    JsonNode account = newAgent();
    String token = server.login(account.path("username").asText(), PASSWORD);
    try (WireClient first = connected(token);
        WireClient second = connected(token)) {
      var disabled =
          server.request(
              "PATCH", "/api/sites/demo/accounts/" + account.path("id").asText(), adminToken,
              Map.of("disabled", true));

      assertThat(disabled.status()).isEqualTo(200);
      assertEndedWithAccessChanged(first);
      assertEndedWithAccessChanged(second);
      assertRefusedEverywhere(token);
      var login = server.request(
          "POST", "/api/auth/login", null, Map.of("username", account.path("username").asText(), "password", PASSWORD));
      assertThat(login.status()).isEqualTo(403);
    }
  }

  @Test
  void aRoleChangeEndsTheLiveWebSocket() throws Exception {
    JsonNode account = newAgent();
    String token = server.login(account.path("username").asText(), PASSWORD);
    try (WireClient live = connected(token)) {
      var changed =
          server.request(
              "PATCH", "/api/sites/demo/accounts/" + account.path("id").asText(), adminToken,
              Map.of("role", "supervisor"));

      assertThat(changed.status()).isEqualTo(200);
      assertEndedWithAccessChanged(live);
    }
  }

  @Test
  void renewStopsAtTheSessionLimitAfterThePasswordLogin() {
    JsonNode account = newAgent();
    // auth_time has whole seconds.
    Instant loggedIn = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String token = server.login(account.path("username").asText(), PASSWORD);

    var first = server.request("POST", "/api/auth/renew", token, null);
    assertThat(first.status()).isEqualTo(200);
    assertThat(Instant.parse(first.body().path("expiresAt").asText()))
        .as("no token outlives the session limit")
        .isBefore(loggedIn.plus(MAX_SESSION).plusSeconds(2));

    // Renewing with the renewed token keeps the time of the password login.
    String renewed = first.body().path("token").asText();
    Instant deadline = Instant.now().plus(MAX_SESSION).plus(WAIT);
    TestServer.Response last = first;
    while (Instant.now().isBefore(deadline) && last.status() == 200) {
      last = server.request("POST", "/api/auth/renew", renewed, null);
      if (last.status() == 200) {
        renewed = last.body().path("token").asText();
      }
    }
    assertThat(last.status()).isEqualTo(401);
    assertThat(last.body().path("error").path("code").asText()).isEqualTo("token-expired");
    assertThat(Instant.now()).isAfterOrEqualTo(loggedIn.plus(MAX_SESSION));
    assertThat(server.login(account.path("username").asText(), PASSWORD)).isNotBlank();
  }
}
