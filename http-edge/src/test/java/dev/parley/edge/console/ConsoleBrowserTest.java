package dev.parley.edge.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web admin console in a real headless Chromium (Debian's) against a real server on real PostgreSQL: a shop
 * owner's first day chained from the two-step sign-in to the CSV (the visitor writes in the real widget on the
 * shop's page; the agent is a protocol client standing in for the desktop client, a Swing app this test cannot
 * drive), the Chinese pass, another site's admin, the page's security headers and size. Every page is checked with axe-core (from npm, evaluated into the page) and
 * photographed into target/console-*.png.
 */
class ConsoleBrowserTest extends ServerTest {

  private static final Duration WAIT = ConsoleBrowser.WAIT;
  private static final String PASSWORD = "a long owner password";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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
  void closeContexts() {
    browser.closeContexts();
  }

  // Tests ---------------------------------------------------------------------------------------------------------

  @Test
  void anOwnersFirstDayFromTheTwoStepSignInToTheCsv() throws Exception {
    String siteId = unique("shop");
    server.createSite(adminToken, siteId);
    String owner = createOwner(siteId, "owner");
    String secret = enrolTwoFactor(owner);

    Page page = open("en-US", 1280, 860);
    // Sign in: password, then the code an authenticator app would show next.
    assertThat(page.locator("h2")).hasText("Sign in");
    checkPage(page, "signin");
    page.getByLabel("User name").fill(owner);
    page.getByLabel("Password").fill(PASSWORD);
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.locator("h2")).hasText("Two-step verification");
    checkPage(page, "signin-code");
    page.getByLabel("Code").fill(code(secret, Instant.now().plusSeconds(30)));
    page.getByText("Verify").click();
    assertThat(page.locator("main[data-page='dashboard'] h1")).hasText("Dashboard");
    assertThat(page.getByTestId("live-state")).hasText("Live");
    checkPage(page, "dashboard");

    // Site: allow the shop's origin.
    go(page, "site");
    page.getByLabel("Allowed origins", new Page.GetByLabelOptions()).fill(server.origin() + "\nhttps://shop.example");
    page.getByTestId("site-form").getByText("Save").click();
    assertThat(page.getByTestId("site-form").locator(".notice.ok")).hasText("Saved.");
    assertThat(server.request("GET", "/api/sites/" + siteId, adminToken, null).body().path("allowedOrigins").toString())
        .contains("https://shop.example");
    page.getByTestId("identity-required").check();
    page.waitForCondition(() -> server.request("GET", "/api/sites/" + siteId + "/widget", adminToken, null).body()
        .path("identityRequired").asBoolean(), new Page.WaitForConditionOptions().setTimeout(WAIT.toMillis()));
    page.getByTestId("identity-required").uncheck();
    page.waitForCondition(() -> !server.request("GET", "/api/sites/" + siteId + "/widget", adminToken, null).body()
        .path("identityRequired").asBoolean(), new Page.WaitForConditionOptions().setTimeout(WAIT.toMillis()));
    // The team's address for left messages: a bad one is refused, a good one stored.
    page.getByTestId("team-email").getByLabel("E-mail address").fill("help@" + siteId + ".example");
    page.getByTestId("team-email").locator("button[type=submit]").click();
    assertThat(page.getByTestId("team-email").locator(".notice.ok")).hasText("Saved.");
    assertThat(server.request("GET", "/api/sites/" + siteId + "/team-email", adminToken, null).body()
        .path("teamEmail").asText()).isEqualTo("help@" + siteId + ".example");
    page.getByTestId("rotate-secret").click(); // confirm() is accepted by the dialog handler
    assertThat(page.getByTestId("secret")).not().isEmpty();
    checkPage(page, "site");

    // Widget: a colour and a title; the preview (the real panel) shows them after the save.
    go(page, "widget");
    FrameLocator preview = page.frameLocator("[data-testid=preview]");
    assertThat(preview.locator("#pw-title")).hasText("Site " + siteId);
    page.locator("input[name=color]").fill("#16a34a");
    page.getByLabel("Title (English)").fill("Tea Shop");
    page.getByTestId("widget-form").getByText("Save").click();
    assertThat(page.getByTestId("widget-form").locator(".notice.ok")).hasText("Saved.");
    assertThat(preview.locator("#pw-title")).hasText("Tea Shop");
    page.waitForFunction(
        "() => document.querySelector('[data-testid=preview]').contentDocument.documentElement.style"
            + ".getPropertyValue('--pw-c') === '#16a34a'", null, new Page.WaitForFunctionOptions().setTimeout(WAIT.toMillis()));
    assertThat(page.getByTestId("embed")).hasText("<script src=\"" + server.origin() + "/widget.js\" data-site=\"" + siteId + "\" async></script>");
    checkPage(page, "widget");

    // Team: an agent, whose generated password is shown once.
    go(page, "team");
    page.getByTestId("add-member").getByLabel("User name").fill("lin");
    page.getByTestId("add-member").getByLabel("Display name").fill("Lin");
    page.getByTestId("add-member").locator("button[type=submit]").click();
    Locator created = page.locator(".notice.ok");
    assertThat(created).containsText("Created lin@" + siteId);
    Matcher m = Pattern.compile("Password: (\\S+)").matcher(created.textContent());
    assertThat(m.find()).isTrue();
    String agentPassword = m.group(1);
    assertThat(page.locator("tr[data-username='lin@" + siteId + "']")).isVisible();
    checkPage(page, "team");

    // Groups and hours: a "sales" group with Lin in it, Lin's capacity, Monday 09:00–17:00 in Shanghai, a holiday.
    go(page, "routing");
    page.getByLabel("Time zone (IANA, e.g. Asia/Shanghai)").fill("Asia/Shanghai");
    for (int hour = 9; hour < 17; hour++) {
      page.locator("button.cell[data-day=monday][data-hour='" + hour + "']").click();
    }
    assertThat(page.locator("button.cell[data-day=monday][aria-pressed=true]")).hasCount(8);
    page.getByLabel("Holidays (one date per line, like 2026-10-01)").fill("2026-10-01");
    page.getByLabel("Group id (a-z, 0-9, -)").fill("sales");
    page.getByLabel("Group name").fill("Sales");
    page.getByTestId("add-group").click();
    page.locator("fieldset[data-group=sales]").getByLabel("Lin").check();
    page.getByLabel("Group id (a-z, 0-9, -)").fill("vip");
    page.getByLabel("Group name").fill("VIP");
    page.getByTestId("add-group").click();
    page.locator("fieldset[data-group=sales]").getByLabel("When nobody answers, also offer to").selectOption("vip");
    page.locator("fieldset[data-group=sales]").getByLabel("after (seconds)").fill("60");
    page.getByTestId("add-rule").click();
    page.getByLabel("Address contains").fill("/tea");
    page.getByLabel("Close a chat after the visitor is silent for (minutes; empty: never)").fill("30");
    page.locator("input[data-capacity='lin@" + siteId + "']").fill("5");
    page.getByTestId("routing-form").locator("button[type=submit]").click();
    assertThat(page.getByTestId("routing-form").locator(".notice.ok")).hasText("Saved.");
    JsonNode routing = server.request("GET", "/api/sites/" + siteId + "/routing", adminToken, null).body();
    String linId = routing.path("groups").get(0).path("members").get(0).asText();
    assertThat(routing.path("groups").get(0).path("id").asText()).isEqualTo("sales");
    assertThat(routing.path("capacities").path(linId).asInt()).isEqualTo(5);
    assertThat(routing.path("timeZone").asText()).isEqualTo("Asia/Shanghai");
    assertThat(routing.path("hours").toString()).isEqualTo("[{\"day\":\"monday\",\"opens\":\"09:00\",\"closes\":\"17:00\"}]");
    assertThat(routing.path("holidays").toString()).contains("2026-10-01");
    assertThat(routing.path("groups").get(0).path("overflowGroup").asText()).isEqualTo("vip");
    assertThat(routing.path("groups").get(0).path("overflowAfterSeconds").asInt()).isEqualTo(60);
    assertThat(routing.path("urlRules").toString()).isEqualTo("[{\"contains\":\"/tea\",\"group\":\"sales\"}]");
    assertThat(routing.path("autoCloseAfterSeconds").asInt()).isEqualTo(1800);
    page.reload();
    assertThat(page.locator("button.cell[data-day=monday][aria-pressed=true]")).hasCount(8);
    checkPage(page, "routing");
    // Outside its hours the widget offers to leave a message instead of a chat: open all of today (in Shanghai)
    // too, so that the first day's chat below happens now, whatever day the test runs.
    String today = LocalDate.now(ZoneId.of("Asia/Shanghai")).getDayOfWeek().name().toLowerCase(Locale.ROOT);
    Locator closedToday = page.locator("button.cell[data-day=" + today + "][aria-pressed=false]");
    while (closedToday.count() > 0) {
      closedToday.first().click();
    }
    page.getByTestId("routing-form").locator("button[type=submit]").click();
    assertThat(page.getByTestId("routing-form").locator(".notice").first()).hasText("Saved.");

    // Team quick replies.
    go(page, "replies");
    page.getByLabel("Shortcut").fill("ship");
    page.getByTestId("add-reply").locator("textarea").fill("Hi {visitor.name}, we ship within 24 hours.");
    page.getByTestId("add-reply").locator("button[type=submit]").click();
    assertThat(page.locator("tr[data-shortcut=ship]")).containsText("we ship within 24 hours");
    checkPage(page, "replies");

    // Automatic invitations: a rule for the pricing pages, shown as from the shop.
    go(page, "invitations");
    page.getByTestId("add-invitation-rule").click();
    Locator rule = page.locator("fieldset[data-rule='rule-1']");
    rule.getByLabel("Seconds on the page, at least").fill("20");
    rule.getByLabel("Page address").fill("*/pricing*");
    rule.getByLabel("Visit number, at least").fill("2");
    rule.getByLabel("Shown as from").fill("Jade Tea");
    rule.getByLabel("Invitation", new Locator.GetByLabelOptions().setExact(true)).fill("Questions about our plans?");
    rule.getByLabel("Not again within (hours)").fill("12");
    page.getByTestId("save-rules").click();
    assertThat(page.getByTestId("invitation-rules").locator(".notice.ok")).hasText("Saved.");
    JsonNode rules = server.request("GET", "/api/sites/" + siteId + "/invitation-rules", adminToken, null).body();
    assertThat(rules.path("rules").get(0).path("urlPattern").asText()).isEqualTo("*/pricing*");
    assertThat(rules.path("rules").get(0).path("minSecondsOnPage").asInt()).isEqualTo(20);
    assertThat(rules.path("rules").get(0).path("minVisits").asInt()).isEqualTo(2);
    assertThat(rules.path("rules").get(0).path("capHours").asInt()).isEqualTo(12);
    assertThat(rules.path("rules").get(0).path("senderName").asText()).isEqualTo("Jade Tea");
    page.reload();
    assertThat(page.locator("fieldset[data-rule='rule-1'] input[name=urlPattern]")).hasValue("*/pricing*");
    checkPage(page, "invitations");

    // A visitor writes (English and Chinese) in the real widget on the shop's tea page; the page rule sends the
    // chat to Sales, and the dashboard shows it waiting, live. The agent answers with a protocol client standing
    // in for the desktop client (a Swing app, which this browser test cannot drive).
    go(page, "dashboard");
    assertThat(page.getByTestId("live-state")).hasText("Live");
    assertThat(page.getByTestId("count-waiting")).hasText("0");
    try (ChatClient agent = ChatClient.agent(server.agentUri(), server.login("lin@" + siteId, agentPassword))) {
      agent.awaitState(ChatClient::isReady, WAIT);
      FrameLocator widget = openShopWidget(page, siteId, "/tea/jasmine");
      widget.locator("#pw-input").fill("Is the jasmine tea in stock? 这个茉莉花茶有货吗");
      widget.locator("#pw-input").press("Enter");
      assertThat(widget.locator(".pw-mine[data-seq='1'] .pw-bubble")).hasText("Is the jasmine tea in stock? 这个茉莉花茶有货吗");
      String conversation = (String) widget.locator("body").evaluate("() => parleyDebug().conversation");
      assertThat(page.locator("[data-testid=queue] tr[data-conversation='" + conversation + "']")).isVisible();
      assertThat(page.locator("[data-testid=queue] tr[data-conversation='" + conversation + "']")).containsText("Sales");
      assertThat(page.getByTestId("count-waiting")).hasText("1");
      assertThat(page.getByTestId("count-today")).hasText("1");
      checkPage(page, "dashboard-waiting");

      // The agent answers over the wire protocol; the queue empties live.
      agent.claim(conversation);
      agent.awaitState(c -> c.lastSeq(conversation) >= 2, WAIT);
      agent.send(conversation, "Yes, we have it. 有货。");
      assertThat(widget.locator(".pw-theirs[data-seq='3'] .pw-bubble")).hasText("Yes, we have it. 有货。");
      assertThat(page.getByTestId("count-waiting")).hasText("0");
      assertThat(page.getByTestId("count-active")).hasText("1");
      Locator activeRow = page.locator("[data-testid=active] tr[data-conversation='" + conversation + "']");
      assertThat(activeRow).containsText("Lin");
      assertThat(page.locator("[data-testid=agents] tr", new Page.LocatorOptions().setHasText("Lin"))).containsText("1 / 5");
      assertThat(page.getByTestId("today-first-response")).not().hasText("—"); // re-read after the answer was pushed
      checkPage(page, "dashboard-active");

      // Supervision: follow it live, read-only; a note reaches the agent; take it over; close it.
      activeRow.getByText("Follow").click();
      assertThat(page.locator("[data-testid=live-timeline] li[data-seq='3'] .body")).hasText("Yes, we have it. 有货。");
      widget.locator("#pw-input").fill("And oolong?");
      widget.locator("#pw-input").press("Enter");
      assertThat(page.locator("[data-testid=live-timeline] li[data-seq='4'] .body")).hasText("And oolong?");
      page.getByLabel("Note to the agent").fill("Offer the spring harvest");
      page.getByText("Send note").click();
      assertThat(page.locator("[data-testid=notes]")).containsText("Offer the spring harvest");
      agent.awaitState(c -> c.noteFrames().stream().anyMatch(n -> n.path("text").asText().equals("Offer the spring harvest")), WAIT);
      checkPage(page, "live");
      page.getByTestId("take-over").click();
      assertThat(page.locator("[data-testid=live-timeline] li.joined").last()).containsText("joined");
      page.getByTestId("close").click();
      assertThat(page.getByTestId("live-status")).containsText("Closed");
      go(page, "dashboard");
      assertThat(page.getByTestId("count-active")).hasText("0");

      // Reports: today's conversation, counted for the one who had it last (the owner took it over).
      go(page, "reports");
      searchUntil(page, "Show", page.locator("[data-testid=report-conversations]:text-is('1')"));
      assertThat(page.locator("[data-testid=report-agents] tbody tr")).hasCount(1);
      assertThat(page.locator("[data-testid=report-agents] tbody tr")).containsText("owner");

      // History: the conversation is listed, found by English and by Chinese words, and its transcript opens.
      go(page, "history");
      searchUntilListed(page, "", conversation);
      searchUntilListed(page, "stock", conversation);
      searchUntilListed(page, "有货", conversation);
      page.locator("select[name=agent]").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("Lin"));
      searchUntilListed(page, "", conversation);
      page.getByLabel("Missed only").check();
      page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
      assertThat(page.locator("tr[data-conversation='" + conversation + "']")).hasCount(0);
      page.getByLabel("Missed only").uncheck();
      page.locator("select[name=agent]").selectOption("");
      searchUntilListed(page, "", conversation);
      checkPage(page, "history");
      page.locator("tr[data-conversation='" + conversation + "'] a").first().click();
      assertThat(page.locator("[data-testid=transcript] li[data-seq='1'] .body")).hasText("Is the jasmine tea in stock? 这个茉莉花茶有货吗");
      assertThat(page.locator("[data-testid=transcript] li[data-seq='3'] .body")).hasText("Yes, we have it. 有货。");
      assertThat(page.locator("[data-testid=transcript] li[data-seq='4'] .body")).hasText("And oolong?");
      assertThat(page.locator("tr[data-conversation='" + conversation + "']")).isVisible(); // the visitor's conversations
      checkPage(page, "transcript");

      // CSV export with progress: the file holds the conversation.
      go(page, "history");
      Download download = page.waitForDownload(() -> page.getByTestId("export").click());
      assertThat(page.getByTestId("export-progress")).containsText("Exported");
      String csv = Files.readString(download.path()).replace("\uFEFF", ""); // the export starts with a BOM for Excel
      assertThat(csv).startsWith("conversation_id").contains(conversation);
    }

    // Password change, then sign out and back in with the new password (and a later code).
    go(page, "account");
    assertThat(page.getByTestId("two-factor")).containsText("On");
    Locator change = page.getByTestId("password-change");
    change.getByLabel("Current password").fill(PASSWORD);
    change.getByLabel("New password (10–200 characters)").fill(PASSWORD + " 2");
    change.getByLabel("New password again").fill(PASSWORD + " 2");
    page.getByTestId("password-change").locator("button[type=submit]").click();
    assertThat(page.getByTestId("password-change").locator(".notice.ok")).containsText("Password changed");
    checkPage(page, "account");
    page.getByTestId("signout").click();
    assertThat(page.locator("h2")).hasText("Sign in");
    assertThat(server.request("POST", "/api/auth/login", null, Map.of("username", owner, "password", PASSWORD)).status())
        .isEqualTo(401);
  }

  @Test
  void chineseBrowsersGetChineseAndThePickIsRemembered() {
    Page page = open("zh-CN", 1280, 800);
    assertThat(page.locator("html")).hasAttribute("lang", "zh-CN");
    assertThat(page.locator("h2")).hasText("登录");
    page.getByLabel("用户名").fill(server.admin().username());
    page.getByLabel("密码").fill(server.admin().password());
    page.locator("button[type=submit]").click();
    assertThat(page.locator("main h1")).hasText("实时概览");
    assertThat(page.locator("nav")).containsText("历史记录");
    checkPage(page, "zh-dashboard");
    go(page, "history");
    checkPage(page, "zh-history");
    go(page, "team");
    checkPage(page, "zh-team");
    go(page, "widget");
    checkPage(page, "zh-widget");
    go(page, "site");
    checkPage(page, "zh-site");
    go(page, "routing");
    checkPage(page, "zh-routing");
    go(page, "replies");
    checkPage(page, "zh-replies");
    go(page, "invitations");
    assertThat(page.locator("main h1")).hasText("自动邀请");
    checkPage(page, "zh-invitations");
    go(page, "account");
    checkPage(page, "zh-account");

    // Dark, then English: both remembered across a reload (the session too, in this tab).
    page.getByTestId("theme").click();
    assertThat(page.locator("html")).hasAttribute("data-theme", "dark");
    page.getByTestId("lang").click();
    assertThat(page.locator("main h1")).hasText("My account");
    page.reload();
    assertThat(page.locator("main h1")).hasText("My account");
    assertThat(page.locator("html")).hasAttribute("data-theme", "dark");
    assertThat(page.locator("html")).hasAttribute("lang", "en");
    checkPage(page, "dark-account");
    go(page, "dashboard");
    checkPage(page, "dark-dashboard");
  }

  @Test
  void onAPhoneTheMenuFoldsAway() {
    Page page = open("en-US", 390, 844);
    signInAsAdmin(page);
    assertThat(page.locator("nav")).isHidden();
    page.getByText("Menu").click();
    assertThat(page.locator("nav")).isVisible();
    page.locator("nav").getByText("Team").click();
    assertThat(page.locator("main h1")).hasText("Team");
    assertThat(page.locator("nav")).isHidden();
    checkPage(page, "phone-team");
    go(page, "widget");
    checkPage(page, "phone-widget");
  }

  @Test
  void anotherSitesAdminSeesNothingOfThisSite() throws Exception {
    String mine = unique("mine");
    String theirs = unique("theirs");
    server.createSite(adminToken, mine);
    server.createSite(adminToken, theirs);
    String otherOwner = createOwner(theirs, "boss");
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(mine), server.origin(), null)) {
      visitor.send(null, "private words of the first site");
      visitor.awaitState(c -> c.currentConversationId() != null && c.lastSeq(c.currentConversationId()) >= 1, WAIT);
    }
    Page page = open("en-US", 1280, 800);
    page.getByLabel("User name").fill(otherOwner);
    page.getByLabel("Password").fill(PASSWORD);
    page.locator("button[type=submit]").click();
    assertThat(page.locator("main h1")).hasText("Dashboard");
    assertThat(page.locator(".site-name")).hasText("Site " + theirs);
    go(page, "history");
    page.getByLabel("Search messages").fill("private");
    page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
    assertThat(page.locator("main")).containsText("Nothing here yet.");
    Object status =
        page.evaluate(
            "async (site) => (await fetch('/api/sites/' + site + '/conversations', {headers: {Authorization: 'Bearer '"
                + " + JSON.parse(sessionStorage.getItem('parley-console-session')).token}})).status",
            mine);
    assertThat(status).isEqualTo(404);
    checkPage(page, "other-site-history");
  }

  @Test
  void theConsolePageIsLockedDownAndSmall() throws Exception {
    HttpResponse<byte[]> redirect = get("/console", Map.of());
    assertThat(redirect.statusCode()).isEqualTo(301);
    HttpResponse<byte[]> page = get("/console/", Map.of());
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'self' 'sha256-").doesNotContain("unsafe");
    assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");

    // What a first visit loads, gzip-encoded as browsers ask for it: the page and every file it pulls in.
    Page browserPage = open("en-US", 1280, 800);
    List<String> loaded = Collections.synchronizedList(new ArrayList<>());
    browserPage.onResponse(r -> loaded.add(URI.create(r.url()).getPath()));
    browserPage.reload();
    assertThat(browserPage.locator("h2")).hasText("Sign in");
    long total = 0;
    for (String path : List.copyOf(loaded)) {
      HttpResponse<byte[]> r = get(path, Map.of("Accept-Encoding", "gzip"));
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      total += r.body().length;
    }
    System.out.printf("console first load: %d files, %d bytes gzip-encoded%n", loaded.size(), total);
    Files.writeString(Paths.get("target", "console-first-load.txt"), loaded.size() + " files, " + total + " bytes gzip\n");
    assertThat(total).as("first load, gzip-encoded").isLessThan(150 * 1024);
    assertThat(loaded).as("the reports and their chart library wait for the reports page")
        .noneMatch(p -> p.contains("report") || p.contains("uPlot") || p.contains("charts"));

    // Every word exists in both languages.
    Object missing =
        browserPage.evaluate(
            "async () => { const { STRINGS } = await import('/console/i18n.js');"
                + " const en = Object.keys(STRINGS.en), zh = Object.keys(STRINGS.zh);"
                + " return en.filter(k => !zh.includes(k)).concat(zh.filter(k => !en.includes(k))); }");
    assertThat((List<?>) missing).as("keys in one language only").isEmpty();
  }

  // Helpers -------------------------------------------------------------------------------------------------------

  private Page open(String locale, int width, int height) {
    return browser.open(server.origin(), locale, width, height);
  }

  private static void go(Page page, String to) {
    ConsoleBrowser.go(page, server.origin(), to);
  }

  private static void signInAsAdmin(Page page) {
    page.getByLabel("User name").fill(server.admin().username());
    page.getByLabel("Password").fill(server.admin().password());
    page.locator("button[type=submit]").click();
    assertThat(page.locator("main h1")).isVisible();
  }

  /** Clicks the button named {@code button} until {@code shown} appears (read models trail the journal). */
  private static void searchUntil(Page page, String button, Locator shown) {
    ConsoleBrowser.clickUntilVisible(page.getByText(button, new Page.GetByTextOptions().setExact(true)), shown);
  }

  /** The shop's page at {@code path} (this server's origin, which the site allows) with the embed tag, chat open. */
  private static FrameLocator openShopWidget(Page console, String siteId, String path) {
    String address = server.origin() + path + "-" + java.util.UUID.randomUUID() + ".html";
    console.context().route(address, route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
        .setStatus(200).setContentType("text/html; charset=utf-8")
        .setBody("<!doctype html><html lang=en><head><meta charset=utf-8><title>Tea shop</title></head><body><h1>Jasmine</h1>"
            + "<script src='/widget.js' data-site='" + siteId + "' async></script></body></html>")));
    Page shop = console.context().newPage();
    shop.onPageError(e -> browser.pageErrors.add("shop page: " + e));
    shop.navigate(address);
    shop.locator("parley-widget button.b").click();
    FrameLocator panel = shop.frameLocator("parley-widget iframe");
    assertThat(panel.locator("#pw-input")).isVisible();
    return panel;
  }

  /** Searches until the read model lists the conversation (it trails the journal by well under a second). */
  private static void searchUntilListed(Page page, String text, String conversation) {
    Instant deadline = Instant.now().plus(WAIT);
    page.getByLabel("Search messages").fill(text);
    Locator row = page.locator("tr[data-conversation='" + conversation + "']");
    while (true) {
      page.getByText("Search", new Page.GetByTextOptions().setExact(true)).click();
      try {
        row.waitFor(new Locator.WaitForOptions().setTimeout(1000));
        return;
      } catch (com.microsoft.playwright.TimeoutError e) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("conversation " + conversation + " not found by '" + text + "'", e);
        }
      }
    }
  }

  private static void checkPage(Page page, String name) {
    browser.checkPage(page, name);
  }

  private String createOwner(String siteId, String name) {
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", name).put("role", "owner").put("password", PASSWORD);
    var r = server.request("POST", "/api/sites/" + siteId + "/accounts", adminToken, body);
    assertThat(r.status()).as("create %s: %s", name, r.body()).isEqualTo(201);
    return r.body().path("account").path("username").asText();
  }

  /** Turns two-step sign-in on for the account through the API and returns the authenticator's secret. */
  private static String enrolTwoFactor(String username) throws Exception {
    String token = server.login(username, PASSWORD);
    var enrol = server.request("POST", "/api/auth/2fa/enrol", token, null);
    String secret = enrol.body().path("secret").asText();
    var confirmed = server.request("POST", "/api/auth/2fa/confirm", token, Map.of("code", code(secret, Instant.now())));
    assertThat(confirmed.status()).as("confirm: %s", confirmed.body()).isEqualTo(200);
    return secret;
  }

  private static String code(String base32Secret, Instant at) throws Exception {
    return ConsoleBrowser.totp(base32Secret, at);
  }

  private static HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.origin() + path)).GET();
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
