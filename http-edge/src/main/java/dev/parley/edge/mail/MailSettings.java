package dev.parley.edge.mail;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the node sends e-mail, read from {@code parley.mail} (application.conf, {@code PARLEY_SMTP_*} and
 * {@code PARLEY_MAIL_*} variables). Mail is off while {@code smtp-host} is empty; {@code teamTo} is where visitors'
 * left messages go (empty: nowhere, the messages still wait in the queue for agents).
 *
 * @param security {@code none}, {@code starttls} (required, not opportunistic) or {@code tls} (implicit, port 465)
 */
public record MailSettings(
    String host,
    int port,
    String username,
    String password,
    String security,
    String from,
    String teamTo,
    int maxAttempts,
    Duration timeout) {

  public static MailSettings fromConfig(Config root) {
    Config c = root.getConfig("parley.mail");
    String security = c.getString("smtp-security");
    if (!security.equals("none") && !security.equals("starttls") && !security.equals("tls")) {
      throw new IllegalArgumentException("parley.mail.smtp-security must be none, starttls or tls: " + security);
    }
    return new MailSettings(
        c.getString("smtp-host").trim(),
        c.getInt("smtp-port"),
        c.getString("smtp-user"),
        c.getString("smtp-password"),
        security,
        c.getString("from"),
        c.getString("team-to").trim(),
        c.getInt("max-attempts"),
        c.getDuration("timeout"));
  }

  /** Whether an SMTP server is configured at all. */
  public boolean enabled() {
    return !host.isEmpty();
  }

  /** Never the password. */
  @Override
  public String toString() {
    return "MailSettings[" + security + "://" + host + ":" + port + ", user " + (username.isEmpty() ? "-" : username)
        + ", from " + from + ", team " + (teamTo.isEmpty() ? "-" : teamTo) + "]";
  }
}
