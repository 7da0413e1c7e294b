// Over 600 lines: every test drives the real widget in one headless Chromium against one server, which is
// started once for the class (each start costs seconds); the tests share the page helpers below.
package dev.parley.edge.widget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import dev.parley.edge.testing.Chromium;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.WebSocketRoute;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.parley.edge.auth.IdentitySignatures;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The visitor widget in a real headless Chromium against a real server: the loader on a host page, the panel in
 * its iframe, an agent scripted over the wire protocol. One browser for the class, a fresh context (cookies,
 * storage, network state) per test. Host pages are served at the server's own origin (which the demo site
 * allows) by routing their addresses in the browser.
 *
 * <p>Longer than the house's ~600 lines on purpose: every test is one scenario a visitor lives through in the
 * browser, and they share one Chromium and one server, which take far longer to start than any test runs.
 */
class WidgetBrowserTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final double WAIT_MS = WAIT.toMillis();

  private static Playwright playwright;
  private static Browser browser;

  private BrowserContext context;
  private final List<String> dialogs = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startBrowser() {
    playwright = Playwright.create();
    browser =
        Chromium.launch(playwright, "--disable-quic");
    PlaywrightAssertions.setDefaultAssertionTimeout(WAIT_MS);
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

  /** Agents kept online for a test: with nobody online the panel offers to leave a message instead of the chat. */
  private final List<ChatClient> online = new ArrayList<>();

  @BeforeEach
  void newContext() {
    context = browser.newContext(new Browser.NewContextOptions().setLocale("en-US").setViewportSize(1100, 760));
    context.setDefaultTimeout(WAIT_MS);
    keepOnline("demo");
  }

  private void keepOnline(String site) {
    String token = server.createAgent(adminToken, site, "on-" + UUID.randomUUID().toString().substring(0, 8));
    ChatClient agent = ChatClient.agent(server.agentUri(), token);
    agent.awaitState(ChatClient::isReady, WAIT);
    online.add(agent);
  }

  @AfterEach
  void closeContext() {
    online.forEach(ChatClient::close);
    online.clear();
    context.close();
  }

  // Tests ---------------------------------------------------------------------------------------------------------

  @Test
  void visitorAndAgentTalkBothWaysWithTypingReadReceiptsAndUnreadBadge() throws Exception {
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      expect(panel.locator("#pw-conn")).hasAttribute("data-state", "online");

      send(panel, "Hello from the browser");
      expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("Hello from the browser");
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      expect(panel.locator(".pw-sys")).hasText(Pattern.compile("^w-\\w+ joined the chat$")); // the agent's name

      // The visitor types: the agent sees it.
      panel.locator("#pw-input").pressSequentially("Still th");
      agent.awaitState(c -> hasTyping(c.typingFrames(), "visitor", true), WAIT);
      // The agent types: the visitor sees it, until the agent's message replaces it.
      agent.sendIfConnected(WireClient.frame("typing").put("conversationId", conversation).put("typing", true));
      expect(panel.locator("#pw-typing")).isVisible();
      expect(panel.locator("#pw-typing")).hasText("Agent is typing…");
      agentSays(agent, conversation, "Hi! How can I help?");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("Hi! How can I help?");
      expect(panel.locator("#pw-typing")).isHidden();

      // The open panel reads the agent's message; the agent's read mark shows on the visitor's message.
      agent.awaitState(c -> readBy(c.readFrames(), "visitor") >= 3, WAIT);
      agent.sendIfConnected(WireClient.frame("read").put("conversationId", conversation).put("seq", 1));
      expect(panel.locator(".pw-mine[data-seq='1']")).hasAttribute("data-state", "read");
      expect(panel.locator(".pw-mine[data-seq='1'] .pw-state")).hasText("Read");

      Files.createDirectories(Paths.get("target"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "widget-open.png")));

      // Closed panel: an agent message raises the badge, blinks the title and reaches Parley.on('message').
      page.evaluate("() => { window.got = []; Parley.on('message', m => window.got.push(m.text)); }");
      page.locator("parley-widget button.b").click();
      expect(page.locator("parley-widget iframe")).not().hasClass("f o");
      agentSays(agent, conversation, "Anything else?");
      expect(page.locator("parley-widget .n")).hasText("1");
      page.waitForFunction("() => document.title.startsWith('(1) ')", null, waitOptions());
      page.waitForFunction("() => window.got.includes('Anything else?')", null, waitOptions());
      page.locator("parley-widget button.b").click();
      expect(page.locator("parley-widget .n")).isHidden();
      page.waitForFunction("() => document.title === 'Test shop'", null, waitOptions());
      assertThat(dialogs).isEmpty();
    }
  }

  @Test
  void messagesWrittenOfflineSurviveAReloadAndArriveOnceInOrder() {
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "hello");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      expect(panel.locator(".pw-sys")).isVisible();

      context.setOffline(true);
      expect(panel.locator("#pw-conn")).hasAttribute("data-state", "offline");
      agentSays(agent, conversation, "Are you still there?");
      for (String text : List.of("one", "two", "three")) {
        send(panel, text);
      }
      expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(3);
      assertThat(panel.locator("body").evaluate("() => parleyDebug().outbox")).isEqualTo(3);

      // A new page in the same browser profile, as after a reload or a restart; the network comes back.
      page.close();
      context.setOffline(false);
      Page again = openHost("demo", "");
      // The loader made the panel at once (a conversation is open), so it delivers the outbox while closed.
      expect(again.locator("parley-widget iframe")).hasCount(1);
      agent.awaitState(c -> visitorTexts(c.timeline(conversation)).size() >= 4, WAIT);
      FrameLocator panel2 = openPanel(again);
      expect(panel2.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("Are you still there?");
      again.waitForFunction(
          "() => document.querySelector('parley-widget').shadowRoot.querySelector('iframe')"
              + ".contentWindow.parleyDebug?.().outbox === 0",
          null,
          waitOptions());
      // One more message after the drained outbox: once the agent has it, it has everything sent before it.
      send(panel2, "four");
      agent.awaitState(c -> visitorTexts(c.timeline(conversation)).contains("four"), WAIT);

      assertThat(visitorTexts(agent.timeline(conversation))).containsExactly("hello", "one", "two", "three", "four");
      assertThat(agent.gapsSeen()).isZero();
      for (String text : List.of("one", "two", "three", "four")) {
        expect(panel2.locator(".pw-mine .pw-bubble", new FrameLocator.LocatorOptions().setHasText(text))).hasCount(1);
      }
      expect(panel2.locator(".pw-msg[data-state='sending']")).hasCount(0);
      List<String> shown = panel2.locator(".pw-mine .pw-bubble").allTextContents();
      assertThat(shown).containsExactly("hello", "one", "two", "three", "four");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"no-websocket", "websocket-blocked", "no-websocket-no-eventsource"})
  void withoutWebSocketTheWidgetFallsBackAndTheExchangeHolds(String browserLimit) {
    String expected =
        switch (browserLimit) {
          case "no-websocket" -> {
            context.addInitScript("delete window.WebSocket; window.WebSocket = undefined;");
            yield "sse";
          }
          case "websocket-blocked" -> {
            // A proxy that kills every upgrade: the socket errors at once, every time.
            context.addInitScript(
                "window.WebSocket = function () { var s = { readyState: 3, send() {}, close() {} };"
                    + " setTimeout(() => s.onerror && s.onerror(new Event('error')), 5); return s; };");
            yield "sse";
          }
          default -> {
            context.addInitScript(
                "delete window.WebSocket; window.WebSocket = undefined;"
                    + " delete window.EventSource; window.EventSource = undefined;");
            yield "lp";
          }
        };
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "Do you ship to Hangzhou?");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      assertThat(panel.locator("body").evaluate("() => parleyDebug().transport")).isEqualTo(expected);
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      agentSays(agent, conversation, "Yes, in two days.");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("Yes, in two days.");
      send(panel, "Great, thanks");
      agent.awaitState(c -> visitorTexts(c.timeline(conversation)).contains("Great, thanks"), WAIT);
      assertThat(visitorTexts(agent.timeline(conversation))).containsExactly("Do you ship to Hangzhou?", "Great, thanks");
      expect(panel.locator(".pw-mine[data-seq='4']")).isVisible();
      assertThat(page.evaluate("() => localStorage.getItem('parley:demo:transport')").toString()).contains(expected);
    }
  }

  @Test
  void markupAndScriptLinksInMessagesStayText() {
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      String evil = "<img src=x onerror=alert(1)>";
      send(panel, evil);
      expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText(evil);
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      agentSays(agent, conversation, "<img src=y onerror=alert(2)> javascript:alert(3) see https://example.com/tea.");
      send(panel, "click javascript:alert(4) or mailto:help@example.com");
      expect(panel.locator(".pw-mine[data-seq='4']")).isVisible();

      Locator list = panel.locator("#pw-list");
      expect(list.locator("img")).hasCount(0);
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble"))
          .hasText("<img src=y onerror=alert(2)> javascript:alert(3) see https://example.com/tea.");
      Locator links = list.locator("a");
      expect(links).hasCount(2);
      assertThat(links.nth(0).getAttribute("href")).isEqualTo("https://example.com/tea");
      assertThat(links.nth(0).getAttribute("rel")).isEqualTo("noopener noreferrer");
      assertThat(links.nth(0).getAttribute("target")).isEqualTo("_blank");
      assertThat(links.nth(1).getAttribute("href")).isEqualTo("mailto:help@example.com");
      expect(list.locator("a[href^='javascript' i]")).hasCount(0);
      assertThat(dialogs).isEmpty();
    }
  }

  @Test
  void comingBackOnlineSendsWhatWasWrittenOfflineWithoutAReload() {
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    send(panel, "before");
    expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
    context.setOffline(true);
    expect(panel.locator("#pw-conn")).hasAttribute("data-state", "offline");
    expect(panel.locator("#pw-conn")).hasText("You are offline. Messages will be sent when you are back.");
    send(panel, "written in the tunnel");
    expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(1);
    context.setOffline(false);
    expect(panel.locator("#pw-conn")).hasAttribute("data-state", "online");
    expect(panel.locator(".pw-mine[data-seq='2'] .pw-bubble")).hasText("written in the tunnel");
    expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(0);
  }

  @Test
  void thePreChatFormAsksWhatTheSiteWantsAndAgentsSeeItWithTheSinglePageTrail() {
    String site = unique("prechat");
    server.createSite(adminToken, site);
    ObjectNode widget = WireClient.JSON.createObjectNode();
    widget.putObject("prechat").put("enabled", true).put("requireEmail", true);
    widget.putObject("title").put("en", "Tea help").put("zh", "茶舍客服");
    assertThat(server.request("PATCH", "/api/sites/" + site + "/widget", adminToken, widget).status()).isEqualTo(200);
    keepOnline(site);

    Page page = openHost(site, "");
    FrameLocator panel = openPanel(page);
    expect(panel.locator("#pw-title")).hasText("Tea help");
    expect(panel.locator("#pw-prechat")).isVisible();
    expect(panel.locator("#pw-compose")).isHidden();
    panel.locator("#pw-prechat textarea[name=question]").fill("Which tea for a cold evening?");
    panel.locator("#pw-prechat button[type=submit]").click();
    expect(panel.locator("#pw-prechat-err")).hasText("Please enter a valid email address.");
    panel.locator("#pw-prechat input[name=name]").fill("Li Lei");
    panel.locator("#pw-prechat input[name=email]").fill("lilei@example.com");
    panel.locator("#pw-prechat button[type=submit]").click();
    expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("Which tea for a cold evening?");
    expect(panel.locator("#pw-prechat")).isHidden();
    expect(panel.locator("#pw-compose")).isVisible();
    // Someone of the site is online (keepOnline): the chat waits for them (with nobody, WidgetMailBrowserTest).
    expect(panel.locator("#pw-notice")).hasAttribute("data-kind", "waiting");
    String conversation = conversationOf(panel);

    // A single-page app moves on: the loader sees it and the agent gets the new page.
    page.evaluate("() => { document.title = 'Cart'; history.pushState({}, '', '/cart?step=1'); }");
    String agentToken = server.createAgent(adminToken, site, unique("pc"));
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      JsonNode profile =
          agent.await(
              f -> "visitor".equals(f.path("type").asText())
                  && "Li Lei".equals(f.path("name").asText())
                  && f.path("pages").toString().contains("/cart?step=1"),
              WAIT);
      assertThat(profile.path("email").asText()).isEqualTo("lilei@example.com");
      assertThat(profile.path("verified").asBoolean()).isFalse();
      JsonNode last = profile.path("pages").get(profile.path("pages").size() - 1);
      assertThat(last.path("title").asText()).isEqualTo("Cart");
    }
    expect(panel.locator("#pw-notice")).isHidden();
  }

  @Test
  void queuePositionAndAnOfflineTeamShowWhileWaitingAndUnknownFramesAreIgnored() {
    // The real server's WebSocket, with frames added on the way to the page: a queue position and an offline
    // team (which the server sends when routing says so), and one frame type no version sends. An agent is online,
    // so the server itself tells the page the team is there (availability open) and gives the queue position.
    try (ChatClient agent = agent()) {
      AtomicReference<WebSocketRoute> socket = new AtomicReference<>();
      context.routeWebSocket(
          Pattern.compile(".*/ws/visitor.*"),
          ws -> {
            ws.connectToServer();
            socket.set(ws);
          });
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "Anyone there?");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      // The server's own position comes first (other tests' chats may still wait in the demo site's queue).
      expect(panel.locator("#pw-notice")).hasText(Pattern.compile("You are number \\d+ in the queue"));
      String conversation = conversationOf(panel);

      socket.get().send("{\"type\":\"position\",\"conversationId\":\"" + conversation + "\",\"position\":3}");
      expect(panel.locator("#pw-notice")).hasText("You are number 3 in the queue");
      socket.get().send("{\"type\":\"hologram\",\"conversationId\":\"" + conversation + "\",\"seq\":99}");
      socket.get().send("{\"type\":\"availability\",\"siteId\":\"demo\",\"status\":\"closed\"}");
      expect(panel.locator("#pw-notice")).hasAttribute("data-kind", "away");
      expect(panel.locator("#pw-notice"))
          .hasText("We are closed right now. Leave a message and we will get back to you by email.");
      send(panel, "Please call me back");
      expect(panel.locator(".pw-mine[data-seq='2'] .pw-bubble")).hasText("Please call me back");
      expect(panel.locator("#pw-conn")).hasAttribute("data-state", "online");
      socket.get().send("{\"type\":\"availability\",\"siteId\":\"demo\",\"status\":\"open\"}");
      expect(panel.locator("#pw-notice")).hasAttribute("data-kind", "waiting");
    }
  }

  @Test
  void afterTheAgentClosesTheChatTheNextMessageStartsANewConversation() {
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "first question");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String first = conversationOf(panel);
      claim(agent, first);
      agent.sendIfConnected(WireClient.frame("close").put("id", "close-1").put("conversationId", first));
      expect(panel.locator(".pw-sys").last()).hasText("This chat has ended. Write again to start a new one.");
      page.waitForFunction("() => localStorage.getItem('parley:demo:active') === 'false'", null, waitOptions());

      // The visitor is asked to rate the chat; the thanks appear once the server has acknowledged the rating.
      expect(panel.locator(".pw-rate")).containsText("How was this chat?");
      panel.locator(".pw-rate .pw-star[data-score='4']").click();
      expect(panel.locator(".pw-rate")).hasText("Thank you for your rating!");

      send(panel, "second question");
      expect(panel.locator(".pw-mine[data-seq='1']")).hasCount(2);
      page.waitForFunction("() => localStorage.getItem('parley:demo:active') === 'true'", null, waitOptions());
      String second = conversationOf(panel);
      assertThat(second).isNotEqualTo(first);
      assertThat(panel.locator(".pw-mine .pw-bubble").allTextContents())
          .containsExactly("first question", "second question");
      expect(panel.locator("#pw-notice")).hasAttribute("data-kind", "waiting");
    }
  }

  @Test
  void aMessageTheServerRefusesShowsAsFailedWithRetry() {
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    send(panel, "first");
    expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
    // Past the textarea's own limit, as a paste from a script could be: the server says text-too-long.
    panel.locator("#pw-input").evaluate("el => { el.value = 'x'.repeat(4001); }");
    panel.locator("#pw-input").press("Enter");
    Locator failed = panel.locator(".pw-msg[data-state='failed']");
    expect(failed).hasCount(1);
    expect(failed.locator(".pw-state")).hasText("Not sent");
    send(panel, "after the failure");
    expect(panel.locator(".pw-mine[data-seq='2'] .pw-bubble")).hasText("after the failure");
    // Retry gives a text that can never go back for editing.
    failed.locator(".pw-retry").click();
    expect(panel.locator(".pw-msg[data-state='failed']")).hasCount(0);
    assertThat(panel.locator("#pw-input").inputValue()).hasSize(4001);
  }

  @Test
  void anAckNamingASeqShownForAnotherMessageMakesThePanelRebuildAndKeepItsMessage() throws Exception {
    VisitorWire wire = tapVisitorSocket();
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "hello");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      agentSays(agent, conversation, "How can I help?");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("How can I help?");

      // The server stores the next message as seq 4, but its ack and event do not reach the page; instead an ack
      // arrives that names seq 1, which the page shows as "hello": the server contradicts the page's view.
      wire.holdBackAnswersTo("Where is my order?");
      send(panel, "Where is my order?");
      page.waitForCondition(() -> wire.heldBack("ack") && wire.heldBack("event"), conditionOptions());
      wire.holdBackNothing();
      expect(panel.locator(".pw-msg[data-state='sending'] .pw-bubble")).hasText("Where is my order?");
      int before = wire.fromPage().size();
      wire.toPage(WireClient.frame("ack").put("id", wire.sentId("Where is my order?"))
          .put("conversationId", conversation).put("seq", 1));

      page.waitForCondition(() -> wire.resyncedFromZero(conversation, before), conditionOptions());
      expect(panel.locator(".pw-mine[data-seq='4'] .pw-bubble")).hasText("Where is my order?");
      expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(0);
      assertThat(panel.locator("body").evaluate("() => parleyDebug().outbox")).isEqualTo(0);
      assertRebuilt(panel, List.of(1, 3, 4), List.of("hello", "Where is my order?"), List.of("How can I help?"));
      assertThat(visitorTexts(agent.timeline(conversation))).containsExactly("hello", "Where is my order?");
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "widget-resync-ack.png")));
    }
  }

  @Test
  void anEventThatIsAnotherEntryAtTheSeqAnAckGaveToTheVisitorsMessageMakesThePanelRebuild() throws Exception {
    VisitorWire wire = tapVisitorSocket();
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "hello");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      agentSays(agent, conversation, "How can I help?");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("How can I help?");

      // The server stores the next message as seq 4 and its ack reaches the page before its event, as acks may;
      // then an event for seq 4 arrives that is another entry: the seq the ack gave to the message is taken.
      wire.holdBackAnswersTo("Is it in stock?");
      send(panel, "Is it in stock?");
      page.waitForCondition(() -> wire.heldBack("ack") && wire.heldBack("event"), conditionOptions());
      wire.holdBackNothing();
      assertThat(wire.heldBackFrame("ack").path("seq").asLong()).isEqualTo(4);
      int before = wire.fromPage().size();
      wire.toPage(wire.heldBackFrame("ack"));
      expect(panel.locator(".pw-msg[data-id][data-state='sent'] .pw-bubble")).hasText("Is it in stock?");
      wire.toPage(WireClient.frame("event").put("conversationId", conversation).put("seq", 4).put("kind", "message")
          .put("id", "not-the-visitors").put("text", "an entry at the acknowledged seq")
          .put("at", "2026-11-23T09:00:00Z")
          .set("author", WireClient.JSON.createObjectNode().put("role", "agent").put("id", "nobody")));

      page.waitForCondition(() -> wire.resyncedFromZero(conversation, before), conditionOptions());
      expect(panel.locator(".pw-mine[data-seq='4'] .pw-bubble")).hasText("Is it in stock?");
      expect(panel.locator("#pw-list")).not().containsText("an entry at the acknowledged seq");
      expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(0);
      assertThat(panel.locator("body").evaluate("() => parleyDebug().outbox")).isEqualTo(0);
      assertRebuilt(panel, List.of(1, 3, 4), List.of("hello", "Is it in stock?"), List.of("How can I help?"));
      assertThat(visitorTexts(agent.timeline(conversation))).containsExactly("hello", "Is it in stock?");
    }
  }

  @Test
  void aHelloRefusedForLoadIsSaidAgainOnTheSameConnectionOnceRetryAfterMsHasPassed() {
    VisitorWire wire = tapVisitorSocket();
    wire.refuseNext("hello", WireClient.frame("error").put("code", "rate-limited").put("retry", true)
        .put("message", "too many new sessions from this address").put("retryAfterMs", 1500));
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    send(panel, "hello after a wait");

    expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("hello after a wait");
    List<VisitorWire.Stamped> hellos = wire.fromPage("hello");
    assertThat(hellos).hasSize(2);
    assertThat(hellos.get(1).millis() - hellos.get(0).millis()).as("waited as the server asked")
        .isGreaterThanOrEqualTo(1500);
    assertThat(wire.connections()).as("no new connection, no other transport").isEqualTo(1);
    assertThat(panel.locator("body").evaluate("() => parleyDebug().transport")).isEqualTo("ws");
  }

  @Test
  void aRateLimitedMessageGoesAgainWithItsIdAfterRetryAfterMsAndNothingOvertakesIt() {
    VisitorWire wire = tapVisitorSocket();
    wire.refuseNext("send", WireClient.frame("error").put("code", "rate-limited").put("retry", true)
        .put("message", "too many messages").put("retryAfterMs", 2000));
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    send(panel, "first");
    page.waitForCondition(() -> wire.fromPage("send").size() == 1, conditionOptions());
    send(panel, "written meanwhile"); // the outbox holds it behind the first

    expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("first");
    expect(panel.locator(".pw-mine[data-seq='2'] .pw-bubble")).hasText("written meanwhile");
    List<VisitorWire.Stamped> sends = wire.fromPage("send");
    assertThat(sends).extracting(f -> f.frame().path("text").asText())
        .containsExactly("first", "first", "written meanwhile");
    assertThat(sends.get(1).frame().path("id").asText()).as("the same id")
        .isEqualTo(sends.get(0).frame().path("id").asText());
    assertThat(sends.get(1).millis() - sends.get(0).millis()).as("waited as the server asked")
        .isGreaterThanOrEqualTo(2000);
  }

  @Test
  void aRefusalWithoutTheRetryFlagOfAnOlderServerCountsAsFinal() {
    VisitorWire wire = tapVisitorSocket();
    wire.refuseNext("send", WireClient.frame("error").put("code", "unavailable").put("message", "busy"));
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    send(panel, "first");

    Locator failed = panel.locator(".pw-msg[data-state='failed']");
    expect(failed).hasCount(1);
    expect(failed.locator(".pw-state")).hasText("Not sent");
    assertThat(wire.fromPage("send")).as("not sent again by itself").hasSize(1);
    failed.locator(".pw-retry").click();
    expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("first");
  }

  @Test
  void aSyncedBelowWhatThePanelShowsMakesItRebuildWithoutTheBogusEntryAndKeepItsMessage() throws Exception {
    VisitorWire wire = tapVisitorSocket();
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "hello");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      agentSays(agent, conversation, "How can I help?");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("How can I help?");

      // The server stores "Still there?" as seq 4 without the page hearing of it; the page is told of another
      // seq 4 that the server does not have, then that the conversation ends at seq 3: a history that shrank.
      wire.holdBackAnswersTo("Still there?");
      send(panel, "Still there?");
      page.waitForCondition(() -> wire.heldBack("ack") && wire.heldBack("event"), conditionOptions());
      wire.holdBackNothing();
      wire.toPage(WireClient.frame("event").put("conversationId", conversation).put("seq", 4).put("kind", "message")
          .put("id", "bogus-1").put("text", "an entry the server lost").put("at", "2026-11-23T09:00:00Z")
          .set("author", WireClient.JSON.createObjectNode().put("role", "agent").put("id", "nobody")));
      expect(panel.locator(".pw-theirs[data-seq='4'] .pw-bubble")).hasText("an entry the server lost");
      expect(panel.locator(".pw-msg[data-state='sending'] .pw-bubble")).hasText("Still there?");
      int before = wire.fromPage().size();
      wire.toPage(WireClient.frame("synced").put("conversationId", conversation).put("lastSeq", 3)
          .put("status", "assigned"));

      page.waitForCondition(() -> wire.resyncedFromZero(conversation, before), conditionOptions());
      expect(panel.locator(".pw-mine[data-seq='4'] .pw-bubble")).hasText("Still there?");
      expect(panel.locator("#pw-list")).not().containsText("an entry the server lost");
      expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(0);
      assertThat(panel.locator("body").evaluate("() => parleyDebug().outbox")).isEqualTo(0);
      assertRebuilt(panel, List.of(1, 3, 4), List.of("hello", "Still there?"), List.of("How can I help?"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "widget-resync-synced.png")));
    }
  }

  @Test
  void anEventAtAShownSeqWithAnotherEntryMakesThePanelRebuildAndTheSameEntryIsDroppedQuietly() throws Exception {
    VisitorWire wire = tapVisitorSocket();
    try (ChatClient agent = agent()) {
      Page page = openHost("demo", "");
      FrameLocator panel = openPanel(page);
      send(panel, "hello");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = conversationOf(panel);
      claim(agent, conversation);
      agentSays(agent, conversation, "How can I help?");
      expect(panel.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("How can I help?");
      JsonNode reply = wire.fromServer(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() == 3);

      int before = wire.fromPage().size();
      wire.toPage((ObjectNode) reply); // the same entry again: dropped, nothing asked
      ObjectNode other = reply.deepCopy();
      other.put("id", "another-message").put("text", "not what seq 3 is");
      wire.toPage(other);

      page.waitForCondition(() -> wire.resyncedFromZero(conversation, before), conditionOptions());
      assertRebuilt(panel, List.of(1, 3), List.of("hello"), List.of("How can I help?"));
      expect(panel.locator("#pw-list")).not().containsText("not what seq 3 is");
      List<JsonNode> sent = wire.fromPage();
      assertThat(sent.subList(before, sent.size())).filteredOn(f -> "sync".equals(f.path("type").asText()))
          .as("one resync, for the entry that differs").hasSize(1);
    }
  }

  @Test
  void aMessageOfTheVisitorsThatTheRebuiltHistoryLacksIsSentAgainWithItsId() throws Exception {
    VisitorWire wire = tapVisitorSocket();
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    send(panel, "hello");
    expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
    String conversation = conversationOf(panel);
    JsonNode first = wire.fromServer(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() == 1);

    // The page was shown a message of its own as seq 2, which the server then lost: it says the history ends at 1.
    String lost = "w-lost-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode shown = first.deepCopy();
    shown.put("seq", 2).put("id", lost).put("text", "written before the crash");
    wire.toPage(shown);
    expect(panel.locator(".pw-mine[data-seq='2'] .pw-bubble")).hasText("written before the crash");
    int before = wire.fromPage().size();
    wire.toPage(WireClient.frame("synced").put("conversationId", conversation).put("lastSeq", 1)
        .put("status", "waiting"));

    page.waitForCondition(() -> wire.resyncedFromZero(conversation, before), conditionOptions());
    page.waitForCondition(() -> wire.fromPage().stream().anyMatch(f -> "send".equals(f.path("type").asText())
        && lost.equals(f.path("id").asText())), conditionOptions());
    // Stored now by the real server, as seq 2, and shown once.
    expect(panel.locator(".pw-msg[data-state='sending']")).hasCount(0);
    expect(panel.locator(".pw-mine[data-seq='2'] .pw-bubble")).hasText("written before the crash");
    assertThat(panel.locator(".pw-mine .pw-bubble").allTextContents())
        .containsExactly("hello", "written before the crash");
    java.util.function.Predicate<JsonNode> ack = f -> "ack".equals(f.path("type").asText())
        && lost.equals(f.path("id").asText());
    page.waitForCondition(() -> wire.fromServer(ack) != null, conditionOptions());
    JsonNode stored = wire.fromServer(ack);
    assertThat(stored.path("seq").asLong()).isEqualTo(2);
    assertThat(stored.path("duplicate").asBoolean()).as("the server did not have it").isFalse();
  }

  @Test
  void theDemoShopPageEmbedsTheWidgetInBothLanguages() {
    Page page = context.newPage();
    page.onDialog(d -> dialogs.add(d.message()));
    page.navigate(server.origin() + "/");
    expect(page.locator("h1 [data-lang='en']")).isVisible();
    expect(page.locator("h1 [data-lang='zh']")).isHidden();
    page.locator("button[data-ask='longjing']").click();
    FrameLocator panel = page.frameLocator("parley-widget iframe");
    expect(page.locator("parley-widget iframe")).hasClass("f o");
    expect(panel.locator("#pw-send")).hasText("Send");
    page.locator("#lang-zh").click();
    expect(page.locator("h1 [data-lang='zh']")).isVisible();
    expect(page.locator("h1 [data-lang='zh']")).hasText("好茶，有问必答");
    expect(panel.locator("#pw-send")).hasText("发送");
    send(panel, "龙井还有货吗？");
    expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("龙井还有货吗？");
    page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "demo-shop.png")));
    assertThat(dialogs).isEmpty();
  }

  @Test
  void hostileHostCssCannotHideOrRestyleTheWidget() {
    String hostile =
        "<style>*:not(html):not(body) { display: none !important; visibility: hidden !important;"
            + " opacity: 0 !important; }"
            + " div, button, iframe, span { position: absolute !important; width: 1px !important;"
            + " height: 1px !important; background: red !important; font-size: 60px !important; }"
            + " body { font-size: 40px; color: red; }</style>";
    Page page = openHost("demo", hostile);
    Locator bubble = page.locator("parley-widget button.b");
    expect(bubble).isVisible();
    var box = bubble.boundingBox();
    assertThat(box.width).isEqualTo(56.0);
    assertThat(box.height).isEqualTo(56.0);
    assertThat(box.x + box.width).isCloseTo(1100 - 20, org.assertj.core.data.Offset.offset(1.0));
    FrameLocator panel = openPanel(page);
    var frameBox = page.locator("parley-widget iframe").boundingBox();
    assertThat(frameBox.width).isEqualTo(370.0);
    assertThat(frameBox.height).isGreaterThan(400.0);
    send(panel, "Still works");
    expect(panel.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("Still works");
    // The host page's own content is hidden by its own rule, as it asked: the rule did apply.
    expect(page.locator("h1")).isHidden();
  }

  @Test
  void aSignedIdentityIsAcceptedAndAForgedOneRejected() {
    String site = "signed-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    keepOnline(site);
    TestServer.Response patched =
        server.request("PATCH", "/api/sites/" + site + "/widget", adminToken, Map.of("identityRequired", true));
    assertThat(patched.status()).isEqualTo(200);
    TestServer.Response rotated = server.request("POST", "/api/sites/" + site + "/identity-secret", adminToken, null);
    assertThat(rotated.status()).isEqualTo(200);
    String secret = rotated.body().path("secret").asText();
    String hash = IdentitySignatures.sign(secret, "u-42");
    assertThat(server.request("GET", "/widget/config?site=" + site, null, null).body().path("identityRequired").asBoolean())
        .isTrue();

    Page good = openHost(site, "", identifyScript("u-42", hash));
    FrameLocator panel = openPanel(good);
    good.waitForFunction("() => window.identity.length === 1", null, waitOptions());
    assertThat(good.evaluate("() => window.identity[0].ok")).isEqualTo(true);
    send(panel, "I am a verified customer");
    expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
    String conversation = conversationOf(panel);
    String agentToken = server.createAgent(adminToken, site, "id-" + UUID.randomUUID().toString().substring(0, 8));
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      JsonNode profile =
          agent.await(
              f -> "visitor".equals(f.path("type").asText())
                  && conversation.equals(f.path("conversationId").asText())
                  && f.path("verified").asBoolean()
                  && f.path("pages").size() > 0,
              WAIT);
      // The loader's page trail reached the agent through the panel.
      assertThat(profile.path("pages").get(0).path("url").asText()).startsWith(server.origin() + "/test-host-");
      assertThat(profile.path("pages").get(0).path("title").asText()).isEqualTo("Test shop");
      assertThat(profile.path("userId").asText()).isEqualTo("u-42");
      assertThat(profile.path("name").asText()).isEqualTo("Han Meimei");
      assertThat(profile.path("attributes").path("plan").asText()).isEqualTo("pro");
    }

    // Another browser, the same user id, a signature made with the wrong secret.
    try (BrowserContext other = browser.newContext()) {
      Page forged =
          openHost(other, site, "", identifyScript("u-42", IdentitySignatures.sign("not-the-secret", "u-42")));
      openPanel(forged);
      forged.waitForFunction("() => window.identity.length === 1", null, waitOptions());
      assertThat(forged.evaluate("() => window.identity[0].ok")).isEqualTo(false);
      assertThat(forged.evaluate("() => window.identity[0].code")).isEqualTo("identity-rejected");
    }
  }

  @Test
  void aChineseBrowserGetsTheChinesePanelAndSetLocaleSwitchesIt() {
    context.close();
    context = browser.newContext(new Browser.NewContextOptions().setLocale("zh-CN"));
    Page page = openHost("demo", "");
    FrameLocator panel = openPanel(page);
    expect(panel.locator("#pw-send")).hasText("发送");
    expect(panel.locator("#pw-input")).hasAttribute("placeholder", "输入消息…");
    page.evaluate("() => Parley.setLocale('en')");
    expect(panel.locator("#pw-send")).hasText("Send");
  }

  // Helpers -------------------------------------------------------------------------------------------------------

  /**
   * The page's WebSocket to the real server, passed through frame by frame: the page's frames are recorded, the
   * server's answers to the message named by {@link #holdBackAnswersTo} are kept from the page, and a test can add
   * server frames of its own. Playwright runs these handlers while the test thread is in a Playwright call, so tests
   * wait with {@code page.waitForCondition} or {@code expect}, which keep the frames flowing.
   */
  private static final class VisitorWire {
    private final List<JsonNode> fromPage = Collections.synchronizedList(new ArrayList<>());
    private final List<JsonNode> fromServer = Collections.synchronizedList(new ArrayList<>());
    private final List<JsonNode> heldBack = Collections.synchronizedList(new ArrayList<>());
    /** Text of the page's message whose ack and event are kept from the page; null: nothing is. */
    private volatile String holdBackAnswersTo;
    /** Frame type → the error the tap answers to the page's next frame of that type instead of passing it on. */
    private final Map<String, ObjectNode> refuseNext = new java.util.concurrent.ConcurrentHashMap<>();
    /** When each of the page's frames arrived, in milliseconds of this JVM's clock, in order. */
    private final List<Stamped> stamped = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    private volatile WebSocketRoute page;

    record Stamped(long millis, JsonNode frame) {}

    /**
     * The page's next frame of this type gets {@code error} from the tap (with {@code ref} = the frame's id, where it
     * has one), as a server under load answers it; the frame does not reach the server.
     */
    void refuseNext(String type, ObjectNode error) {
      refuseNext.put(type, error);
    }

    /** The page's frames of this type with their arrival times, in order. */
    List<Stamped> fromPage(String type) {
      synchronized (stamped) {
        return stamped.stream().filter(f -> type.equals(f.frame().path("type").asText())).toList();
      }
    }

    /** WebSocket connections the page opened. */
    int connections() {
      return connections.get();
    }

    void holdBackAnswersTo(String text) {
      holdBackAnswersTo = text;
    }

    void holdBackNothing() {
      holdBackAnswersTo = null;
    }

    private boolean holdsBack(JsonNode frame) {
      String text = holdBackAnswersTo;
      String id = text == null ? "" : sentId(text);
      return !id.isEmpty() && id.equals(frame.path("id").asText());
    }

    boolean heldBack(String type) {
      return heldBackFrame(type) != null;
    }

    /** The first frame of this type kept from the page, or null. */
    ObjectNode heldBackFrame(String type) {
      synchronized (heldBack) {
        return (ObjectNode) heldBack.stream().filter(f -> type.equals(f.path("type").asText())).findFirst()
            .orElse(null);
      }
    }

    List<JsonNode> fromPage() {
      synchronized (fromPage) {
        return List.copyOf(fromPage);
      }
    }

    /** The first server frame matching, or null. */
    JsonNode fromServer(java.util.function.Predicate<JsonNode> match) {
      synchronized (fromServer) {
        return fromServer.stream().filter(match).findFirst().orElse(null);
      }
    }

    /** The client message id of the page's {@code send} with this text, or "" before it went out. */
    String sentId(String text) {
      return fromPage().stream()
          .filter(f -> "send".equals(f.path("type").asText()) && text.equals(f.path("text").asText()))
          .map(f -> f.path("id").asText())
          .findFirst()
          .orElse("");
    }

    /** Whether the page asked, after its first {@code after} frames, for the whole conversation again. */
    boolean resyncedFromZero(String conversation, int after) {
      List<JsonNode> frames = fromPage();
      return frames.subList(after, frames.size()).stream()
          .anyMatch(f -> "sync".equals(f.path("type").asText())
              && conversation.equals(f.path("conversationId").asText())
              && f.path("afterSeq").isIntegralNumber()
              && f.path("afterSeq").asLong() == 0);
    }

    void toPage(ObjectNode frame) {
      page.send(frame.toString());
    }

    private void connect(WebSocketRoute ws) {
      WebSocketRoute server = ws.connectToServer();
      connections.incrementAndGet();
      ws.onMessage(m -> {
        JsonNode frame = parse(m.text());
        fromPage.add(frame);
        stamped.add(new Stamped(System.nanoTime() / 1_000_000, frame));
        ObjectNode refusal = refuseNext.remove(frame.path("type").asText());
        if (refusal != null) {
          if (frame.hasNonNull("id")) {
            refusal.put("ref", frame.get("id").asText());
          }
          ws.send(refusal.toString());
          return;
        }
        server.send(m.text());
      });
      server.onMessage(m -> {
        JsonNode frame = parse(m.text());
        fromServer.add(frame);
        if (holdsBack(frame)) {
          heldBack.add(frame);
        } else {
          ws.send(m.text());
        }
      });
      page = ws;
    }

    private static JsonNode parse(String text) {
      try {
        return WireClient.JSON.readTree(text);
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + text, e);
      }
    }
  }

  private VisitorWire tapVisitorSocket() {
    VisitorWire wire = new VisitorWire();
    context.routeWebSocket(Pattern.compile(".*/ws/visitor.*"), wire::connect);
    return wire;
  }

  /** The panel shows each message seq once, one "agent joined" line, and exactly these texts of each side. */
  private static void assertRebuilt(
      FrameLocator panel, List<Integer> messageSeqs, List<String> mine, List<String> theirs) {
    for (int seq : messageSeqs) {
      expect(panel.locator(".pw-msg[data-seq='" + seq + "']")).hasCount(1);
    }
    expect(panel.locator(".pw-msg[data-seq]")).hasCount(messageSeqs.size());
    expect(panel.locator(".pw-sys")).hasCount(1);
    assertThat(panel.locator(".pw-mine .pw-bubble").allTextContents()).containsExactlyElementsOf(mine);
    assertThat(panel.locator(".pw-theirs:not(.pw-greeting) .pw-bubble").allTextContents())
        .containsExactlyElementsOf(theirs);
  }

  private static Page.WaitForConditionOptions conditionOptions() {
    return new Page.WaitForConditionOptions().setTimeout(WAIT_MS);
  }

  private static String identifyScript(String userId, String hash) {
    return "<script>window.identity = [];"
        + "window.Parley = window.Parley || { q: [] };"
        + "Parley.q.push(['on', 'identity', function (r) { window.identity.push(r); }]);"
        + "Parley.q.push(['identify', { id: '" + userId + "', name: 'Han Meimei', email: 'han@example.com',"
        + " attributes: { plan: 'pro' }, hash: '" + hash + "' }]);</script>";
  }

  private Page openHost(String site, String head) {
    return openHost(context, site, head, "");
  }

  private Page openHost(String site, String head, String beforeWidget) {
    return openHost(context, site, head, beforeWidget);
  }

  /** A shop page at this server's own origin with the embed snippet, served by routing its address. */
  private Page openHost(BrowserContext context, String site, String head, String beforeWidget) {
    String path = "/test-host-" + UUID.randomUUID() + ".html";
    String html =
        "<!doctype html><html><head><meta charset='utf-8'><title>Test shop</title>"
            + head
            + "</head><body><h1>Tea shop</h1><div class='products'><div>Jasmine</div></div>"
            + beforeWidget
            + "<script src='/widget.js' data-site='" + site + "' async></script></body></html>";
    context.route(
        server.origin() + path,
        route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
            .setStatus(200)
            .setContentType("text/html; charset=utf-8")
            .setBody(html)));
    Page page = context.newPage();
    page.onDialog(d -> {
      dialogs.add(d.message());
      d.dismiss();
    });
    page.navigate(server.origin() + path);
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open", null, waitOptions());
    return page;
  }

  private FrameLocator openPanel(Page page) {
    page.locator("parley-widget button.b").click();
    expect(page.locator("parley-widget iframe")).hasClass("f o");
    FrameLocator panel = page.frameLocator("parley-widget iframe");
    // The header, not the input: a site's pre-chat form replaces the input until the first message.
    expect(panel.locator(".pw-head")).isVisible();
    return panel;
  }

  private static void send(FrameLocator panel, String text) {
    panel.locator("#pw-input").fill(text);
    panel.locator("#pw-input").press("Enter");
  }

  private static String conversationOf(FrameLocator panel) {
    return (String) panel.locator("body").evaluate("() => parleyDebug().conversation");
  }

  private ChatClient agent() {
    String token = server.createAgent(adminToken, "demo", "w-" + UUID.randomUUID().toString().substring(0, 8));
    ChatClient agent = ChatClient.agent(server.agentUri(), token);
    agent.awaitState(ChatClient::isReady, WAIT);
    return agent;
  }

  private static void claim(ChatClient agent, String conversation) {
    String claim = agent.claim(conversation);
    agent.awaitState(c -> c.ack(claim) != null, WAIT);
    assertThat(agent.ack(claim).path("type").asText()).isEqualTo("ack");
  }

  private static void agentSays(ChatClient agent, String conversation, String text) {
    String id = agent.send(conversation, text);
    agent.awaitState(c -> c.ack(id) != null, WAIT);
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

  private static boolean hasTyping(List<JsonNode> frames, String role, boolean typing) {
    return frames.stream()
        .anyMatch(f -> role.equals(f.path("author").path("role").asText()) && f.path("typing").asBoolean() == typing);
  }

  private static long readBy(List<JsonNode> frames, String role) {
    return frames.stream()
        .filter(f -> role.equals(f.path("reader").path("role").asText()))
        .mapToLong(f -> f.path("seq").asLong())
        .max()
        .orElse(0);
  }

  private static Page.WaitForFunctionOptions waitOptions() {
    return new Page.WaitForFunctionOptions().setTimeout(WAIT_MS);
  }

  private static LocatorAssertions expect(Locator locator) {
    return PlaywrightAssertions.assertThat(locator);
  }
}
