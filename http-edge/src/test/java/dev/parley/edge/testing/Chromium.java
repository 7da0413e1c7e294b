package dev.parley.edge.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Debian's Chromium (ops/test-all installs it), headless, for every browser test. */
public final class Chromium {

  private static final List<String> ARGS =
      List.of("--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync", "--disable-background-networking",
          "--disable-component-update");

  private Chromium() {}

  /** A headless Chromium with the usual quiet switches and {@code extraArgs}. */
  public static Browser launch(Playwright playwright, String... extraArgs) {
    List<String> args = new ArrayList<>(ARGS);
    args.addAll(List.of(extraArgs));
    return playwright
        .chromium()
        .launch(
            new BrowserType.LaunchOptions()
                .setExecutablePath(Paths.get("/usr/bin/chromium"))
                .setHeadless(true)
                .setArgs(args));
  }
}
