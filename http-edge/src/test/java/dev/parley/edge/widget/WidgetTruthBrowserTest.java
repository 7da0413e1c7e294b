package dev.parley.edge.widget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import dev.parley.edge.testing.Chromium;
import com.microsoft.playwright.BrowserContext;
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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's "truthful widget" in a real headless Chromium against a real server: the site's welcome message,
 * agents named (with initials) when they join, write and hand the chat on, system lines in the visitor's
 * language, and no pre-chat form for a visitor the shop identified. Each test uses its own site, so routing
 * settings do not leak into other tests. Screenshots go to {@code target/}.
 */
class WidgetTruthBrowserTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Playwright playwright;
  private static Browser browser;
  private BrowserContext context;

  @BeforeAll
  static void startBrowser() {
    playwright = Playwright.create();
    browser =
        Chromium.launch(playwright);
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

  @AfterEach
  void closeContext() {
    if (context != null) {
      context.close();
    }
  }

  private void newContext(String locale) {
    context = browser.newContext(new Browser.NewContextOptions().setLocale(locale).setViewportSize(1100, 760));
    context.setDefaultTimeout(WAIT.toMillis());
  }

  @Test
  void theWelcomeMessageShowsAndAgentsAreNamedWhenTheyJoinWriteAndHandTheChatOn() throws Exception {
    newContext("en-US");
    String site = unique("truth");
    server.createSite(adminToken, site);
    Agent lin = agent(site, "Lin Wei");
    Agent wang = agent(site, "Wang Fang");
    setWelcome(site, "Welcome to Jade Tea! Ask us anything."); // routing knows the site's agents from here on
    try (ChatClient first = lin.connect();
        ChatClient second = wang.connect()) {
      Page page = openHost(site, "");
      FrameLocator panel = openPanel(page);
      expect(panel.locator(".pw-greeting .pw-bubble")).hasText("Welcome to Jade Tea! Ask us anything.");

      send(panel, "Do you ship to Hangzhou?");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = conversationOf(panel);
      claim(first, conversation);
      expect(panel.locator(".pw-sys[data-seq='2']")).hasText("Lin Wei joined the chat");
      String said = first.send(conversation, "Yes, in two days.");
      first.awaitState(c -> c.ack(said) != null, WAIT);
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("Yes, in two days.");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-meta .pw-av")).hasText("LW");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-meta")).containsText("Lin Wei");

      String transfer = "transfer-" + UUID.randomUUID();
      first.sendIfConnected(
          WireClient.frame("transfer").put("id", transfer).put("conversationId", conversation).put("toAgent", wang.id));
      first.awaitState(c -> c.ack(transfer) != null, WAIT);
      assertThat(first.ack(transfer).path("type").asText()).isEqualTo("ack");
      expect(panel.locator(".pw-sys[data-seq='4']")).hasText("Lin Wei transferred the chat");
      expect(panel.locator(".pw-sys[data-seq='5']")).hasText("Wang Fang joined the chat");
      // Nothing says "An agent joined" any more, and no system line is drawn as an agent's bubble.
      expect(panel.locator(".pw-sys", new FrameLocator.LocatorOptions().setHasText("An agent"))).hasCount(0);
      assertThat(panel.locator(".pw-theirs .pw-bubble").allTextContents())
          .containsExactly("Welcome to Jade Tea! Ask us anything.", "Yes, in two days.");

      Files.createDirectories(Paths.get("target"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "widget-names-transfer.png")));
    }
  }

  @Test
  void aChineseVisitorReadsTheSystemLinesInChinese() throws Exception {
    newContext("zh-CN");
    String site = unique("truth-zh");
    server.createSite(adminToken, site);
    Agent lin = agent(site, "林伟");
    try (ChatClient first = lin.connect()) {
      Page page = openHost(site, "");
      FrameLocator panel = openPanel(page);
      send(panel, "有茉莉花茶吗？");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      claim(first, conversationOf(panel));
      expect(panel.locator(".pw-sys[data-seq='2']")).hasText("客服 林伟 已接入");
      Files.createDirectories(Paths.get("target"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "widget-names-zh.png")));
    }
  }

  @Test
  void aVisitorTheShopIdentifiedIsNotAskedForNameAndEmailAgain() {
    newContext("en-US");
    String site = unique("truth-id");
    server.createSite(adminToken, site);
    ObjectNode widget = WireClient.JSON.createObjectNode();
    widget.putObject("prechat").put("enabled", true).put("requireEmail", true);
    assertThat(server.request("PATCH", "/api/sites/" + site + "/widget", adminToken, widget).status()).isEqualTo(200);
    // Someone is online: with nobody, the panel offers to leave a message instead (WidgetMailBrowserTest).
    try (ChatClient online = agent(site, "Lin Wei").connect()) {
      Page anonymous = openHost(site, "");
      expect(openPanel(anonymous).locator("#pw-prechat")).isVisible(); // the form is there for a stranger

      String identify =
          "<script>window.Parley = window.Parley || { q: [] };"
              + "Parley.q.push(['identify', { id: 'u-" + UUID.randomUUID() + "', name: 'Han Meimei',"
              + " email: 'han@example.com' }]);</script>";
      Page known = openHost(site, identify);
      FrameLocator panel = openPanel(known);
      expect(panel.locator("#pw-compose")).isVisible();
      expect(panel.locator("#pw-prechat")).isHidden();
    }
  }

  @Test
  void anAgentsNameIsPublicOnlyForAgentsOfTheSite() {
    String site = unique("truth-api");
    server.createSite(adminToken, site);
    Agent lin = agent(site, "Lin Wei");
    String other = unique("truth-other");
    server.createSite(adminToken, other);

    TestServer.Response named = server.request("GET", "/widget/agent?site=" + site + "&id=" + lin.id, null, null);
    TestServer.Response elsewhere = server.request("GET", "/widget/agent?site=" + other + "&id=" + lin.id, null, null);
    TestServer.Response nobody = server.request("GET", "/widget/agent?site=" + site + "&id=nobody", null, null);

    assertThat(named.status()).isEqualTo(200);
    assertThat(named.body().path("name").asText()).isEqualTo("Lin Wei");
    assertThat(elsewhere.status()).isEqualTo(404);
    assertThat(elsewhere.body().path("error").path("code").asText()).isEqualTo("unknown-agent");
    assertThat(nobody.status()).isEqualTo(404);
  }

  // Helpers -------------------------------------------------------------------------------------------------------

  private record Agent(String id, String token) {
    ChatClient connect() {
      ChatClient c = ChatClient.agent(server.agentUri(), token);
      c.awaitState(ChatClient::isReady, WAIT);
      return c;
    }
  }

  private static Agent agent(String site, String displayName) {
    String username = "n-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode body =
        WireClient.JSON.createObjectNode().put("username", username).put("role", "agent").put("displayName", displayName);
    TestServer.Response r = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String token = server.login(r.body().path("account").path("username").asText(), r.body().path("password").asText());
    return new Agent(r.body().path("account").path("id").asText(), token);
  }

  private static void setWelcome(String site, String text) {
    ObjectNode routing = WireClient.JSON.createObjectNode().put("policy", "least-busy").put("welcomeMessage", text);
    TestServer.Response r = server.request("PUT", "/api/sites/" + site + "/routing", adminToken, routing);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  private static void claim(ChatClient agent, String conversation) {
    String claim = agent.claim(conversation);
    agent.awaitState(c -> c.ack(claim) != null, WAIT);
    assertThat(agent.ack(claim).path("type").asText()).isEqualTo("ack");
  }

  private Page openHost(String site, String head) {
    String path = "/test-host-" + UUID.randomUUID() + ".html";
    String html =
        "<!doctype html><html><head><meta charset='utf-8'><title>Test shop</title>" + head
            + "</head><body><h1>Tea shop</h1><script src='/widget.js' data-site='" + site + "' async></script>"
            + "</body></html>";
    context.route(
        server.origin() + path,
        route ->
            route.fulfill(
                new com.microsoft.playwright.Route.FulfillOptions()
                    .setStatus(200)
                    .setContentType("text/html; charset=utf-8")
                    .setBody(html)));
    Page page = context.newPage();
    page.navigate(server.origin() + path);
    page.waitForFunction(
        "() => window.__parleyLoaded === 1 && !!window.Parley.open",
        null,
        new Page.WaitForFunctionOptions().setTimeout(WAIT.toMillis()));
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

  private static String conversationOf(FrameLocator panel) {
    return (String) panel.locator("body").evaluate("() => parleyDebug().conversation");
  }

  private static LocatorAssertions expect(Locator locator) {
    return PlaywrightAssertions.assertThat(locator);
  }
}
