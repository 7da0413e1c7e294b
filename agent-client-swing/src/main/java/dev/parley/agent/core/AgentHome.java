package dev.parley.agent.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The per-user directory where the client keeps settings, quick replies and outboxes ({@code ~/.parley-agent}).
 * Tests and portable installs point it elsewhere with {@code -Dparley.agent.home=DIR}.
 */
public record AgentHome(Path dir) {

  public static AgentHome fromSystem() {
    String override = System.getProperty("parley.agent.home");
    Path dir = override != null ? Path.of(override) : Path.of(System.getProperty("user.home"), ".parley-agent");
    return new AgentHome(dir);
  }

  public AgentHome {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  public Path settingsFile() {
    return dir.resolve("settings.properties");
  }

  public Path outboxFile(String agentId) {
    // Agent ids are server-issued; keep only safe characters so an id can never name a path elsewhere.
    return dir.resolve("outbox-" + agentId.replaceAll("[^A-Za-z0-9_-]", "_") + ".json");
  }

  public Path personalQuickReplies() {
    return dir.resolve("quick-replies.txt");
  }
}
