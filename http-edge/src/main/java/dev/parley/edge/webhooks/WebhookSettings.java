package dev.parley.edge.webhooks;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code parley.webhooks}: how often each node looks for due deliveries, the request timeout, the retry backoff
 * (doubling from {@code backoff-min} to {@code backoff-max}, with jitter), when a delivery is given up, and whether
 * hooks may point at loopback and private addresses (off: a site's admin must not reach the node's own network).
 */
public record WebhookSettings(
    Duration pollInterval, Duration timeout, Duration backoffMin, Duration backoffMax, Duration giveUpAfter,
    boolean allowPrivateAddresses) {

  public static WebhookSettings fromConfig(Config root) {
    Config c = root.getConfig("parley.webhooks");
    return new WebhookSettings(
        c.getDuration("poll-interval"), c.getDuration("timeout"), c.getDuration("backoff-min"),
        c.getDuration("backoff-max"), c.getDuration("give-up-after"), c.getBoolean("allow-private-addresses"));
  }
}
