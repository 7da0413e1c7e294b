package dev.parley.edge.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.sun.net.httpserver.HttpServer;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's read-side pages in a real headless Chromium against a real server on real PostgreSQL: reports with
 * charts counted in the site's time zone and their CSV, labels and ratings in history and the transcript, webhooks
 * with a test delivery to a real HTTP receiver and its log, the audit log's filters and pages, the Chinese pass,
 * and another site's owner seeing none of it. Every page is checked with axe-core and photographed into
 * target/console-*.png. A conversation is served over the wire protocol by an agent client (the desktop client's
 * protocol), answered, rated and closed.
 */
class ConsoleReadSideBrowserTest {

  private static final Duration WAIT = ConsoleBrowser.WAIT;
  private static final String PASSWORD = "a long owner password";
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  private static TestServer server;
  private static String adminToken;
  private static ConsoleBrowser browser;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(
        TestDatabases.freshPostgres(),
        Map.of(
            "parley.webhooks.allow-private-addresses", true, // the receiver is on loopback
            "parley.webhooks.poll-interval", "100ms",
            "parley.webhooks.backoff-min", "200ms",
            "parley.webhooks.backoff-max", "1s"));
    adminToken = server.adminToken();
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    server.close();
  }

  @AfterEach
  void closePages() {
    browser.closeContexts();
  }

  // Tests ---------------------------------------------------------------------------------------------------------

  @Test
  void reportsCountTheDayInTheSitesZoneWithChartsTablesAndACsv() throws Exception {
    Shop shop = shop("report");
    Served served = serve(shop);
    Page page = ownerPage(shop, "en-US");
    go(page, "reports");
    page.getByTestId("zone-form").getByLabel("Time zone (IANA, e.g. Asia/Shanghai)").fill("Asia/Shanghai");
    page.getByTestId("zone-form").locator("button[type=submit]").click();
    assertThat(page.getByTestId("report-zone")).containsText("Asia/Shanghai");
    ConsoleBrowser.clickUntilVisible(page.getByText("Show", new Page.GetByTextOptions().setExact(true)),
        page.locator("[data-testid=report-conversations]:text-is('1')"));
    assertThat(page.getByTestId("report-missed")).hasText("0");
    assertThat(page.getByTestId("report-totals")).containsText("4.0 ★");
    assertThat(page.locator("figure.chart canvas")).hasCount(4); // volume, first response, resolution, satisfaction

    // The hour of the week the conversation opened, in Shanghai.
    ZonedDateTime opened = Instant.parse(conversation(shop, served.conversation).path("openedAt").asText()).atZone(SHANGHAI);
    Locator cell = page.locator("[data-testid=hour-of-week] td[data-day=" + opened.getDayOfWeek().name().toLowerCase(Locale.ROOT)
        + "][data-hour='" + opened.getHour() + "']");
    assertThat(cell).hasText("1");
    assertThat(page.locator("[data-testid=hour-of-week] td:text-is('1')")).hasCount(1);
    assertThat(page.locator("[data-testid=report-agents] tr[data-key='" + shop.agentId + "']")).containsText("Lin");
    assertThat(page.locator("[data-testid=report-agents] tr[data-key='" + shop.agentId + "'] td").first()).hasText("1");
    browser.checkPage(page, "reports");

    Download download = page.waitForDownload(() -> page.getByTestId("report-export").click());
    String csv = Files.readString(download.path()).replace("\uFEFF", "");
    String day = opened.toLocalDate().toString();
    assertThat(csv).startsWith("dimension,key,name,conversations,missed,");
    assertThat(csv).contains("\r\ntotal,").contains(",Asia/Shanghai,1,0,");
    assertThat(csv).contains("\r\nday," + day + ",,1,0,");
    assertThat(csv).contains("\r\nhour," + day + "T" + String.format("%02d", opened.getHour()) + ":00,,1,0,");
    assertThat(csv).contains("\r\nagent," + shop.agentId + ",Lin,1,0,");

    // Times are shown on the shop's clock, not the browser's: a browser in Los Angeles sees the Shanghai time.
    Page abroad = browser.open(server.origin(), "en-US", 1280, 860, "America/Los_Angeles");
    ConsoleBrowser.signIn(abroad, shop.owner, PASSWORD);
    go(abroad, "history");
    assertThat(abroad.locator("tr[data-conversation='" + served.conversation + "'] td").first())
        .containsText(String.format("%02d:%02d", opened.getHour(), opened.getMinute()));

    // The phone layout of the same page.
    Page phone = browser.open(server.origin(), "en-US", 390, 844);
    ConsoleBrowser.signIn(phone, shop.owner, PASSWORD);
    go(phone, "reports");
    assertThat(phone.locator("figure.chart canvas")).hasCount(4);
    browser.checkPage(phone, "phone-reports");
  }

  @Test
  void labelsAreAddedInTheTranscriptFilterTheHistoryAndRatingsAreListedWithTheirComments() throws Exception {
    Shop shop = shop("labels");
    Served served = serve(shop);
    Page page = ownerPage(shop, "en-US");
    go(page, "history");
    Locator row = page.locator("tr[data-conversation='" + served.conversation + "']");
    ConsoleBrowser.clickUntilVisible(page.getByText("Search", new Page.GetByTextOptions().setExact(true)), row);
    assertThat(row).containsText("★★★★");

    row.locator("a").first().click();
    assertThat(page.getByTestId("transcript-rating")).containsText("quick and kind 很快");
    page.getByTestId("labels").getByLabel("New label").fill("VIP");
    page.getByTestId("labels").getByText("Add label").click();
    assertThat(page.locator("[data-testid=labels] li[data-label=vip]")).isVisible();
    page.getByTestId("labels").getByLabel("New label").fill("退货");
    page.getByTestId("labels").getByText("Add label").click();
    assertThat(page.locator("[data-testid=labels] li[data-label='退货']")).isVisible();
    assertThat(page.locator("[data-testid=labels] li")).hasCount(2);
    browser.checkPage(page, "transcript-labels");

    go(page, "history");
    page.getByLabel("Label", new Page.GetByLabelOptions().setExact(true)).fill("vip");
    ConsoleBrowser.clickUntilVisible(page.getByText("Search", new Page.GetByTextOptions().setExact(true)),
        page.locator("tr[data-conversation='" + served.conversation + "'] .label-chip:text-is('vip')"));
    page.getByLabel("Label", new Page.GetByLabelOptions().setExact(true)).fill("nothing-like-it");
    page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator("main")).containsText("Nothing here yet.");
    browser.checkPage(page, "history-labels");

    page.navigate(server.origin() + "/console/#/history/" + served.conversation);
    page.locator("[data-testid=labels] li[data-label=vip] button").click();
    assertThat(page.locator("[data-testid=labels] li[data-label=vip]")).hasCount(0);
    awaitLabels(shop, served.conversation, "[\"退货\"]");

    go(page, "ratings");
    Locator rating = page.locator("[data-testid=ratings] tr[data-conversation='" + served.conversation + "']");
    assertThat(rating).containsText("quick and kind 很快");
    assertThat(rating).containsText("★★★★");
    browser.checkPage(page, "ratings");
    page.locator("select[name=score]").selectOption("5");
    page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator("main")).containsText("Nothing here yet.");
    page.locator("select[name=score]").selectOption("4");
    page.getByLabel("With a comment only").check();
    page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(rating).isVisible();
  }

  @Test
  void aWebhookIsAddedTestedWithASignedDeliveryToARealReceiverAndItsLogShowsIt() throws Exception {
    Shop shop = shop("hooks");
    List<Map<String, String>> received = new ArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      synchronized (received) {
        received.add(Map.of("event", String.valueOf(exchange.getRequestHeaders().getFirst("Parley-Event")),
            "signature", String.valueOf(exchange.getRequestHeaders().getFirst("Parley-Signature")), "body", body));
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    try {
      Page page = ownerPage(shop, "en-US");
      go(page, "webhooks");
      // A URL the server refuses: a typed error, nothing added.
      page.getByLabel("Address (https://…)").fill("ftp://files.example/hook");
      page.getByTestId("add-webhook").locator("button[type=submit]").click();
      assertThat(page.getByTestId("add-webhook").locator(".notice.error")).isVisible();
      assertThat(server.request("GET", "/api/sites/" + shop.site + "/webhooks", shop.ownerToken, null).body().path("webhooks")).isEmpty();

      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
      page.getByLabel("Address (https://…)").fill(url);
      page.getByTestId("add-webhook").getByText("message.created").click();
      page.getByTestId("add-webhook").locator("button[type=submit]").click();
      String secret = page.getByTestId("webhook-secret").textContent();
      assertThat(secret).matches("[0-9a-f]{64}");
      Locator hook = page.locator("section[data-hook]");
      assertThat(hook).containsText(url);
      assertThat(hook).containsText("message.created");

      hook.getByTestId("webhook-test").click();
      assertThat(hook.locator("tr[data-state=delivered]")).containsText("webhook.test");
      assertThat(hook.locator("tr[data-state=delivered]")).containsText("204");
      browser.checkPage(page, "webhooks");
      Map<String, String> delivery;
      synchronized (received) {
        assertThat(received).hasSize(1);
        delivery = received.get(0);
      }
      assertThat(delivery.get("event")).isEqualTo("webhook.test");
      String[] parts = delivery.get("signature").split(",");
      String t = parts[0].substring(2);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      assertThat(parts[1]).isEqualTo("v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + delivery.get("body")).getBytes(StandardCharsets.UTF_8))));

      hook.getByText("Remove").click(); // confirm() is accepted by the dialog handler
      assertThat(page.locator("section[data-hook]")).hasCount(0);
      assertThat(server.request("GET", "/api/sites/" + shop.site + "/webhooks", shop.ownerToken, null).body().path("webhooks")).isEmpty();
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void theAuditLogFiltersByActionAndMemberAndPages() throws Exception {
    Shop shop = shop("audit");
    for (int i = 0; i < 55; i++) { // more than a page of 50
      var r = server.request("PUT", "/api/sites/" + shop.site + "/time-zone", shop.ownerToken, Map.of("timeZone", i % 2 == 0 ? "Asia/Shanghai" : "UTC"));
      assertThat(r.status()).isEqualTo(200);
    }
    Page page = ownerPage(shop, "en-US");
    go(page, "audit");
    Locator rows = page.locator("[data-testid=audit] tbody tr");
    assertThat(rows).hasCount(50);
    page.getByTestId("audit-more").click();
    assertThat(rows).not().hasCount(50);
    assertThat(rows.first()).containsText("auth.sign-in"); // the owner's sign-in just now, newest first
    browser.checkPage(page, "audit");

    page.getByLabel("Action starts with").fill("auth.");
    page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator("[data-testid=audit] tbody tr:not([data-action^='auth.'])")).hasCount(0);
    assertThat(rows.first()).isVisible();
    page.getByLabel("Action starts with").fill("");
    page.locator("select[name=actor]").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("Lin"));
    page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(rows.first()).isVisible(); // Lin's sign-in, and nothing else of Lin's
    assertThat(page.locator("[data-testid=audit] tbody tr:not([data-action='auth.sign-in'])")).hasCount(0);
  }

  @Test
  void chineseOnEveryReadSidePageAndAnotherSitesOwnerSeesNothing() throws Exception {
    Shop shop = shop("zh");
    Served served = serve(shop);
    Page page = ownerPage(shop, "zh-CN");
    go(page, "reports");
    assertThat(page.locator("main h1")).hasText("统计报表");
    ConsoleBrowser.clickUntilVisible(page.getByText("查看", new Page.GetByTextOptions().setExact(true)),
        page.locator("[data-testid=report-conversations]:text-is('1')"));
    assertThat(page.locator("figure.chart canvas")).hasCount(4);
    browser.checkPage(page, "zh-reports");
    go(page, "ratings");
    assertThat(page.locator("main h1")).hasText("满意度评价");
    browser.checkPage(page, "zh-ratings");
    go(page, "webhooks");
    browser.checkPage(page, "zh-webhooks");
    go(page, "audit");
    assertThat(page.locator("main h1")).hasText("操作日志");
    browser.checkPage(page, "zh-audit");
    page.navigate(server.origin() + "/console/#/history/" + served.conversation);
    assertThat(page.getByTestId("labels")).containsText("暂无标签。");
    page.getByTestId("theme").click();
    browser.checkPage(page, "zh-dark-transcript");
    go(page, "reports");
    assertThat(page.locator("figure.chart canvas")).hasCount(4);
    browser.checkPage(page, "zh-dark-reports");

    Shop other = shop("other");
    Page theirs = ownerPage(other, "en-US");
    go(theirs, "reports");
    assertThat(theirs.getByTestId("report-conversations")).hasText("0");
    for (String path : List.of("statistics", "agent-activity", "ratings", "webhooks", "audit", "conversations/" + served.conversation)) {
      Object status = theirs.evaluate(
          "async (p) => (await fetch(p, {headers: {Authorization: 'Bearer '"
              + " + JSON.parse(sessionStorage.getItem('parley-console-session')).token}})).status",
          "/api/sites/" + shop.site + "/" + path);
      assertThat(status).as(path).isEqualTo(404);
    }
    Object label = theirs.evaluate(
        "async (p) => (await fetch(p, {method: 'PUT', headers: {Authorization: 'Bearer '"
            + " + JSON.parse(sessionStorage.getItem('parley-console-session')).token}})).status",
        "/api/sites/" + shop.site + "/conversations/" + served.conversation + "/labels/stolen");
    assertThat(label).isEqualTo(404);
    assertThat(labels(conversation(shop, served.conversation))).isEqualTo("[]");
  }

  // Fixtures ------------------------------------------------------------------------------------------------------

  /** A site with an owner (password sign-in) and an agent Lin. */
  record Shop(String site, String owner, String ownerToken, String agentId, String agentToken) {}

  record Served(String conversation) {}

  private static Shop shop(String prefix) {
    String site = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    ObjectNode owner = WireClient.JSON.createObjectNode().put("username", "owner-" + site).put("role", "owner").put("password", PASSWORD);
    var o = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, owner);
    assertThat(o.status()).as("owner: %s", o.body()).isEqualTo(201);
    String ownerName = o.body().path("account").path("username").asText();
    ObjectNode agent = WireClient.JSON.createObjectNode().put("username", "lin-" + site).put("displayName", "Lin").put("role", "agent");
    var a = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, agent);
    assertThat(a.status()).as("agent: %s", a.body()).isEqualTo(201);
    String agentToken = server.login(a.body().path("account").path("username").asText(), a.body().path("password").asText());
    return new Shop(site, ownerName, server.login(ownerName, PASSWORD), a.body().path("account").path("id").asText(), agentToken);
  }

  /** A visitor asks, Lin claims and answers, the visitor rates 4 with a comment, Lin closes. */
  private static Served serve(Shop shop) {
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(shop.site), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), shop.agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "Do you ship to Hangzhou? 能寄到杭州吗");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      String conversation = visitor.ack(first).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String answer = agent.send(conversation, "Yes, in two days. 两天送到。");
      agent.awaitState(c -> c.ack(answer) != null, WAIT);
      String rate = UUID.randomUUID().toString();
      visitor.sendIfConnected(WireClient.frame("rate").put("id", rate).put("conversationId", conversation)
          .put("score", 4).put("comment", "quick and kind 很快"));
      visitor.awaitState(c -> c.ack(rate) != null, WAIT);
      String close = UUID.randomUUID().toString();
      agent.sendIfConnected(WireClient.frame("close").put("id", close).put("conversationId", conversation));
      agent.awaitState(c -> c.ack(close) != null, WAIT);
      return new Served(conversation);
    }
  }

  private static Page ownerPage(Shop shop, String locale) {
    Page page = browser.open(server.origin(), locale, 1280, 860);
    ConsoleBrowser.signIn(page, shop.owner, PASSWORD);
    return page;
  }

  private static void go(Page page, String to) {
    ConsoleBrowser.go(page, server.origin(), to);
  }

  /** The conversation's row of the list once the read model has it. */
  private static JsonNode conversation(Shop shop, String id) {
    return awaitRow(shop, id, row -> true);
  }

  /** The conversation's labels once the read model shows {@code expected} (it trails the journal). */
  private static void awaitLabels(Shop shop, String id, String expected) {
    awaitRow(shop, id, row -> labels(row).equals(expected));
  }

  private static String labels(JsonNode row) {
    return row.path("labels").isArray() ? row.path("labels").toString() : "[]";
  }

  private static JsonNode awaitRow(Shop shop, String id, java.util.function.Predicate<JsonNode> condition) {
    Instant deadline = Instant.now().plus(WAIT);
    while (true) {
      var r = server.request("GET", "/api/sites/" + shop.site + "/conversations/" + id, shop.ownerToken, null);
      if (r.status() == 200 && condition.test(r.body())) {
        return r.body();
      }
      assertThat(Instant.now()).as("conversation %s: %s", id, r.body()).isBefore(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // poll interval, not a wait
    }
  }
}
