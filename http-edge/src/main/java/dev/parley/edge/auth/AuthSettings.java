package dev.parley.edge.auth;

import com.typesafe.config.Config;
import java.time.Duration;

/** Sign-in settings, from {@code parley.edge.auth} (application.conf explains each). */
public record AuthSettings(
    Duration maxSession, Duration challengeTtl, int hashingThreads, int hashingQueue, String totpIssuer) {

  public static AuthSettings fromConfig(Config root) {
    Config c = root.getConfig("parley.edge.auth");
    return new AuthSettings(
        c.getDuration("max-session"),
        c.getDuration("challenge-ttl"),
        c.getInt("hashing-threads"),
        c.getInt("hashing-queue"),
        c.getString("totp-issuer"));
  }
}
