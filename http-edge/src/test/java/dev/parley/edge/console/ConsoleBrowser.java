package dev.parley.edge.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import dev.parley.edge.testing.Chromium;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Debian's Chromium driven by Playwright for the console's browser tests: pages that collect their errors (CSP
 * violations, exceptions), axe-core run in the page (from npm), and full-page screenshots into target/console-*.png
 * for people to look at. One per test class; {@link #closeContexts()} after each test.
 */
final class ConsoleBrowser implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(15);
  private static final Path AXE = Paths.get("..", "widget", "node_modules", "axe-core", "axe.min.js");

  private final Playwright playwright;
  private final Browser browser;
  private final String axeSource;
  /** Contexts opened by the running test; closed after it (test thread only). */
  private final List<BrowserContext> contexts = new ArrayList<>();
  /** Errors of every page opened, from Playwright's event threads. */
  final List<String> pageErrors = Collections.synchronizedList(new ArrayList<>());

  ConsoleBrowser() throws IOException {
    axeSource = Files.readString(AXE);
    playwright = Playwright.create();
    browser =
        Chromium.launch(playwright);
    PlaywrightAssertions.setDefaultAssertionTimeout(WAIT.toMillis());
    Files.createDirectories(Paths.get("target"));
  }

  /** A fresh browser context (no storage) with the console of {@code origin} open. */
  Page open(String origin, String locale, int width, int height) {
    return open(origin, locale, width, height, null);
  }

  /** As {@link #open(String, String, int, int)}, with the browser's clock in {@code timeZoneId} (null: the machine's). */
  Page open(String origin, String locale, int width, int height, String timeZoneId) {
    BrowserContext context =
        browser.newContext(new Browser.NewContextOptions().setLocale(locale).setViewportSize(width, height).setAcceptDownloads(true)
            .setTimezoneId(timeZoneId));
    context.setDefaultTimeout(WAIT.toMillis());
    contexts.add(context);
    Page page = context.newPage();
    page.onDialog(d -> d.accept());
    page.onPageError(e -> pageErrors.add(e));
    page.onConsoleMessage(msg -> {
      if (msg.type().equals("error") && !msg.text().contains("Failed to load resource")) {
        pageErrors.add(msg.text());
      }
    });
    page.navigate(origin + "/console/");
    return page;
  }

  /** Closes the test's pages and fails if any of them reported an error. */
  void closeContexts() {
    contexts.forEach(BrowserContext::close);
    contexts.clear();
    List<String> errors = List.copyOf(pageErrors);
    pageErrors.clear();
    assertThat(errors).as("errors in the console's pages (CSP violations, exceptions)").isEmpty();
  }

  static void go(Page page, String origin, String to) {
    page.navigate(origin + "/console/#/" + to);
    assertThat(page.locator("main[data-page='" + to + "']")).isVisible();
  }

  static void signIn(Page page, String username, String password) {
    page.locator("input[name=username]").fill(username); // in any language
    page.locator("input[name=password]").fill(password);
    page.locator("button[type=submit]").click();
    assertThat(page.locator("main h1")).isVisible();
  }

  /**
   * Clicks {@code button} until {@code locator} shows up: for read models, which trail the journal by well under
   * a second.
   */
  static void clickUntilVisible(Locator button, Locator locator) {
    Instant deadline = Instant.now().plus(WAIT);
    while (true) {
      button.click();
      try {
        locator.first().waitFor(new Locator.WaitForOptions().setTimeout(1000));
        return;
      } catch (com.microsoft.playwright.TimeoutError e) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError(locator + " did not appear", e);
        }
      }
    }
  }

  /** axe-core finds no serious or critical violation; then a screenshot for people to look at. */
  void checkPage(Page page, String name) {
    page.evaluate(axeSource);
    Object result =
        page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                + " return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')); }");
    assertThat((List<?>) result).as("serious accessibility violations on %s", name).isEmpty();
    page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "console-" + name + ".png")).setFullPage(true));
  }

  /** The code an authenticator app shows at {@code at} for an enrolment's base32 secret. */
  static String totp(String base32Secret, Instant at) throws Exception {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream key = new java.io.ByteArrayOutputStream();
    long buffer = 0;
    int bits = 0;
    for (char c : base32Secret.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        key.write((int) (buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return new com.eatthepath.otp.TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6)
        .generateOneTimePasswordString(new javax.crypto.spec.SecretKeySpec(key.toByteArray(), "HmacSHA1"), at, java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
