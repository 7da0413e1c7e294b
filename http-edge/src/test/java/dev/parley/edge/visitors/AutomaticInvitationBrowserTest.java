package dev.parley.edge.visitors;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.parley.edge.testing.Chromium;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's automatic invitations end to end, in a real headless Chromium against a real node: a site's rule
 * (configured through the API) invites a visitor who stays a second on a pricing page, shown like an agent's
 * invitation under the rule's sender name; the visitor closes it, reloads and opens another pricing page within
 * the rule's cap and is not invited again, while a second visitor arriving later is; that one accepts by replying.
 * The statistics then count two automatic invitations, one accepted and one closed.
 */
class AutomaticInvitationBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String SITE = "demo";

  private static TestServer server;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestDatabases.freshPostgres());
    playwright = Playwright.create();
    browser = Chromium.launch(playwright);
    PlaywrightAssertions.setDefaultAssertionTimeout(WAIT.toMillis());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    server.close();
  }

  private static ObjectNode rule(int capHours) {
    return WireClient.JSON.createObjectNode()
        .put("id", "pricing")
        .put("minSecondsOnPage", 1)
        .put("urlPattern", "*/shop/pricing*")
        .put("senderName", "Jade Tea")
        .put("text", "Questions about our tea plans?")
        .put("capHours", capHours);
  }

  @Test
  void aRuleInvitesOnceAndNotAgainWithinItsCapAndTheStatisticsCountIt() throws Exception {
    String admin = server.adminToken();
    String path = "/api/sites/" + SITE + "/invitation-rules";
    ObjectNode bad = WireClient.JSON.createObjectNode();
    bad.putArray("rules").add(rule(0));
    TestServer.Response refused = server.request("PUT", path, admin, bad);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().path("error").path("field").asText()).isEqualTo("rules[0].capHours");
    String agent = server.createAgent(admin, SITE, "ru-" + UUID.randomUUID().toString().substring(0, 6));
    ObjectNode good = WireClient.JSON.createObjectNode();
    good.putArray("rules").add(rule(24));
    assertThat(server.request("PUT", path, agent, good).status()).isEqualTo(403);
    assertThat(server.request("GET", path, admin, null).body().path("rules")).isEmpty(); // nothing was stored
    TestServer.Response saved = server.request("PUT", path, admin, good);
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    assertThat(server.request("GET", path, agent, null).body().path("rules").get(0).path("urlPattern").asText())
        .isEqualTo("*/shop/pricing*");

    // An agent online, so that the chat is open (with nobody online the panel offers to leave a message instead).
    try (WireClient online = WireClient.connect(server.agentUri(), null);
        BrowserContext first = visitorContext();
        BrowserContext second = visitorContext()) {
      online.send(WireClient.frame("hello").put("token", agent));
      online.awaitType("welcome", WAIT);
      Page a = first.newPage();
      a.navigate(server.origin() + "/shop/index.html");
      awaitWidgetConnected(a);
      a.navigate(server.origin() + "/shop/pricing.html");
      awaitWidgetConnected(a);
      Locator card = a.locator("parley-widget .i");
      assertThat(card).isVisible();
      assertThat(card.locator("strong")).hasText("Jade Tea");
      assertThat(card.locator(".a")).hasText("JT");
      assertThat(card.locator("p")).hasText("Questions about our tea plans?");
      Files.createDirectories(Paths.get("target"));
      a.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "automatic-invitation.png")));
      card.locator(".x").click();
      assertThat(card).isHidden();

      // Within the cap: a reload and another pricing page, each long past the rule's second on the page.
      a.reload();
      awaitWidgetConnected(a);
      a.navigate(server.origin() + "/shop/pricing-teams.html");
      awaitWidgetConnected(a);

      // A visitor arriving after those pages is invited by the same rule: the rule is evaluated all along, and
      // the first visitor's page (older than this one's) would have been invited in the same pass or earlier.
      Page b = second.newPage();
      b.navigate(server.origin() + "/shop/pricing.html");
      awaitWidgetConnected(b);
      Locator other = b.locator("parley-widget .i");
      assertThat(other).isVisible();
      other.locator(".r").click();
      FrameLocator panel = b.frameLocator("parley-widget iframe");
      panel.locator("#pw-input").fill("Yes, which plan has oolong?");
      panel.locator("#pw-input").press("Enter");
      assertThat(panel.locator(".pw-mine[data-seq='1']")).isVisible();

      JsonNode invitations = awaitInvitations(admin, i -> i.path("accepted").asLong() == 1
          && i.path("closed").asLong() == 1);
      assertThat(a.locator("parley-widget .i")).isHidden();
      assertThat(invitations.path("sent").asLong()).isEqualTo(2);
      assertThat(invitations.path("automatic").asLong()).isEqualTo(2);
      assertThat(invitations.path("byAgents").asLong()).isZero();
      assertThat(invitations.path("pending").asLong()).isZero();
    }
  }

  private static BrowserContext visitorContext() {
    BrowserContext context =
        browser.newContext(new Browser.NewContextOptions().setLocale("en-US").setViewportSize(1100, 760));
    context.setDefaultTimeout(WAIT.toMillis());
    String html =
        "<!doctype html><html><head><meta charset='utf-8'><title>Tea plans</title></head><body><h1>Tea plans</h1>"
            + "<script src='/widget.js' data-site='" + SITE + "' async></script></body></html>";
    context.route(
        server.origin() + "/shop/**",
        route -> route.fulfill(
            new Route.FulfillOptions().setStatus(200).setContentType("text/html; charset=utf-8").setBody(html)));
    return context;
  }

  /** The statistics' invitations of today once {@code done} holds (the read side follows the journal). */
  private static JsonNode awaitInvitations(String token, java.util.function.Predicate<JsonNode> done) {
    return server
        .awaitJson("/api/sites/" + SITE + "/statistics?by=total", token, r -> done.test(r.path("invitations")), WAIT)
        .path("invitations");
  }

  /** The panel loads hidden once the page has loaded and says hello: the visitor is online from then on. */
  private static void awaitWidgetConnected(Page page) {
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
    page.frameLocator("parley-widget iframe")
        .locator("#pw-conn[data-state='online']")
        .waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.ATTACHED));
  }
}
