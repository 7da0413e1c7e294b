package dev.parley.edge.widget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import dev.parley.edge.testing.Chromium;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.ConsoleMessage;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's "reach", in a real headless Chromium against a real server: a shop page on another origin whose
 * browser has no Shadow DOM, fetch, URL or URLSearchParams still chats; a page whose origin the site does not
 * allow shows nothing and says why in the console; a widget that fell back to SSE while WebSockets failed goes
 * back to WebSocket once they work again. Screenshots go to {@code target/}.
 */
class WidgetReachBrowserTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  /** The first probe comes 10 s after the fallback's welcome (connection.js): room for it and the reconnect. */
  private static final Duration BACK_TO_WEBSOCKET = Duration.ofSeconds(40);
  private static final String SHOP = "http://shop.example";

  private static Playwright playwright;
  private static Browser browser;
  private BrowserContext context;

  @BeforeAll
  static void startBrowser() {
    playwright = Playwright.create();
    // The shop's pages are made up (shop.example) but the server is on loopback: a real shop and its Parley
    // server are both public. Chromium would ask the person first.
    browser =
        Chromium.launch(playwright, "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests");
    PlaywrightAssertions.setDefaultAssertionTimeout(WAIT.toMillis());
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
  }

  @BeforeEach
  void newContext() {
    context = browser.newContext(new Browser.NewContextOptions().setLocale("en-US").setViewportSize(1100, 760));
    context.setDefaultTimeout(WAIT.toMillis());
    context.onRequestFailed(r -> System.out.println("request failed: " + r.url() + " " + r.failure()));
  }

  @AfterEach
  void closeContext() {
    context.close();
  }

  @Test
  void aShopPageWithoutShadowDomFetchAndUrlStillChats() throws Exception {
    String site = siteAllowing(SHOP);
    // As in an old browser: in the shop's page and in the panel's frame alike.
    context.addInitScript(
        "delete Element.prototype.attachShadow; delete window.fetch; window.fetch = undefined;"
            + " window.URL = undefined; window.URLSearchParams = undefined; window.AbortController = undefined;");
    try (ChatClient agent = agent(site)) {
      Page page = openHost(SHOP + "/old-browser-" + UUID.randomUUID() + ".html", site);
      assertThat(page.evaluate("() => typeof fetch + typeof URL + typeof Element.prototype.attachShadow"))
          .isEqualTo("undefinedundefinedundefined");
      FrameLocator panel = openPanel(page);
      assertThat(page.evaluate("() => document.querySelector('parley-widget').shadowRoot === null")).isEqualTo(true);
      assertThat(panel.locator("body").evaluate("() => typeof fetch + typeof URL")).isEqualTo("undefinedundefined");

      send(panel, "Can I pay on delivery?");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = (String) panel.locator("body").evaluate("() => parleyDebug().conversation");
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String said = agent.send(conversation, "Yes, cash or card.");
      agent.awaitState(c -> c.ack(said) != null, WAIT);
      expect(panel.locator(".pw-theirs .pw-bubble").last()).hasText("Yes, cash or card.");
      send(panel, "Thanks!");
      agent.awaitState(c -> visitorTexts(c.timeline(conversation)).contains("Thanks!"), WAIT);
      assertThat(visitorTexts(agent.timeline(conversation))).containsExactly("Can I pay on delivery?", "Thanks!");
      screenshot(page, "widget-old-browser.png");
    }
  }

  @Test
  void aPageWhoseOriginIsNotAllowedShowsNothingAndSaysWhyInTheConsole() throws Exception {
    String site = siteAllowing(SHOP);
    List<String> warnings = new CopyOnWriteArrayList<>();
    context.onConsoleMessage(
        (ConsoleMessage m) -> {
          if (m.type().equals("warning")) {
            warnings.add(m.text());
          }
        });
    Page page = context.newPage();
    route("http://elsewhere.example/page.html", site);
    page.navigate("http://elsewhere.example/page.html");
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
    page.waitForCondition(() -> warnings.stream().anyMatch(w -> w.contains("not among the site's allowed origins")));
    assertThat(String.join("\n", warnings)).contains(site).contains("http://elsewhere.example");

    page.evaluate("() => Parley.open()"); // the shop's own code cannot make it appear either
    assertThat(page.locator("parley-widget").count()).isZero();
    assertThat(page.locator("iframe").count()).isZero();
    screenshot(page, "widget-origin-not-allowed.png");

    TestServer.Response answer = server.request("GET", "/widget/allowed?site=" + site, null, null);
    assertThat(answer.body().path("allowed").asBoolean()).isTrue(); // no Origin: this server's own pages
  }

  @Test
  void aWidgetThatFellBackToSseReturnsToWebSocketOnceItWorksAgain() throws Exception {
    String site = siteAllowing(SHOP);
    // A proxy that kills every WebSocket upgrade until the test lets them through (window.__wsBlocked = false).
    context.addInitScript(
        "(() => { const Real = window.WebSocket; window.__wsBlocked = true;"
            + " window.WebSocket = function (u, p) {"
            + "   if (window.__wsBlocked) { const s = { readyState: 3, send() {}, close() {} };"
            + "     setTimeout(() => s.onerror && s.onerror(new Event('error')), 5); return s; }"
            + "   return p === undefined ? new Real(u) : new Real(u, p); }; })();");
    try (ChatClient agent = agent(site)) {
      Page page = openHost(server.origin() + "/reach-" + UUID.randomUUID() + ".html", site);
      FrameLocator panel = openPanel(page);
      assertThat(panel.locator("body").evaluate("() => parleyDebug().transport")).isEqualTo("sse");
      send(panel, "Hello from behind a proxy");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = (String) panel.locator("body").evaluate("() => parleyDebug().conversation");

      panel.locator("body").evaluate("() => { window.__wsBlocked = false; }"); // the proxy is fixed
      panel
          .locator("body")
          .page()
          .waitForCondition(
              () -> "ws".equals(panel.locator("body").evaluate("() => parleyDebug().transport")),
              new Page.WaitForConditionOptions().setTimeout(BACK_TO_WEBSOCKET.toMillis()));
      expect(panel.locator("#pw-conn")).hasAttribute("data-state", "online");

      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String said = agent.send(conversation, "Welcome back to WebSocket.");
      agent.awaitState(c -> c.ack(said) != null, WAIT);
      expect(panel.locator(".pw-theirs .pw-bubble").last()).hasText("Welcome back to WebSocket.");
      send(panel, "Over WebSocket now");
      agent.awaitState(c -> visitorTexts(c.timeline(conversation)).contains("Over WebSocket now"), WAIT);
      assertThat(visitorTexts(agent.timeline(conversation)))
          .containsExactly("Hello from behind a proxy", "Over WebSocket now");
      assertThat(String.valueOf(panel.locator("body").evaluate(
              "s => localStorage.getItem('parley:' + s + ':transport')", site)))
          .doesNotContain("sse");
    }
  }

  // Helpers -------------------------------------------------------------------------------------------------------

  private static String siteAllowing(String origin) {
    String site = unique("reach");
    ObjectNode body = WireClient.JSON.createObjectNode().put("id", site).put("name", "Reach " + site);
    body.putArray("allowedOrigins").add(origin);
    TestServer.Response r = server.request("POST", "/api/sites", adminToken, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return site;
  }

  private static ChatClient agent(String site) {
    ObjectNode body =
        WireClient.JSON.createObjectNode()
            .put("username", "r-" + UUID.randomUUID().toString().substring(0, 8))
            .put("role", "agent")
            .put("displayName", "Lin Wei");
    TestServer.Response r = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String token = server.login(r.body().path("account").path("username").asText(), r.body().path("password").asText());
    ChatClient c = ChatClient.agent(server.agentUri(), token);
    c.awaitState(ChatClient::isReady, WAIT);
    return c;
  }

  private void route(String url, String site) {
    String html =
        "<!doctype html><html><head><meta charset='utf-8'><title>Tea shop</title></head><body><h1>Tea shop</h1>"
            + "<script src='" + server.origin() + "/widget.js' data-site='" + site + "' async></script></body></html>";
    context.route(
        url,
        route ->
            route.fulfill(
                new com.microsoft.playwright.Route.FulfillOptions()
                    .setStatus(200)
                    .setContentType("text/html; charset=utf-8")
                    .setBody(html)));
  }

  private Page openHost(String url, String site) {
    route(url, site);
    Page page = context.newPage();
    page.navigate(url);
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
    return page;
  }

  private static FrameLocator openPanel(Page page) {
    page.locator("parley-widget button.b").click();
    FrameLocator panel = page.frameLocator("parley-widget iframe");
    expect(panel.locator(".pw-head")).isVisible();
    expect(panel.locator("#pw-conn")).hasAttribute("data-state", "online");
    return panel;
  }

  private static void send(FrameLocator panel, String text) {
    panel.locator("#pw-input").fill(text);
    panel.locator("#pw-input").press("Enter");
  }

  private static List<String> visitorTexts(List<JsonNode> timeline) {
    List<String> texts = new ArrayList<>();
    for (JsonNode e : timeline) {
      if ("message".equals(e.path("kind").asText()) && "visitor".equals(e.path("author").path("role").asText())) {
        texts.add(e.path("text").asText());
      }
    }
    return texts;
  }

  private static void screenshot(Page page, String name) throws Exception {
    Files.createDirectories(Paths.get("target"));
    page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", name)));
  }

  private static LocatorAssertions expect(Locator locator) {
    return PlaywrightAssertions.assertThat(locator);
  }
}
