package dev.parley.edge.admission;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The limits on what one client address, one visitor and one site may do, read from
 * {@code parley.edge.admission}. Every value and why it is what it is: docs/SECURITY.md, "Limits". With
 * {@code enabled = false} nothing is limited (benchmarks of the bare path; never in production).
 */
public record AdmissionSettings(
    boolean enabled,
    String trustedProxies,
    int maxConnectionsPerAddress,
    int maxConnectionsPerSite,
    Rate hellosPerAddress,
    Rate conversationsPerAddress,
    Rate conversationsPerSite,
    int maxWaitingPerAddress,
    Rate sendsPerVisitor,
    Rate sendsPerAddress,
    Rate identifiesPerVisitor,
    int fallbackPerAddress,
    int fallbackPercentPerSite,
    Duration headerTimeout) {

  /** A token bucket: {@code burst} at once, then one more every {@code every}. */
  public record Rate(int burst, Duration every) {
    static Rate of(Config c, String name) {
      return new Rate(c.getInt(name + ".burst"), c.getDuration(name + ".every"));
    }
  }

  public static AdmissionSettings fromConfig(Config root) {
    Config c = root.getConfig("parley.edge.admission");
    return new AdmissionSettings(
        c.getBoolean("enabled"),
        c.getString("trusted-proxies"),
        c.getInt("max-connections-per-address"),
        c.getInt("max-connections-per-site"),
        Rate.of(c, "hellos-per-address"),
        Rate.of(c, "conversations-per-address"),
        Rate.of(c, "conversations-per-site"),
        c.getInt("max-waiting-per-address"),
        Rate.of(c, "sends-per-visitor"),
        Rate.of(c, "sends-per-address"),
        Rate.of(c, "identifies-per-visitor"),
        c.getInt("fallback-connections-per-address"),
        c.getInt("fallback-connections-percent-per-site"),
        c.getDuration("header-timeout"));
  }
}
