package dev.parley.edge.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Login throttling done right: failures are reserved before hashing, per (name, address) and per address, so
 * parallel guesses are not all hashed and nobody is locked out from another address; passwords are hashed on
 * their own small pool (one thread here), whose saturation answers 503 while signed-in admins are still served.
 */
class LoginThrottlingTest {

  private static final String PASSWORD = "correct horse battery";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static TestServer server;
  private static String adminToken;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of("parley.edge.auth.hashing-threads", 1, "parley.edge.auth.hashing-queue", 16));
    adminToken = server.adminToken();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String newAgent() {
    String name = "th-" + UUID.randomUUID().toString().substring(0, 8);
    var created =
        server.request("POST", "/api/sites/demo/accounts", adminToken, Map.of("username", name, "password", PASSWORD));
    assertThat(created.status()).isEqualTo(201);
    return name;
  }

  private static CompletableFuture<HttpResponse<String>> loginAsync(String username, String password) {
    String body = WireClient.JSON.createObjectNode().put("username", username).put("password", password).toString();
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/auth/login"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void parallelGuessesForOneNameAreMostlyRefusedBeforeHashing() {
    String name = newAgent();
    long hashedBefore = server.server().passwordHashing().tasksRun();

    List<CompletableFuture<HttpResponse<String>>> guesses = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      guesses.add(loginAsync(name, "wrong-guess-" + i));
    }
    List<Integer> statuses = guesses.stream().map(f -> f.join().statusCode()).toList();
    long hashed = server.server().passwordHashing().tasksRun() - hashedBefore;

    assertThat(statuses).doesNotContain(200);
    assertThat(statuses.stream().filter(s -> s == 429).count()).isGreaterThanOrEqualTo(50);
    assertThat(hashed).as("guesses hashed").isLessThanOrEqualTo(10);
    assertThat(guesses.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 429).findFirst()
            .orElseThrow().headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void aNameThrottledFromOneAddressStillLogsInFromAnotherAndForwardedForIsNotTrusted() {
    String name = newAgent();
    for (int i = 0; i < 10; i++) {
      assertThat(server.requestFrom("127.0.0.3", "POST", "/api/auth/login",
              Map.of("username", name, "password", "wrong-" + i), Map.of()).status())
          .isEqualTo(401);
    }

    var blocked = server.requestFrom("127.0.0.3", "POST", "/api/auth/login",
        Map.of("username", name, "password", PASSWORD), Map.of());
    var forged = server.requestFrom("127.0.0.3", "POST", "/api/auth/login",
        Map.of("username", name, "password", PASSWORD), Map.of("X-Forwarded-For", "203.0.113.9"));
    var elsewhere = server.requestFrom("127.0.0.4", "POST", "/api/auth/login",
        Map.of("username", name, "password", PASSWORD), Map.of());

    assertThat(blocked.status()).isEqualTo(429);
    assertThat(forged.status()).as("X-Forwarded-For from anyone does not pick the address").isEqualTo(429);
    assertThat(elsewhere.status()).isEqualTo(200);
  }

  @Test
  void changingThePasswordIsThrottledToo() {
    String name = newAgent();
    String token = server.login(name, PASSWORD);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      statuses.add(server.request("POST", "/api/auth/password", token,
          Map.of("currentPassword", "wrong-" + i, "newPassword", "a new long password")).status());
    }
    var right = server.request("POST", "/api/auth/password", token,
        Map.of("currentPassword", PASSWORD, "newPassword", "a new long password"));

    assertThat(statuses.subList(0, 10)).containsOnly(401);
    assertThat(statuses.get(10)).isEqualTo(429);
    assertThat(right.status()).isEqualTo(429);
  }

  @Test
  void aSaturatedHashingPoolAnswers503WhileSignedInAdminsAreServed() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> logins = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      logins.add(loginAsync("nobody-" + UUID.randomUUID(), "some password " + i));
    }
    List<Integer> adminStatuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      adminStatuses.add(server.request("GET", "/api/sites/demo/accounts", adminToken, null).status());
    }
    List<HttpResponse<String>> answers = logins.stream().map(CompletableFuture::join).toList();

    List<HttpResponse<String>> overloaded = answers.stream().filter(r -> r.statusCode() == 503).toList();
    assertThat(overloaded).isNotEmpty();
    assertThat(overloaded.get(0).body()).contains("\"overloaded\"");
    assertThat(overloaded.get(0).headers().firstValue("Retry-After")).isPresent();
    assertThat(answers).allMatch(r -> r.statusCode() == 503 || r.statusCode() == 401);
    assertThat(adminStatuses).containsOnly(200);
  }
}
