package dev.parley.edge.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.SecretStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Security headers on pages, scripts and token answers, and tokens that are not valid yet ({@code nbf}). */
class SecurityHeadersTest extends ServerTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpHeaders get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.headers();
  }

  @Test
  void pagesAndScriptsCarryAPolicyAndOnlyThePanelMayBeFramed() throws Exception {
    HttpHeaders page = get("/");
    HttpHeaders loader = get("/widget.js");
    HttpHeaders script = get("/widget/app.js");
    HttpHeaders panel = get("/widget/frame.html?site=demo");

    for (HttpHeaders h : new HttpHeaders[] {page, loader, script, panel}) {
      assertThat(h.firstValue("Content-Security-Policy")).isPresent();
      assertThat(h.firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(h.firstValue("Referrer-Policy")).isPresent();
    }
    assertThat(page.firstValue("Content-Security-Policy").orElseThrow())
        .contains("frame-ancestors 'none'")
        .contains("script-src 'self' 'sha256-");
    assertThat(page.firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(loader.firstValue("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");
    assertThat(panel.firstValue("Content-Security-Policy").orElseThrow())
        .contains("frame-ancestors 'self' " + server.origin());
    assertThat(panel.firstValue("X-Frame-Options")).isEmpty();
  }

  @Test
  void tokenAnswersAreNotStored() throws Exception {
    String body = "{\"username\":\"admin\",\"password\":\"" + server.admin().password() + "\"}";
    HttpResponse<String> login =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void aTokenThatIsNotValidYetIsRefusedOverHttpAndWebSocket() {
    Account admin = server.server().directory().accountByUsername("admin").orElseThrow();
    byte[] secret;
    try (HikariDataSource pool = Databases.configPool(server.storage())) {
      secret = new SecretStore(pool).getOrCreate("token-signing-key");
    }
    Instant later = Instant.now().plus(Duration.ofMinutes(10));
    Instant soon = Instant.now().plusSeconds(10);
    String early = issuedAt(secret, later, admin);
    String withinSkew = issuedAt(secret, soon, admin);

    var http = server.request("GET", "/api/sites", early, null);
    assertThat(http.status()).isEqualTo(401);
    assertThat(http.body().path("error").path("code").asText()).isEqualTo("invalid-token");
    assertThat(server.request("GET", "/api/sites", withinSkew, null).status()).isEqualTo(200);
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", early));
      assertThat(agent.awaitType("error", Duration.ofSeconds(10)).path("code").asText()).isEqualTo("invalid-token");
    }
  }

  private static String issuedAt(byte[] secret, Instant at, Account account) {
    Tokens future =
        new Tokens(secret, Clock.fixed(at, ZoneOffset.UTC), Duration.ofHours(12), Duration.ofDays(1));
    return future
        .issueAgent(new Tokens.AgentClaims(account.id(), account.tokenVersion(), at, Tokens.Scope.FULL))
        .token();
  }
}
