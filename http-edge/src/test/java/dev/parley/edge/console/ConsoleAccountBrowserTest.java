package dev.parley.edge.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Page;
import dev.parley.edge.auth.IdentitySignatures;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Account and site actions of the console in a real headless Chromium against a real server: two-step
 * verification set up at sign-in when a site demands it, turned on and off in My account, a member's reset by the
 * owner, and the identity secret's shop-side snippet, run by Node, signing exactly what the server verifies.
 */
class ConsoleAccountBrowserTest extends ServerTest {

  private static final String PASSWORD = "a long member password";
  private static ConsoleBrowser browser;

  @BeforeAll
  static void startBrowser() throws Exception {
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void closePages() {
    browser.closeContexts();
  }

  @Test
  void aMemberOfASiteThatDemandsTwoStepSetsItUpAtSignInAndCannotTurnItOff() throws Exception {
    String site = unique("strict");
    server.createSite(adminToken, site);
    String owner = member(site, "owner"); // an owner may demand two-step verification once they have it
    String ownerToken = server.login(owner, PASSWORD);
    String ownerSecret = server.request("POST", "/api/auth/2fa/enrol", ownerToken, null).body().path("secret").asText();
    ownerToken = server.request("POST", "/api/auth/2fa/confirm", ownerToken, Map.of("code", ConsoleBrowser.totp(ownerSecret, Instant.now())))
        .body().path("token").asText();
    String member = member(site, "supervisor");
    var demanded = server.request("PATCH", "/api/sites/" + site, ownerToken, Map.of("twoFactorRequired", true));
    assertThat(demanded.status()).as(demanded.body().toString()).isEqualTo(200);
    try {
      memberSetsUpTwoStepAtSignIn(member);
    } finally {
      // The server's admin is a member of every site it made: let it sign in without two-step again.
      assertThat(server.request("PATCH", "/api/sites/" + site, ownerToken, Map.of("twoFactorRequired", false)).status()).isEqualTo(200);
      adminToken = server.adminToken();
    }
  }

  private void memberSetsUpTwoStepAtSignIn(String member) throws Exception {

    Page page = browser.open(server.origin(), "en-US", 1280, 860);
    page.getByLabel("User name").fill(member);
    page.getByLabel("Password").fill(PASSWORD);
    page.locator("button[type=submit]").click();
    assertThat(page.getByTestId("enrol")).containsText("demands two-step verification");
    page.getByTestId("twofactor-start").click();
    String secret = page.getByTestId("twofactor-secret").textContent();
    assertThat(page.locator("img.qr")).isVisible();
    browser.checkPage(page, "signin-enrol");
    page.getByTestId("twofactor-form").getByLabel("Code").fill("000000".equals(ConsoleBrowser.totp(secret, Instant.now())) ? "111111" : "000000");
    page.getByTestId("twofactor-form").locator("button[type=submit]").click(); // a wrong code: refused, still off
    assertThat(page.getByTestId("twofactor-form").locator(".notice.error")).isVisible();
    page.getByTestId("twofactor-form").getByLabel("Code").fill(ConsoleBrowser.totp(secret, Instant.now()));
    page.getByTestId("twofactor-form").locator("button[type=submit]").click();
    assertThat(page.locator("[data-testid=recovery-codes] pre")).containsText("\n");
    assertThat(page.locator("[data-testid=recovery-codes] pre").textContent().strip().split("\n")).hasSize(10);
    browser.checkPage(page, "signin-recovery-codes");
    page.getByTestId("twofactor-continue").click();
    assertThat(page.locator("main[data-page='dashboard'] h1")).hasText("Dashboard");

    ConsoleBrowser.go(page, server.origin(), "account");
    assertThat(page.getByTestId("two-factor")).hasText("On (10 recovery codes left)");
    page.getByTestId("twofactor-off").getByLabel("Current password").fill(PASSWORD);
    page.getByTestId("twofactor-off").locator("button[type=submit]").click();
    assertThat(page.getByTestId("twofactor-off").locator(".notice.error")).isVisible();
    page.reload();
    assertThat(page.getByTestId("two-factor")).hasText("On (10 recovery codes left)");
  }

  @Test
  void anOwnerTurnsTwoStepOnAndOffAndResetsAMembersWhoLostTheirPhone() throws Exception {
    String site = unique("relaxed");
    server.createSite(adminToken, site);
    String owner = member(site, "owner");
    String agent = member(site, "agent");
    String agentToken = server.login(agent, PASSWORD);
    String agentSecret = server.request("POST", "/api/auth/2fa/enrol", agentToken, null).body().path("secret").asText();
    assertThat(server.request("POST", "/api/auth/2fa/confirm", agentToken, Map.of("code", ConsoleBrowser.totp(agentSecret, Instant.now()))).status())
        .isEqualTo(200);

    Page page = browser.open(server.origin(), "en-US", 1280, 860);
    ConsoleBrowser.signIn(page, owner, PASSWORD);
    ConsoleBrowser.go(page, server.origin(), "account");
    assertThat(page.getByTestId("two-factor")).hasText("Off");
    page.getByTestId("twofactor-start").click();
    String secret = page.getByTestId("twofactor-secret").textContent();
    page.getByTestId("twofactor-form").getByLabel("Code").fill(ConsoleBrowser.totp(secret, Instant.now()));
    page.getByTestId("twofactor-form").locator("button[type=submit]").click();
    page.getByTestId("twofactor-continue").click();
    assertThat(page.getByTestId("two-factor")).hasText("On (10 recovery codes left)");
    browser.checkPage(page, "account-two-step-on");
    assertThat(server.request("POST", "/api/auth/login", null, Map.of("username", owner, "password", PASSWORD)).body()
        .path("twoFactorRequired").asBoolean()).isTrue();

    // The agent lost their phone: the owner resets their two-step verification.
    ConsoleBrowser.go(page, server.origin(), "team");
    page.locator("tr[data-username='" + agent + "']").getByTestId("reset-2fa").click();
    assertThat(page.locator(".notice.ok")).containsText("Two-step verification of " + agent + " is off");
    assertThat(page.locator("tr[data-username='" + agent + "'] [data-testid=reset-2fa]")).hasCount(0);
    assertThat(server.request("POST", "/api/auth/login", null, Map.of("username", agent, "password", PASSWORD)).body()
        .path("twoFactorRequired").asBoolean()).isFalse();

    ConsoleBrowser.go(page, server.origin(), "account");
    page.getByTestId("twofactor-off").getByLabel("Current password").fill("not the password");
    page.getByTestId("twofactor-off").locator("button[type=submit]").click();
    assertThat(page.getByTestId("twofactor-off").locator(".notice.error")).isVisible();
    page.getByTestId("twofactor-off").getByLabel("Current password").fill(PASSWORD);
    page.getByTestId("twofactor-off").locator("button[type=submit]").click();
    assertThat(page.getByTestId("two-factor")).hasText("Off");
    assertThat(server.request("POST", "/api/auth/login", null, Map.of("username", owner, "password", PASSWORD)).body()
        .path("token").asText()).isNotEmpty();
  }

  @Test
  void theShopSideSnippetShownWithANewIdentitySecretSignsWhatTheServerVerifies() throws Exception {
    String site = unique("signed");
    server.createSite(adminToken, site);
    String owner = member(site, "owner");
    Page page = browser.open(server.origin(), "zh-CN", 1280, 860);
    ConsoleBrowser.signIn(page, owner, PASSWORD);
    ConsoleBrowser.go(page, server.origin(), "site");
    page.getByTestId("rotate-secret").click(); // confirm() is accepted by the dialog handler
    String secret = page.getByTestId("secret").textContent();
    String snippet = page.locator(".secret pre.code").textContent();
    browser.checkPage(page, "zh-site-secret");

    // Run the snippet as the shop's server would, with a customer's fields filled in.
    Path script = Files.createTempFile("parley-snippet", ".js");
    Files.writeString(script, "const id = 'u-42', name = 'Ann 安', email = 'ann@example.com', expires = 1893456000,"
        + " attributes = { plan: 'gold', city: '杭州' };\n" + snippet + "\nconsole.log(signature);\n");
    Process node = new ProcessBuilder("node", script.toString()).redirectErrorStream(true).start();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(out).isZero();
    Files.delete(script);
    String canonical = IdentitySignatures.canonical("u-42", "Ann 安", "ann@example.com", 1893456000L, Map.of("plan", "gold", "city", "杭州"));
    assertThat(IdentitySignatures.verifyAll(secret, canonical, out)).as("signature %s", out).isTrue();
  }

  /** A member of {@code site} with a known password; returns the user name to sign in with. */
  private static String member(String site, String role) {
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", role + "-" + site).put("role", role).put("password", PASSWORD);
    var r = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, body);
    assertThat(r.status()).as("create %s: %s", role, r.body()).isEqualTo(201);
    return r.body().path("account").path("username").asText();
  }
}
