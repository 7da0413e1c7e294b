package dev.parley.edge.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
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
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's "leave a message, and someone hears it": with nobody online, the widget in a real headless Chromium
 * offers a form; what the visitor leaves waits in the queue and reaches the team's mailbox through a real SMTP
 * server in this process (GreenMail), sent by the node's {@link Mailer}; at the end of a chat the visitor asks for
 * its transcript and gets it in their mailbox.
 */
class WidgetMailBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TEAM = "team@jade-tea.example";

  private static GreenMail smtp;
  private static TestServer server;
  private static String adminToken;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() {
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of(
                "parley.mail.smtp-host", "127.0.0.1",
                "parley.mail.smtp-port", smtp.getSmtp().getPort(),
                "parley.mail.smtp-security", "none",
                "parley.mail.team-to", TEAM));
    adminToken = server.adminToken();
    playwright = Playwright.create();
    browser =
        Chromium.launch(playwright);
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
    if (server != null) {
      server.close();
    }
    if (smtp != null) {
      smtp.stop();
    }
  }

  @Test
  void withNobodyOnlineTheVisitorLeavesAMessageAndTheTeamGetsAnEmail() throws Exception {
    String site = "leave-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    try (BrowserContext context =
        browser.newContext(new Browser.NewContextOptions().setLocale("en-US").setViewportSize(1100, 760))) {
      int before = smtp.getReceivedMessages().length; // other tests' mails have all arrived: they wait for them
      Page page = openHost(context, site);
      page.locator("parley-widget button.b").click();
      FrameLocator panel = page.frameLocator("parley-widget iframe");
      expect(panel.locator("#pw-leave")).isVisible();
      expect(panel.locator("#pw-notice")).hasText(
          "Nobody is online right now. Leave a message and we will get back to you by email.");
      expect(panel.locator("#pw-compose")).isHidden();
      expect(panel.locator("#pw-sub")).hasText("We will answer by email"); // not "in a few minutes"

      panel.locator("#pw-leave input[name=email]").fill("not-an-address");
      panel.locator("#pw-leave textarea").fill("Do you have Longjing 2026? 请回复我。");
      panel.locator("#pw-leave button[type=submit]").click();
      expect(panel.locator("#pw-leave-err")).hasText("Please enter a valid email address.");
      assertThat(smtp.getReceivedMessages()).hasSize(before); // a refused form sends nothing

      panel.locator("#pw-leave input[name=email]").fill("han@example.com");
      panel.locator("#pw-leave button[type=submit]").click();
      expect(panel.locator("#pw-notice")).hasText("Thank you! We will answer at han@example.com.");
      expect(panel.locator(".pw-mine .pw-bubble")).hasText("Do you have Longjing 2026? 请回复我。"); // in the queue too
      Files.createDirectories(Paths.get("target"));
      page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "widget-leave-message.png")));

      MimeMessage mail = awaitMail(m -> m.getSubject().contains("han@example.com")); // other tests mail the team too
      assertThat(mail.getAllRecipients()).extracting(Object::toString).containsExactly(TEAM);
      assertThat(((InternetAddress) mail.getReplyTo()[0]).getAddress()).isEqualTo("han@example.com");
      assertThat(mail.getSubject()).contains("han@example.com");
      assertThat(GreenMailUtil.getBody(mail)).isNotBlank();
      assertThat(mail.getContent().toString()).contains("Do you have Longjing 2026? 请回复我。").contains(site);
    }
  }

  @Test
  void atTheEndOfAChatTheVisitorGetsTheTranscriptByEmail() throws Exception {
    String site = "transcript-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    String agentToken = agentToken(site, "Lin Wei");
    String visitorMail = "mei-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
    try (ChatClient agent = ChatClient.agent(server.agentUri(), agentToken);
        BrowserContext context =
            browser.newContext(new Browser.NewContextOptions().setLocale("en-US").setViewportSize(1100, 760))) {
      agent.awaitState(ChatClient::isReady, WAIT);
      Page page = openHost(context, site);
      page.locator("parley-widget button.b").click();
      FrameLocator panel = page.frameLocator("parley-widget iframe");
      expect(panel.locator("#pw-compose")).isVisible();
      panel.locator("#pw-input").fill("Is the Tieguanyin in stock?");
      panel.locator("#pw-input").press("Enter");
      expect(panel.locator(".pw-mine[data-seq='1']")).isVisible();
      String conversation = (String) panel.locator("body").evaluate("() => parleyDebug().conversation");
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String reply = agent.send(conversation, "Yes, 50 g tins 有货.");
      agent.awaitState(c -> c.ack(reply) != null, WAIT);
      agent.sendIfConnected(WireClient.frame("close").put("id", "close-" + conversation).put("conversationId", conversation));

      Locator offer = panel.locator(".pw-tr");
      expect(offer.locator("button")).hasText("Email me this chat");
      offer.locator("input").fill(visitorMail);
      offer.locator("button").click();
      expect(panel.locator(".pw-tr")).hasText("The transcript is on its way to your inbox.");
      page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "widget-transcript.png")));

      MimeMessage mail = awaitMail(m -> m.getAllRecipients()[0].toString().equals(visitorMail));
      assertThat(mail.getSubject()).isEqualTo("Your chat transcript");
      String text = mail.getContent().toString();
      assertThat(text).contains("You: Is the Tieguanyin in stock?").contains("Lin Wei: Yes, 50 g tins 有货.");
      assertThat(text.indexOf("You: Is the")).isLessThan(text.indexOf("Lin Wei: Yes"));

      // Only the chat's own visitor may ask: no token, or another visitor's, is refused.
      TestServer.Response anonymous =
          server.request(
              "POST", "/widget/transcript?site=" + site, null,
              Map.of("conversationId", conversation, "email", "x@example.com"));
      assertThat(anonymous.status()).isEqualTo(401);
    }
  }

  /** The first mail received that matches, waiting for it with a deadline. */
  private static MimeMessage awaitMail(MailMatch match) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (MimeMessage m : smtp.getReceivedMessages()) {
        if (match.test(m)) {
          return m;
        }
      }
      smtp.waitForIncomingEmail(200, smtp.getReceivedMessages().length + 1);
    }
    throw new AssertionError("no such mail within " + WAIT);
  }

  private interface MailMatch {
    boolean test(MimeMessage m) throws Exception;
  }

  private static String agentToken(String site, String displayName) {
    String username = "t-" + UUID.randomUUID().toString().substring(0, 8);
    var body =
        WireClient.JSON.createObjectNode().put("username", username).put("role", "agent").put("displayName", displayName);
    TestServer.Response r = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return server.login(r.body().path("account").path("username").asText(), r.body().path("password").asText());
  }

  @Test
  void aSitesFormMailsTheTeamAtMostThirtyTimesAnHour() {
    String site = "flood-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    int before = smtp.getReceivedMessages().length;
    for (int i = 0; i < LeaveMessageRoutes.MAX_MAILS_PER_SITE_PER_HOUR; i++) {
      TestServer.Response ok =
          server.request(
              "POST", "/widget/message?site=" + site, null, Map.of("email", "a@example.com", "text", "message " + i));
      assertThat(ok.status()).isEqualTo(202);
      assertThat(ok.body().path("mailed").asBoolean()).isTrue();
    }
    TestServer.Response over =
        server.request("POST", "/widget/message?site=" + site, null, Map.of("email", "a@example.com", "text", "more"));
    assertThat(over.status()).isEqualTo(429);
    assertThat(over.body().path("error").path("code").asText()).isEqualTo("rate-limited");
    assertThat(smtp.waitForIncomingEmail(WAIT.toMillis(), before + LeaveMessageRoutes.MAX_MAILS_PER_SITE_PER_HOUR))
        .isTrue();
    assertThat(smtp.getReceivedMessages()).hasSize(before + LeaveMessageRoutes.MAX_MAILS_PER_SITE_PER_HOUR);
  }

  @Test
  void aSiteWithItsOwnTeamAddressGetsItsMessagesThereAndOthersStillGoToTheOperators() throws Exception {
    String own = "own-" + UUID.randomUUID().toString().substring(0, 8);
    String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, own);
    server.createSite(adminToken, other);
    String ownTeam = "help-" + own + "@jade-tea.example";
    String path = "/api/sites/" + own + "/team-email";
    assertThat(server.request("GET", path, adminToken, null).body().path("teamEmail").isMissingNode()).isTrue();

    TestServer.Response bad = server.request("PUT", path, adminToken, Map.of("teamEmail", "help at jade"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("error").path("field").asText()).isEqualTo("teamEmail");
    TestServer.Response byAgent =
        server.request("PUT", path, agentToken(own, "Lin Wei"), Map.of("teamEmail", "agent@example.com"));
    assertThat(byAgent.status()).isEqualTo(403);
    TestServer.Response set = server.request("PUT", path, adminToken, Map.of("teamEmail", ownTeam));
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    assertThat(server.request("GET", path, adminToken, null).body().path("teamEmail").asText()).isEqualTo(ownTeam);

    String ownVisitor = "a-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
    String otherVisitor = "b-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
    assertThat(server.request("POST", "/widget/message?site=" + own, null,
        Map.of("email", ownVisitor, "text", "For the shop with its own address")).status()).isEqualTo(202);
    assertThat(server.request("POST", "/widget/message?site=" + other, null,
        Map.of("email", otherVisitor, "text", "For the shop without one")).status()).isEqualTo(202);

    MimeMessage toOwn = awaitMail(m -> m.getSubject().contains(ownVisitor));
    assertThat(toOwn.getAllRecipients()).extracting(Object::toString).containsExactly(ownTeam);
    MimeMessage toOperator = awaitMail(m -> m.getSubject().contains(otherVisitor));
    assertThat(toOperator.getAllRecipients()).extracting(Object::toString).containsExactly(TEAM);

    // Cleared, the site falls back to the operator's address again.
    java.util.HashMap<String, Object> clear = new java.util.HashMap<>();
    clear.put("teamEmail", null);
    assertThat(server.request("PUT", path, adminToken, clear).status()).isEqualTo(200);
    String again = "c-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
    assertThat(server.request("POST", "/widget/message?site=" + own, null,
        Map.of("email", again, "text", "After clearing")).status()).isEqualTo(202);
    assertThat(awaitMail(m -> m.getSubject().contains(again)).getAllRecipients())
        .extracting(Object::toString).containsExactly(TEAM);
  }

  @Test
  void aBadAddressOrAnUnknownSiteIsRefusedAndNothingIsSent() {
    String site = "leave-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    int before = smtp.getReceivedMessages().length; // other tests' mails have all arrived: they wait for them
    TestServer.Response bad =
        server.request(
            "POST", "/widget/message?site=" + site, null, Map.of("email", "han at example", "text", "hi"));
    TestServer.Response empty =
        server.request("POST", "/widget/message?site=" + site, null, Map.of("email", "han@example.com", "text", " "));
    TestServer.Response nowhere =
        server.request(
            "POST", "/widget/message?site=no-such-site", null, Map.of("email", "han@example.com", "text", "hi"));

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("error").path("field").asText()).isEqualTo("email");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.body().path("error").path("field").asText()).isEqualTo("text");
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(nowhere.body().path("error").path("code").asText()).isEqualTo("unknown-site");
    assertThat(smtp.getReceivedMessages()).hasSize(before);
  }

  private static Page openHost(BrowserContext context, String site) {
    String path = "/test-host-" + UUID.randomUUID() + ".html";
    String html =
        "<!doctype html><html><head><meta charset='utf-8'><title>Tea shop</title></head><body><h1>Tea shop</h1>"
            + "<script src='/widget.js' data-site='" + site + "' async></script></body></html>";
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
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
    return page;
  }

  private static LocatorAssertions expect(Locator locator) {
    return PlaywrightAssertions.assertThat(locator);
  }
}
