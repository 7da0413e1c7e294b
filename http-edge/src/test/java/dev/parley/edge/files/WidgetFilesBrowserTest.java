package dev.parley.edge.files;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.FilePayload;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.Chromium;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The widget's files in real Chromium against a real node: a visitor pastes an image and picks a PDF, the agent
 * (a wire-protocol client) sees both and answers with an image the panel shows; an upload cut by the network and a
 * page reload resumes from where the server stood and is stored once.
 */
class WidgetFilesBrowserTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Playwright playwright;
  private static Browser browser;
  private BrowserContext context;
  private final List<String> dialogs = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startBrowser() {
    playwright = Playwright.create();
    browser = Chromium.launch(playwright, "--disable-quic");
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
  }

  @AfterEach
  void closeContext() {
    context.close();
    assertThat(dialogs).isEmpty();
  }

  private Page openPanelPage(String site) {
    String path = "/test-host-" + UUID.randomUUID() + ".html";
    String html = "<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head><body><h1>Shop</h1>"
        + "<script src='/widget.js' data-site='" + site + "' async></script></body></html>";
    context.route(server.origin() + path, route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
        .setStatus(200).setContentType("text/html; charset=utf-8").setBody(html)));
    Page page = context.newPage();
    page.onDialog(d -> {
      dialogs.add(d.message());
      d.dismiss();
    });
    page.navigate(server.origin() + path);
    page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
    return page;
  }

  private static FrameLocator open(Page page) {
    page.locator("parley-widget button.b").click();
    FrameLocator panel = page.frameLocator("parley-widget iframe");
    assertThat(panel.locator("#pw-conn")).hasAttribute("data-state", "online");
    return panel;
  }

  private static void paste(FrameLocator panel, String name, byte[] bytes) {
    panel.locator("#pw-input").evaluate(
        "(input, a) => { const bytes = Uint8Array.from(atob(a.b64), c => c.charCodeAt(0));"
            + " const dt = new DataTransfer(); dt.items.add(new File([bytes], a.name, {type: 'image/png'}));"
            + " input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); }",
        java.util.Map.of("b64", Base64.getEncoder().encodeToString(bytes), "name", name));
  }

  private static List<JsonNode> files(ChatClient agent, String conversation) {
    return agent.timeline(conversation).stream().filter(e -> e.has("attachment")).toList();
  }

  @Test
  void aVisitorPastesAnImageAndSendsAPdfAndTheAgentSeesBothAndAnswersWithAnImage() throws Exception {
    String agentToken = server.createAgent(adminToken, "demo", unique("files"));
    try (ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      agent.awaitState(ChatClient::isReady, WAIT);
      Page page = openPanelPage("demo");
      FrameLocator panel = open(page);

      paste(panel, "screenshot.png", SampleFiles.image("png", 640, 480, 21));
      assertThat(panel.locator(".pw-mine[data-seq] .pw-fname")).hasText("screenshot.png");
      panel.locator("#pw-file").setInputFiles(new FilePayload("发票.pdf", "application/pdf", SampleFiles.pdf()));
      assertThat(panel.locator(".pw-mine[data-seq] .pw-fname")).hasText(new String[] {"screenshot.png", "发票.pdf"});
      // The visitor's own image shows from its signed thumbnail link.
      page.frameLocator("parley-widget iframe").locator(".pw-mine[data-seq] img.pw-thumb")
          .evaluate("img => new Promise(ok => img.complete && img.naturalWidth ? ok() : img.addEventListener('load', ok))");
      assertThat(panel.locator(".pw-mine[data-seq] a.pw-file").last()).hasAttribute("href",
          java.util.regex.Pattern.compile("^/files/[0-9a-f-]{36}\\?site=demo&viewer=visitor%3A.*&sig="));

      String conversation = (String) panel.locator("body").evaluate("() => parleyDebug().conversation");
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null && files(c, conversation).size() == 2, WAIT);
      List<JsonNode> seen = files(agent, conversation);
      assertThat(seen.get(0).path("attachment").path("name").asText()).isEqualTo("screenshot.png");
      assertThat(seen.get(0).path("attachment").path("type").asText()).isEqualTo("image/png");
      assertThat(seen.get(1).path("attachment").path("name").asText()).isEqualTo("发票.pdf");
      assertThat(seen.get(1).path("attachment").path("type").asText()).isEqualTo("application/pdf");

      // The agent answers with an image: the panel shows its thumbnail, as an image, not as markup.
      HttpResponse<String> up = HTTP.send(
          HttpRequest.newBuilder(URI.create(server.origin() + "/files/uploads/chart-1?site=demo&name="
                  + java.net.URLEncoder.encode("<b>sizes</b>.png", java.nio.charset.StandardCharsets.UTF_8)))
              .header("Authorization", "Bearer " + agentToken)
              .PUT(HttpRequest.BodyPublishers.ofByteArray(SampleFiles.image("png", 300, 200, 3))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
      String reply = UUID.randomUUID().toString();
      var frame = WireClient.frame("send").put("id", reply).put("conversationId", conversation);
      frame.putObject("attachment").put("uploadId", "chart-1");
      agent.sendIfConnected(frame);
      assertThat(panel.locator(".pw-theirs .pw-fname")).hasText("<b>sizes</b>.png");
      assertThat(panel.locator(".pw-theirs b")).hasCount(0);
      panel.locator(".pw-theirs img.pw-thumb")
          .evaluate("img => new Promise(ok => img.complete && img.naturalWidth ? ok() : img.addEventListener('load', ok))");
      assertThat((Number) panel.locator(".pw-theirs img.pw-thumb").evaluate("img => img.naturalWidth")).isEqualTo(320);
    }
  }

  @Test
  void anUploadCutByTheNetworkResumesAfterAReloadFromWhereTheServerStoodAndIsStoredOnce() throws Exception {
    String agentToken = server.createAgent(adminToken, "demo", unique("resume"));
    try (ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      agent.awaitState(ChatClient::isReady, WAIT);
      Page page = openPanelPage("demo");
      FrameLocator panel = open(page);
      panel.locator("#pw-input").fill("a photo follows");
      panel.locator("#pw-input").press("Enter");
      assertThat(panel.locator(".pw-mine[data-seq='1']")).hasCount(1);
      String conversation = (String) panel.locator("body").evaluate("() => parleyDebug().conversation");

      byte[] photo = SampleFiles.image("png", 700, 500, 17); // about 1 MB: four chunks
      int chunk = 256 * 1024;
      assertThat(photo.length).isGreaterThan(3 * chunk);
      AtomicBoolean cut = new AtomicBoolean(true);
      List<String> ranges = Collections.synchronizedList(new ArrayList<>());
      context.route("**/files/uploads/**", route -> {
        String range = route.request().headers().get("content-range");
        if ("PUT".equals(route.request().method()) && range != null) {
          ranges.add(range);
          if (cut.get() && !range.startsWith("bytes 0-") && !range.startsWith("bytes " + chunk + "-")) {
            route.abort(); // the network goes after two chunks
            return;
          }
        }
        route.resume();
      });
      panel.locator("#pw-file").setInputFiles(new FilePayload("parcel.png", "image/png", photo));
      // Two chunks stored, the third cut: the progress stops there (the file waits, unsent, in the outbox).
      assertThat(panel.locator(".pw-mine:not([data-seq]) .pw-progress"))
          .hasText("Uploading " + Math.round(2.0 * chunk * 100 / photo.length) + "%");
      page.waitForCondition(() -> ranges.stream().anyMatch(r -> r.startsWith("bytes " + 2 * chunk + "-")));

      page.reload();
      cut.set(false);
      ranges.clear();
      page.waitForFunction("() => window.__parleyLoaded === 1 && !!window.Parley.open");
      FrameLocator again = open(page);
      assertThat(again.locator(".pw-mine[data-seq] .pw-fname")).hasText("parcel.png");
      assertThat(ranges.get(0)).startsWith("bytes " + 2 * chunk + "-"); // resumed, not started again

      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null && files(c, conversation).size() == 1, WAIT);
      JsonNode file = files(agent, conversation).get(0).path("attachment");
      assertThat(file.path("size").asLong()).isEqualTo(photo.length);
      var link = server.request("GET", "/files/" + file.path("fileId").asText() + "/link?site=demo", agentToken, null);
      HttpResponse<byte[]> bytes = HTTP.send(
          HttpRequest.newBuilder(URI.create(server.origin() + link.body().path("url").asText())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(bytes.body()).isEqualTo(photo);
      try (var c = java.sql.DriverManager.getConnection(
              server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
          var ps = c.prepareStatement("SELECT count(*) FROM file_upload WHERE name = 'parcel.png' AND site_id = 'demo'"
              + " AND conversation_id = ?")) {
        ps.setString(1, conversation);
        try (var rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getLong(1)).isEqualTo(1);
        }
      }
    }
  }
}
