package dev.parley.edge.visitors;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.parley.edge.testing.Chromium;
import dev.parley.edge.testing.GeoDatabase;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 items 1 and 2 end to end, in a real headless Chromium against a real node with the real city database:
 * a visitor browses three pages of a shop (their address comes through the trusted proxy's X-Forwarded-For), an
 * agent's live list shows them with the pages and the city, the agent invites them, the widget shows the
 * invitation beside the bubble without taking the focus, the visitor replies and they chat.
 */
class VisitorsBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static TestServer server;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of(
                "parley.edge.admission.trusted-proxies", "127.0.0.1",
                "parley.geo.city-database", GeoDatabase.cityPath()));
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

  /** Serves a shop page with the embed snippet at this server's origin (which the demo site allows). */
  private static void shopPage(BrowserContext context, String path, String title) {
    String html =
        "<!doctype html><html><head><meta charset='utf-8'><title>" + title + "</title></head><body>"
            + "<h1>" + title + "</h1><input id='search' placeholder='Search teas'>"
            + "<script src='/widget.js' data-site='demo' async></script></body></html>";
    context.route(
        server.origin() + path + "**", // with or without a query
        route -> route.fulfill(
            new Route.FulfillOptions().setStatus(200).setContentType("text/html; charset=utf-8").setBody(html)));
  }

  @Test
  void aVisitorBrowsingThreePagesIsListedWithPagesAndCityInvitedAndChats() throws Exception {
    String admin = server.adminToken();
    String token = server.createAgent(admin, "demo", "lin-" + UUID.randomUUID().toString().substring(0, 6));
    try (WireClient agent = WireClient.connect(server.agentUri(), null);
        BrowserContext context =
            browser.newContext(
                new Browser.NewContextOptions()
                    .setLocale("en-US")
                    .setViewportSize(1100, 760)
                    .setExtraHTTPHeaders(Map.of("X-Forwarded-For", GeoDatabase.BEIJING)))) {
      agent.send(WireClient.frame("hello").put("token", token));
      String agentName = agent.awaitType("welcome", WAIT).path("displayName").asText();
      agent.send(WireClient.frame("watchVisitors").put("siteId", "demo").put("lang", "en"));
      agent.awaitType("visitors", WAIT);
      context.setDefaultTimeout(WAIT.toMillis());
      shopPage(context, "/shop/index.html", "Tea shop");
      shopPage(context, "/shop/jasmine.html", "Jasmine tea");
      shopPage(context, "/shop/cart.html", "Your cart");

      Page page = context.newPage();
      page.navigate(
          server.origin() + "/shop/index.html?utm_source=newsletter&utm_campaign=spring",
          new Page.NavigateOptions().setReferer("https://www.bing.com/search?q=jasmine+tea"));
      awaitWidgetConnected(page);
      page.navigate(server.origin() + "/shop/jasmine.html");
      awaitWidgetConnected(page);
      page.navigate(server.origin() + "/shop/cart.html");
      awaitWidgetConnected(page);

      JsonNode listed = awaitListed(agent, v -> v.path("pagesSeen").asInt() >= 3
          && v.path("pageTitle").asText().equals("Your cart"));
      assertThat(listed.path("pagesSeen").asInt()).isEqualTo(3);
      assertThat(listed.path("city").asText()).isEqualTo("Beijing");
      assertThat(listed.path("country").asText()).isEqualTo("China");
      assertThat(listed.path("pageUrl").asText()).endsWith("/shop/cart.html");
      assertThat(listed.path("utm").path("campaign").asText()).isEqualTo("spring");
      assertThat(listed.path("searchKeyword").asText()).isEqualTo("jasmine tea");
      String visitorId = listed.path("visitorId").asText();

      // The visitor is typing in the shop's own search box when the invitation comes: it must keep the focus.
      page.locator("#search").click();
      page.locator("#search").pressSequentially("oolo");
      agent.send(
          WireClient.frame("invite").put("id", "inv-1").put("siteId", "demo").put("visitorId", visitorId)
              .put("text", "Hi! Need help choosing a tea?"));
      assertThat(agent.await(f -> "inv-1".equals(f.path("id").asText()), WAIT).path("type").asText()).isEqualTo("ack");
      var card = page.locator("parley-widget .i");
      assertThat(card).isVisible();
      assertThat(card.locator("strong")).hasText(agentName);
      assertThat(card.locator(".a")).hasText(agentName.substring(0, 1).toUpperCase(java.util.Locale.ROOT));
      assertThat(card.locator("p")).hasText("Hi! Need help choosing a tea?");
      page.keyboard().type("ng");
      assertThat(page.locator("#search")).hasValue("oolong");
      Files.createDirectories(Paths.get("target"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "visitors-invitation.png")));

      card.locator(".r").click();
      FrameLocator panel = page.frameLocator("parley-widget iframe");
      assertThat(page.locator("parley-widget iframe")).hasClass("f o");
      assertThat(card).isHidden();
      panel.locator("#pw-input").fill("Yes, something floral please");
      panel.locator("#pw-input").press("Enter");

      JsonNode answered = agent.awaitType("invitationAnswered", WAIT);
      assertThat(answered.path("answer").asText()).isEqualTo("accepted");
      String conversation = answered.path("conversationId").asText();
      // Seq 1 the visitor's reply, 2 the inviting agent joined, 3 the invitation's words as the agent's message.
      assertThat(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("Hi! Need help choosing a tea?");
      agent.send(WireClient.frame("send").put("id", "r1").put("conversationId", conversation)
          .put("text", "Our jasmine pearls are lovely."));
      assertThat(panel.locator(".pw-theirs[data-seq='4'] .pw-bubble")).hasText("Our jasmine pearls are lovely.");
      awaitListed(agent, v -> v.path("visitorId").asText().equals(visitorId) && v.path("chat").asText().equals("chatting"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "visitors-chat.png")));

      // A supervisor's console shows the same visitor live, in English and in Chinese.
      try (BrowserContext console =
          browser.newContext(new Browser.NewContextOptions().setLocale("en-US").setViewportSize(1300, 760))) {
        console.setDefaultTimeout(WAIT.toMillis());
        Page c = console.newPage();
        c.navigate(server.origin() + "/console/");
        c.locator("input[name=username]").fill(server.admin().username());
        c.locator("input[name=password]").fill(server.admin().password());
        c.locator("button[type=submit]").click();
        assertThat(c.locator("main h1")).isVisible();
        c.navigate(server.origin() + "/console/#/visitors");
        var row = c.locator("tr[data-visitor='" + visitorId + "']");
        assertThat(row.locator("[data-testid=pages-seen]")).hasText("3");
        assertThat(row.locator("[data-testid=place]")).containsText("Beijing");
        assertThat(row).containsText("Your cart");
        assertThat(row).containsText("Chatting");
        c.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "console-visitors.png")));
        c.locator("[data-testid=lang]").click();
        assertThat(c.locator("tr[data-visitor='" + visitorId + "'] [data-testid=place]")).containsText("北京");
        assertThat(c.locator("main h1")).hasText("实时访客");
        c.locator("[data-testid=visitors-filter]").fill("nothing-like-this");
        assertThat(c.locator("[data-testid=visitors-total]")).hasText("0 人在线");
        c.locator("[data-testid=visitors-filter]").fill("cart");
        assertThat(c.locator("tr[data-visitor='" + visitorId + "']")).isVisible();
        c.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "console-visitors-zh.png")));
      }
    }
  }

  /** The panel loads hidden once the page has loaded and says hello: the visitor is online from then on. */
  private static void awaitWidgetConnected(Page page) {
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
    try {
      page.frameLocator("parley-widget iframe").locator("#pw-conn[data-state='online']").waitFor(
          new com.microsoft.playwright.Locator.WaitForOptions()
              .setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
    } catch (RuntimeException e) {
      Object frames = page.evaluate("() => document.querySelector('parley-widget').shadowRoot.innerHTML.slice(0, 800)");
      String debug =
          page.frames().stream()
              .filter(f -> f.url().contains("/widget/frame.html"))
              .map(f -> String.valueOf(f.evaluate("() => JSON.stringify(window.parleyDebug && parleyDebug()) + ' '"
                  + " + document.getElementById('pw-conn').outerHTML")))
              .toList()
              .toString();
      throw new AssertionError("the panel never came online on " + page.url() + ": " + debug + "; " + frames, e);
    }
  }

  /** The newest listed state of a visitor matching {@code match} in the agent's frames. */
  private static JsonNode awaitListed(WireClient agent, java.util.function.Predicate<JsonNode> match) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonNode> frames = agent.all();
      for (int i = frames.size() - 1; i >= 0; i--) {
        JsonNode f = frames.get(i);
        for (JsonNode v : f.path("type").asText().equals("visitors") ? f.path("visitors") : f.path("upserted")) {
          if (match.test(v)) {
            return v;
          }
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new AssertionError("no listed visitor matched; frames: " + agent.all());
  }
}
