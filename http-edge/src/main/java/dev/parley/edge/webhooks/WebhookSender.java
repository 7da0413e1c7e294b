package dev.parley.edge.webhooks;

import dev.parley.persistence.webhook.Webhooks;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhooks' pending deliveries, on every node: every {@code poll-interval} it leases due deliveries
 * ({@link Webhooks#claim}: the oldest pending one per hook and conversation, so each conversation's events arrive
 * in order), posts each signed ({@link WebhookSignature}), and records the outcome. A 2xx answer delivers; anything
 * else is retried with doubling backoff and jitter until {@code give-up-after} has passed since the event. A node that
 * dies mid-send leaves a lease that runs out, and another node sends again: at least once, never lost. Receivers
 * deduplicate on {@code Parley-Delivery}.
 */
public final class WebhookSender implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  /** Deliveries sent at once by one node (each to a different hook or conversation). */
  public static final int MAX_IN_FLIGHT = 16;
  public static final String USER_AGENT = "Parley-Webhooks/1";

  private final Webhooks webhooks;
  private final WebhookSettings settings;
  private final Clock clock;
  private final HttpClient http;
  /** Owned by this sender; runs {@link #tick} only, one at a time. */
  private final ScheduledExecutorService timer;

  public WebhookSender(Webhooks webhooks, WebhookSettings settings, Clock clock) {
    this.webhooks = webhooks;
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parley-webhook-sender");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    long every = settings.pollInterval().toMillis();
    timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  /** One round: claim, send, settle. Never throws (a failed round is logged and the next one tries again). */
  void tick() {
    try {
      Instant now = clock.instant();
      Duration lease = settings.timeout().multipliedBy(3);
      List<Webhooks.Claimed> claimed = webhooks.claim(now, now.plus(lease), MAX_IN_FLIGHT);
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (Webhooks.Claimed c : claimed) {
        sends.add(send(c));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
          .get(settings.timeout().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.error("Webhook round failed; the next round tries again", e);
    }
  }

  private CompletableFuture<Void> send(Webhooks.Claimed c) {
    URI uri;
    try {
      uri = URI.create(c.url());
      if (!settings.allowPrivateAddresses()) {
        for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
          if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
              || a.isMulticastAddress()) {
            settle(c, null, "the address " + a.getHostAddress() + " is private; hooks reach public addresses only");
            return CompletableFuture.completedFuture(null);
          }
        }
      }
    } catch (IllegalArgumentException | UnknownHostException e) {
      settle(c, null, "cannot reach " + c.url() + ": " + e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    long t = clock.instant().getEpochSecond();
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(settings.timeout())
        .header("Content-Type", "application/json; charset=utf-8")
        .header("User-Agent", USER_AGENT)
        .header("Parley-Event", c.eventType())
        .header("Parley-Delivery", Long.toString(c.id()))
        .header(WebhookSignature.HEADER, WebhookSignature.header(c.secret(), t, c.payload()))
        .POST(HttpRequest.BodyPublishers.ofString(c.payload()))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle((response, failure) -> {
          if (failure != null) {
            settle(c, null, failure.getClass().getSimpleName() + ": " + failure.getMessage());
          } else if (response.statusCode() / 100 == 2) {
            webhooks.delivered(c.id(), response.statusCode(), clock.instant());
          } else {
            settle(c, response.statusCode(), "answered " + response.statusCode());
          }
          return null;
        });
  }

  private void settle(Webhooks.Claimed c, Integer status, String error) {
    Instant now = clock.instant();
    boolean giveUp = Duration.between(c.createdAt(), now).compareTo(settings.giveUpAfter()) > 0;
    webhooks.attemptFailed(c.id(), status, error, giveUp ? null : now.plus(backoff(c.attempts())));
    log.debug("Webhook delivery {} attempt {} failed: {}", c.id(), c.attempts(), error);
  }

  /** Doubling from backoff-min, capped at backoff-max, then ±20 % jitter. */
  Duration backoff(int attempts) {
    long min = settings.backoffMin().toMillis();
    long max = settings.backoffMax().toMillis();
    long base = attempts >= 30 ? max : Math.min(max, min << Math.max(0, attempts - 1));
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis(Math.max(1, (long) (base * jitter)));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
