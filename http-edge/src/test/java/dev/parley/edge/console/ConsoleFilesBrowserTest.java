package dev.parley.edge.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's Files page in a real headless Chromium against a real server: an owner uploads a file into the
 * site's library (checked by the server like any upload), renames and deletes it, and sets the site's file limits,
 * which the next upload meets; in English and Chinese.
 */
class ConsoleFilesBrowserTest extends ServerTest {

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
  void anOwnerManagesTheLibraryAndTheSitesFileLimits() throws Exception {
    String site = unique("consolefiles");
    server.createSite(adminToken, site);
    ObjectNode body =
        WireClient.JSON.createObjectNode().put("username", "owner-" + site).put("role", "owner").put("password", PASSWORD);
    var created = server.request("POST", "/api/sites/" + site + "/accounts", adminToken, body);
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    String owner = created.body().path("account").path("username").asText();
    Path dir = Files.createTempDirectory("console-files");
    Path chart = dir.resolve("size chart.png");
    BufferedImage image = new BufferedImage(240, 160, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(7);
    for (int y = 0; y < 160; y++) {
      for (int x = 0; x < 240; x++) {
        image.setRGB(x, y, random.nextInt(0xFFFFFF));
      }
    }
    ImageIO.write(image, "png", chart.toFile());
    Path page1 = dir.resolve("page.png"); // HTML under an image's name: refused by its content
    Files.writeString(page1, "<html><body><script>alert(1)</script></body></html>");

    Page page = browser.open(server.origin(), "en-US", 1280, 900);
    ConsoleBrowser.signIn(page, owner, PASSWORD);
    ConsoleBrowser.go(page, server.origin(), "files");
    Locator add = page.getByTestId("add-file");
    add.getByLabel("File to add").setInputFiles(chart);
    add.locator("button[type=submit]").click();
    Locator rows = page.getByTestId("library").locator("tbody tr");
    assertThat(rows).hasCount(1);
    assertThat(rows.first()).containsText("size chart.png");
    assertThat(rows.first()).containsText("image/png");
    assertThat(rows.first()).containsText("240×160");
    browser.checkPage(page, "files");

    // Refused by content: nothing added, the refusal shown.
    add.getByLabel("File to add").setInputFiles(page1);
    add.locator("button[type=submit]").click();
    assertThat(page.locator("section[aria-labelledby=library-title] .notice.error")).isVisible();
    assertThat(rows).hasCount(1);

    // Rename; the name agents see changes.
    rows.first().getByText("Rename").click();
    rows.first().getByLabel("New name").fill("尺码表 <b>.png");
    rows.first().getByText("Save").click();
    assertThat(rows.first()).containsText("尺码表 <b>.png");
    assertThat(server.request("GET", "/api/sites/" + site + "/library", adminToken, null).body().get(0).path("name")
        .asText()).isEqualTo("尺码表 <b>.png");

    // Limits: 0.5 MiB and PNG only; the next PDF upload is refused by the server.
    Locator limits = page.getByTestId("file-limits");
    limits.getByLabel("Largest file (MiB)").fill("0.5");
    limits.getByLabel("Allowed types (media types, one a line)").fill("image/png\nimage/jpeg");
    limits.locator("button[type=submit]").click();
    assertThat(page.locator("section[aria-labelledby=limits-title] .notice.ok")).isVisible();
    var policy = server.request("GET", "/api/sites/" + site + "/file-policy", adminToken, null).body();
    assertThat(policy.path("maxFileBytes").asLong()).isEqualTo(512 * 1024);
    assertThat(policy.path("allowedTypes").toString()).isEqualTo("[\"image/png\",\"image/jpeg\"]");
    limits.getByLabel("Allowed types (media types, one a line)").fill("image/svg+xml");
    limits.locator("button[type=submit]").click();
    assertThat(page.locator("section[aria-labelledby=limits-title] .notice.error")).containsText("allowedTypes");

    // In Chinese.
    page.getByTestId("lang").click();
    assertThat(page.locator("main h1")).hasText("文件");
    assertThat(page.getByText("常用文件库")).isVisible();

    // Delete: the library is empty and the file's bytes are gone.
    rows.first().getByText("移除").click();
    assertThat(page.getByTestId("library")).hasCount(0);
    assertThat(server.request("GET", "/api/sites/" + site + "/library", adminToken, null).body()).isEmpty();
  }
}
