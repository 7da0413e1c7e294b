package dev.parley.edge.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The admin JSON API: authentication, tenant checks, validation with typed errors. */
class AdminApiTest extends ServerTest {

  @Test
  void aWrongPasswordOrUnknownUserIsRefusedAlike() {
    var wrong = server.request("POST", "/api/auth/login", null, Map.of("username", "admin", "password", "nope-nope-nope"));
    var unknown = server.request("POST", "/api/auth/login", null, Map.of("username", "ghost", "password", "nope-nope-nope"));

    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().path("error").path("code").asText()).isEqualTo("invalid-credentials");
    assertThat(unknown.body()).isEqualTo(wrong.body());
  }

  @Test
  void anAdminCreatesASiteAndAnAgentWhoCanLogIn() {
    String site = unique("tea");
    ObjectNode body = WireClient.JSON.createObjectNode().put("id", site).put("name", "Tea House");
    body.putArray("allowedOrigins").add("https://Tea.Example/").add("http://localhost:3000");
    var created = server.request("POST", "/api/sites", adminToken, body);
    var account =
        server.request(
            "POST",
            "/api/sites/" + site + "/accounts",
            adminToken,
            Map.of("username", unique("lin"), "displayName", "Lin", "role", "agent"));
    String password = account.body().path("password").asText();
    var login =
        server.request(
            "POST",
            "/api/auth/login",
            null,
            Map.of("username", account.body().path("account").path("username").asText(), "password", password));

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().path("allowedOrigins").toString())
        .isEqualTo("[\"https://tea.example\",\"http://localhost:3000\"]");
    assertThat(account.status()).isEqualTo(201);
    assertThat(password).hasSizeGreaterThanOrEqualTo(16);
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body().path("sites").get(0).path("siteId").asText()).isEqualTo(site);
    assertThat(login.body().path("sites").get(0).path("role").asText()).isEqualTo("agent");
  }

  @Test
  void anAgentCannotManageAccountsOrCreateSites() {
    String agent = server.createAgent(adminToken, "demo", unique("agent"));

    var createAccount =
        server.request("POST", "/api/sites/demo/accounts", agent, Map.of("username", unique("x"), "role", "admin"));
    var listAccounts = server.request("GET", "/api/sites/demo/accounts", agent, null);
    var createSite = server.request("POST", "/api/sites", agent, Map.of("id", unique("s"), "name", "Mine"));
    var ownSite = server.request("GET", "/api/sites/demo", agent, null);

    assertThat(createAccount.status()).isEqualTo(403);
    assertThat(createAccount.body().path("error").path("code").asText()).isEqualTo("forbidden");
    assertThat(listAccounts.status()).isEqualTo(403);
    assertThat(createSite.status()).isEqualTo(403);
    assertThat(ownSite.status()).isEqualTo(200);
    assertThat(ownSite.body().path("role").asText()).isEqualTo("agent");
  }

  @Test
  void anAdminOfOneSiteCannotSeeOrChangeAnother() {
    String siteA = unique("a");
    server.createSite(adminToken, siteA);
    var admin = server.request(
        "POST", "/api/sites/" + siteA + "/accounts", adminToken,
        Map.of("username", unique("boss"), "role", "admin", "password", "correct horse battery"));
    String otherAdmin =
        server.login(admin.body().path("account").path("username").asText(), "correct horse battery");

    var demo = server.request("GET", "/api/sites/demo", otherAdmin, null);
    var demoAccounts = server.request("GET", "/api/sites/demo/accounts", otherAdmin, null);
    var addToDemo =
        server.request("POST", "/api/sites/demo/accounts", otherAdmin, Map.of("username", unique("spy")));
    var patchDemo = server.request("PATCH", "/api/sites/demo", otherAdmin, Map.of("name", "pwned"));
    var sites = server.request("GET", "/api/sites", otherAdmin, null);

    assertThat(demo.status()).isEqualTo(404);
    assertThat(demoAccounts.status()).isEqualTo(404);
    assertThat(addToDemo.status()).isEqualTo(404);
    assertThat(patchDemo.status()).isEqualTo(404);
    assertThat(server.request("GET", "/api/sites/demo", adminToken, null).body().path("name").asText())
        .isEqualTo("Demo shop");
    assertThat(sites.body().findValuesAsText("id")).containsExactly(siteA);
  }

  @Test
  void invalidInputGetsTypedErrorsAndChangesNothing() {
    var badOrigin = server.request("POST", "/api/sites", adminToken,
        Map.of("id", unique("o"), "name", "X", "allowedOrigins", new String[] {"javascript:alert(1)"}));
    var badId = server.request("POST", "/api/sites", adminToken, Map.of("id", "Not Valid!", "name", "X"));
    var shortPassword = server.request("POST", "/api/sites/demo/accounts", adminToken,
        Map.of("username", unique("p"), "password", "short"));
    var badUsername = server.request("POST", "/api/sites/demo/accounts", adminToken, Map.of("username", "a b"));
    var badRole = server.request("POST", "/api/sites/demo/accounts", adminToken,
        Map.of("username", unique("r"), "role", "root"));
    var notJson = server.request("POST", "/api/sites", adminToken, "{nope");
    String taken = unique("taken");
    server.request("POST", "/api/sites/demo/accounts", adminToken, Map.of("username", taken));
    var duplicate = server.request("POST", "/api/sites/demo/accounts", adminToken, Map.of("username", taken));
    var duplicateSite = server.request("POST", "/api/sites", adminToken, Map.of("id", "demo", "name", "Again"));

    assertThat(badOrigin.status()).isEqualTo(400);
    assertThat(badOrigin.body().path("error").path("field").asText()).isEqualTo("allowedOrigins");
    assertThat(badId.body().path("error").path("field").asText()).isEqualTo("id");
    assertThat(shortPassword.body().path("error").path("field").asText()).isEqualTo("password");
    assertThat(badUsername.body().path("error").path("field").asText()).isEqualTo("username");
    assertThat(badRole.body().path("error").path("field").asText()).isEqualTo("role");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().path("error").path("code").asText()).isEqualTo("invalid-request");
    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.body().path("error").path("code").asText()).isEqualTo("conflict");
    assertThat(duplicateSite.status()).isEqualTo(409);
    assertThat(server.request("GET", "/api/sites/demo", adminToken, null).body().path("name").asText())
        .isEqualTo("Demo shop");
  }

  @Test
  void missingForgedAndRenewedTokens() {
    var none = server.request("GET", "/api/sites", null, null);
    var forged = server.request("GET", "/api/sites", adminToken.substring(0, adminToken.length() - 4) + "AAAA", null);
    var renewed = server.request("POST", "/api/auth/renew", adminToken, null);

    assertThat(none.status()).isEqualTo(401);
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.body().path("error").path("code").asText()).isEqualTo("invalid-token");
    assertThat(renewed.status()).isEqualTo(200);
    String fresh = renewed.body().path("token").asText();
    assertThat(server.request("GET", "/api/sites", fresh, null).status()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndMethodsAnswerInJson() {
    var missing = server.request("GET", "/api/nothing-here", adminToken, null);
    var wrongMethod = server.request("DELETE", "/api/sites", adminToken, null);

    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().path("error").path("code").asText()).isEqualTo("not-found");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.body().path("error").has("code")).isTrue();
  }

  @Test
  void teamQuickRepliesAreReadByAgentsAndChangedByAdminsOnly() {
    String agentToken = server.createAgent(adminToken, "demo", unique("qr"));
    var added =
        server.request(
            "POST", "/api/sites/demo/quick-replies", adminToken,
            Map.of("shortcut", "ship", "text", "Hi {visitor.name}, we ship within 48 hours."));
    assertThat(added.status()).isEqualTo(201);
    String id = added.body().path("id").asText();

    var seen = server.request("GET", "/api/sites/demo/quick-replies", agentToken, null);
    assertThat(seen.status()).isEqualTo(200);
    assertThat(seen.body().findValuesAsText("shortcut")).contains("ship");

    assertThat(
            server.request("POST", "/api/sites/demo/quick-replies", agentToken, Map.of("shortcut", "x", "text", "y"))
                .status())
        .isEqualTo(403);
    var twice =
        server.request("POST", "/api/sites/demo/quick-replies", adminToken, Map.of("shortcut", "ship", "text", "again"));
    assertThat(twice.status()).isEqualTo(409);
    var badShortcut =
        server.request("POST", "/api/sites/demo/quick-replies", adminToken, Map.of("shortcut", "a b", "text", "t"));
    assertThat(badShortcut.body().path("error").path("field").asText()).isEqualTo("shortcut");

    String other = unique("qr-site");
    server.createSite(adminToken, other);
    String outsider = server.createAgent(adminToken, other, unique("qr-out"));
    assertThat(server.request("GET", "/api/sites/demo/quick-replies", outsider, null).status()).isEqualTo(404);
    assertThat(server.request("DELETE", "/api/sites/demo/quick-replies/" + id, outsider, null).status())
        .isEqualTo(404);

    assertThat(server.request("DELETE", "/api/sites/demo/quick-replies/" + id, adminToken, null).status())
        .isEqualTo(200);
    assertThat(server.request("GET", "/api/sites/demo/quick-replies", agentToken, null).body().findValuesAsText("id"))
        .doesNotContain(id);
  }

  @Test
  void repeatedFailedLoginsForOneNameAreThrottledEvenWithTheRightPassword() {
    String username = unique("guess");
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", username).put("role", "agent");
    String password = server.request("POST", "/api/sites/demo/accounts", adminToken, body).body().path("password").asText();

    for (int i = 0; i < 10; i++) {
      assertThat(server.request("POST", "/api/auth/login", null, Map.of("username", username, "password", "wrong-" + i)).status())
          .isEqualTo(401);
    }
    var throttled = server.request("POST", "/api/auth/login", null, Map.of("username", username, "password", password));
    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.body().path("error").path("code").asText()).isEqualTo("rate-limited");
    // Other users are not affected.
    assertThat(server.request("POST", "/api/auth/login", null, Map.of("username", "admin", "password", server.admin().password())).status())
        .isEqualTo(200);
  }
}
