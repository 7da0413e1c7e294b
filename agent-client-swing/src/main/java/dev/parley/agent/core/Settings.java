package dev.parley.agent.core;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The person's remembered choices: server URL, username, theme and language. The password is never stored
 * here (nor anywhere else); only the session token lives in memory.
 */
public final class Settings {

  private static final Logger LOG = LoggerFactory.getLogger(Settings.class);

  public static final String SERVER_URL = "server.url";
  /** The one plain-http address of another machine the agent confirmed to use unencrypted (ServerAddress). */
  public static final String PLAIN_HTTP_CONFIRMED = "server.plainHttpConfirmed";
  public static final String USERNAME = "username";
  public static final String THEME = "theme";
  public static final String LANGUAGE = "language";

  private final Path file;
  // Owned by whoever calls; the UI touches it on the EDT only.
  private final Properties values = new Properties();

  public Settings(Path file) {
    this.file = file;
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        values.load(reader);
      } catch (IOException e) {
        LOG.warn("could not read settings {}; starting with defaults", file, e);
      }
    }
  }

  public String get(String key, String fallback) {
    return values.getProperty(key, fallback);
  }

  public void put(String key, String value) {
    values.setProperty(key, value);
  }

  public void save() {
    try {
      StringWriter out = new StringWriter();
      values.store(out, "Parley agent settings (no password is ever stored here)");
      AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.warn("could not save settings {}", file, e);
    }
  }
}
