package dev.parley.edge.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The account lifecycle of the admin API (docs/OPERATIONS.md): disable, re-enable, re-role, reset, delete, with
 * tenant isolation, role ranks, the last-owner rule, who creates sites, and user names that neither collide
 * across tenants nor look alike.
 */
class AccountLifecycleTest extends ServerTest {

  private static final String PASSWORD = "correct horse battery";

  /** A tenant: a site created by the operator, with a tenant owner (not an operator) signed in. */
  private record Tenant(String siteId, String ownerId, String ownerName, String ownerToken) {}

  private static Tenant tenant() {
    String site = unique("t");
    server.createSite(adminToken, site);
    JsonNode owner = create(adminToken, site, unique("boss"), "owner", PASSWORD);
    String name = owner.path("account").path("username").asText();
    return new Tenant(site, owner.path("account").path("id").asText(), name, server.login(name, PASSWORD));
  }

  private static JsonNode create(String token, String site, String username, String role, String password) {
    var r =
        server.request(
            "POST", "/api/sites/" + site + "/accounts", token,
            Map.of("username", username, "role", role, "password", password));
    assertThat(r.status()).as("create %s: %s", username, r.body()).isEqualTo(201);
    return r.body();
  }

  private static TestServer.Response login(String username, String password) {
    return server.request("POST", "/api/auth/login", null, Map.of("username", username, "password", password));
  }

  private static String code(TestServer.Response r) {
    return r.body().path("error").path("code").asText();
  }

  private static String accountPath(String site, String accountId) {
    return "/api/sites/" + site + "/accounts/" + accountId;
  }

  @Test
  void anOwnerDisablesReEnablesReRolesResetsAndDeletesAnAccount() {
    Tenant t = tenant();
    JsonNode lin = create(t.ownerToken(), t.siteId(), "lin", "agent", PASSWORD);
    String id = lin.path("account").path("id").asText();
    String name = lin.path("account").path("username").asText();
    String path = accountPath(t.siteId(), id);

    var disabled = server.request("PATCH", path, t.ownerToken(), Map.of("disabled", true));
    var loginWhileDisabled = login(name, PASSWORD);
    var enabled = server.request("PATCH", path, t.ownerToken(), Map.of("disabled", false));
    var loginWhileEnabled = login(name, PASSWORD);
    var reRoled = server.request("PATCH", path, t.ownerToken(), Map.of("role", "supervisor"));
    var reset = server.request("POST", path + "/reset-password", t.ownerToken(), null);
    String generated = reset.body().path("password").asText();
    var oldPassword = login(name, PASSWORD);
    var newPassword = login(name, generated);
    var deleted = server.request("DELETE", path, t.ownerToken(), null);

    assertThat(disabled.status()).isEqualTo(200);
    assertThat(disabled.body().path("disabled").asBoolean()).isTrue();
    assertThat(loginWhileDisabled.status()).isEqualTo(403);
    assertThat(code(loginWhileDisabled)).isEqualTo("account-disabled");
    assertThat(enabled.body().path("disabled").asBoolean()).isFalse();
    assertThat(loginWhileEnabled.status()).isEqualTo(200);
    assertThat(reRoled.body().path("role").asText()).isEqualTo("supervisor");
    assertThat(reset.status()).isEqualTo(200);
    assertThat(generated).hasSizeGreaterThanOrEqualTo(16);
    assertThat(oldPassword.status()).isEqualTo(401);
    assertThat(newPassword.status()).isEqualTo(200);
    assertThat(newPassword.body().path("sites").get(0).path("role").asText()).isEqualTo("supervisor");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(login(name, generated).status()).isEqualTo(401);
    assertThat(server.request("GET", path, t.ownerToken(), null).status()).isEqualTo(404);
    assertThat(server.request("GET", "/api/sites/" + t.siteId() + "/accounts", t.ownerToken(), null)
            .body().findValuesAsText("id"))
        .doesNotContain(id);
  }

  @Test
  void anotherSitesAdminGets404AndAnAgent403() {
    Tenant mine = tenant();
    Tenant other = tenant();
    JsonNode agent = create(mine.ownerToken(), mine.siteId(), "gus", "agent", PASSWORD);
    String agentId = agent.path("account").path("id").asText();
    String agentToken = server.login(agent.path("account").path("username").asText(), PASSWORD);
    String supervisorName =
        create(mine.ownerToken(), mine.siteId(), "sue", "supervisor", PASSWORD).path("account").path("username").asText();
    String supervisorToken = server.login(supervisorName, PASSWORD);

    var viaMySite = server.request("PATCH", accountPath(mine.siteId(), agentId), other.ownerToken(), Map.of("disabled", true));
    var viaTheirSite = server.request("PATCH", accountPath(other.siteId(), agentId), other.ownerToken(), Map.of("disabled", true));
    var deleteViaTheirSite = server.request("DELETE", accountPath(other.siteId(), agentId), other.ownerToken(), null);
    var resetViaTheirSite = server.request("POST", accountPath(other.siteId(), agentId) + "/reset-password", other.ownerToken(), null);
    var byAgent = server.request("PATCH", accountPath(mine.siteId(), mine.ownerId()), agentToken, Map.of("disabled", true));
    var bySupervisor = server.request("DELETE", accountPath(mine.siteId(), agentId), supervisorToken, null);
    var widgetBySupervisor = server.request("PATCH", "/api/sites/" + mine.siteId() + "/widget", supervisorToken, Map.of("color", "#000000"));
    var listByAgent = server.request("GET", "/api/sites/" + mine.siteId() + "/accounts", agentToken, null);

    assertThat(viaMySite.status()).isEqualTo(404);
    assertThat(viaTheirSite.status()).isEqualTo(404);
    assertThat(deleteViaTheirSite.status()).isEqualTo(404);
    assertThat(resetViaTheirSite.status()).isEqualTo(404);
    assertThat(byAgent.status()).isEqualTo(403);
    assertThat(bySupervisor.status()).isEqualTo(403);
    assertThat(widgetBySupervisor.status()).isEqualTo(403);
    assertThat(listByAgent.status()).isEqualTo(403);
    assertThat(login(agent.path("account").path("username").asText(), PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void theLastOwnerCannotBeRemovedDemotedOrDisabledAndAdminsCannotTouchOwners() {
    Tenant t = tenant();
    String operatorId =
        server.server().directory().accountByUsername("admin").orElseThrow().id();
    // The operator created the site and owns it too; it steps out, leaving the tenant's owner as the last one.
    assertThat(server.request("DELETE", accountPath(t.siteId(), operatorId), adminToken, null).status()).isEqualTo(200);
    // Leaving a site is an access change: the operator's tokens ended with it.
    assertThat(server.request("GET", "/api/sites", adminToken, null).status()).isEqualTo(401);
    adminToken = server.adminToken();
    String self = accountPath(t.siteId(), t.ownerId());
    JsonNode admin = create(t.ownerToken(), t.siteId(), "adm", "admin", PASSWORD);
    String adminToken2 = server.login(admin.path("account").path("username").asText(), PASSWORD);

    var demote = server.request("PATCH", self, t.ownerToken(), Map.of("role", "admin"));
    var disable = server.request("PATCH", self, t.ownerToken(), Map.of("disabled", true));
    var delete = server.request("DELETE", self, t.ownerToken(), null);
    var adminDemotesOwner = server.request("PATCH", self, adminToken2, Map.of("role", "agent"));
    var adminCreatesOwner =
        server.request("POST", "/api/sites/" + t.siteId() + "/accounts", adminToken2,
            Map.of("username", "second", "role", "owner"));
    var adminPromotesItself =
        server.request("PATCH", accountPath(t.siteId(), admin.path("account").path("id").asText()), adminToken2,
            Map.of("role", "owner"));

    assertThat(demote.status()).isEqualTo(409);
    assertThat(code(demote)).isEqualTo("last-owner");
    assertThat(disable.status()).isEqualTo(409);
    assertThat(delete.status()).isEqualTo(409);
    assertThat(adminDemotesOwner.status()).isEqualTo(403);
    assertThat(adminCreatesOwner.status()).isEqualTo(403);
    assertThat(adminPromotesItself.status()).isEqualTo(403);
    assertThat(login(t.ownerName(), PASSWORD).body().path("sites").get(0).path("role").asText()).isEqualTo("owner");

    create(t.ownerToken(), t.siteId(), "coowner", "owner", PASSWORD);
    var demoteNow = server.request("PATCH", self, t.ownerToken(), Map.of("role", "admin"));
    assertThat(demoteNow.status()).isEqualTo(200);
    assertThat(demoteNow.body().path("role").asText()).isEqualTo("admin");
  }

  @Test
  void onlyOperatorsCreateSitesAndTenantsCannotTouchTheOperator() {
    Tenant t = tenant();
    String operatorId = server.server().directory().accountByUsername("admin").orElseThrow().id();

    var byTenant = server.request("POST", "/api/sites", t.ownerToken(), Map.of("id", unique("mine"), "name", "Mine"));
    var disableOperator =
        server.request("PATCH", accountPath(t.siteId(), operatorId), t.ownerToken(), Map.of("disabled", true));
    var resetOperator =
        server.request("POST", accountPath(t.siteId(), operatorId) + "/reset-password", t.ownerToken(), null);

    assertThat(byTenant.status()).isEqualTo(403);
    assertThat(disableOperator.status()).isEqualTo(403);
    assertThat(resetOperator.status()).isEqualTo(403);
    assertThat(server.request("GET", "/api/sites", adminToken, null).status()).isEqualTo(200);
  }

  @Test
  void tenantsNameAccountsInTheirOwnNamespaceWithoutLookAlikes() {
    Tenant one = tenant();
    Tenant two = tenant();

    JsonNode linOne = create(one.ownerToken(), one.siteId(), "lin", "agent", PASSWORD);
    var linTwo = server.request("POST", "/api/sites/" + two.siteId() + "/accounts", two.ownerToken(),
        Map.of("username", "lin", "password", PASSWORD));
    var adminTwo = server.request("POST", "/api/sites/" + two.siteId() + "/accounts", two.ownerToken(),
        Map.of("username", "admin"));
    var upper = server.request("POST", "/api/sites/" + two.siteId() + "/accounts", two.ownerToken(),
        Map.of("username", "LIN"));
    var fullWidth = server.request("POST", "/api/sites/" + two.siteId() + "/accounts", two.ownerToken(),
        Map.of("username", "ｌｉｎ"));
    var operatorLookAlike = server.request("POST", "/api/sites/demo/accounts", adminToken, Map.of("username", "ADMIN"));
    var cyrillic = server.request("POST", "/api/sites/" + two.siteId() + "/accounts", two.ownerToken(),
        Map.of("username", "аdmin"));

    assertThat(linOne.path("account").path("username").asText()).isEqualTo("lin@" + one.siteId());
    assertThat(linTwo.status()).as("another tenant's name is no conflict: nothing to learn").isEqualTo(201);
    assertThat(linTwo.body().path("account").path("username").asText()).isEqualTo("lin@" + two.siteId());
    assertThat(adminTwo.status()).isEqualTo(201);
    assertThat(adminTwo.body().path("account").path("username").asText()).isEqualTo("admin@" + two.siteId());
    assertThat(upper.status()).isEqualTo(409);
    assertThat(fullWidth.status()).isEqualTo(409);
    assertThat(operatorLookAlike.status()).isEqualTo(409);
    assertThat(cyrillic.status()).as("only ASCII remains after NFKC").isEqualTo(400);
    assertThat(login(("LIN@" + two.siteId()).toUpperCase(), PASSWORD).status()).isEqualTo(200);
  }
}
