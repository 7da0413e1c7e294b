package dev.parley.edge.admission;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Admission control for traffic that anyone on the internet can send: how many connections one client address and
 * one site may hold on this node, and how fast one address, one visitor and one site may start sessions, open
 * conversations, send and identify. Refusals say when to try again; nothing already accepted is ever dropped.
 *
 * <p>Counts are per node and in memory (a cluster multiplies them by its size, which the defaults allow for).
 * Buckets are bounded in number ({@link #MAX_BUCKETS}) and forgotten once full again and unused; connection counts
 * are exact and released when a connection ends. Thread-safe: called from HTTP routes and session actors.
 */
public final class Admission {

  /** Distinct keys (addresses, visitors, sites) with a bucket at once; the least recently used go first. */
  public static final int MAX_BUCKETS = 200_000;

  /** Why something was refused, and when trying again can help. */
  public record Refusal(Limit limit, Duration retryAfter) {
    public long retryAfterSeconds() {
      return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
  }

  /** Which limit refused: {@code RATE} limits answer {@code rate-limited}, {@code CAPACITY} ones {@code overloaded}. */
  public enum Limit {
    CONNECTIONS_PER_ADDRESS(Kind.CAPACITY, "too many connections from this address"),
    CONNECTIONS_PER_SITE(Kind.CAPACITY, "too many connections for this site on this server"),
    HELLOS_PER_ADDRESS(Kind.RATE, "too many new sessions from this address"),
    CONVERSATIONS_PER_ADDRESS(Kind.RATE, "too many new conversations from this address"),
    CONVERSATIONS_PER_SITE(Kind.RATE, "too many new conversations for this site right now"),
    WAITING_PER_ADDRESS(Kind.CAPACITY, "too many conversations from this address are waiting already"),
    SENDS_PER_VISITOR(Kind.RATE, "too many messages; slow down"),
    SENDS_PER_ADDRESS(Kind.RATE, "too many messages from this address; slow down"),
    IDENTIFIES_PER_VISITOR(Kind.RATE, "too many identify frames"),
    FALLBACK_PER_ADDRESS(Kind.CAPACITY, "too many fallback connections from this address"),
    FALLBACK_PER_SITE(Kind.CAPACITY, "too many fallback connections for this site");

    public enum Kind {
      RATE,
      CAPACITY
    }

    private final Kind kind;
    private final String message;

    Limit(Kind kind, String message) {
      this.kind = kind;
      this.message = message;
    }

    public Kind kind() {
      return kind;
    }

    public String message() {
      return message;
    }
  }

  /** A held connection slot; {@link #release()} is idempotent. */
  public static final class Permit {
    private final Runnable release;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(Runnable release) {
      this.release = release;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        release.run();
      }
    }
  }

  private final AdmissionSettings settings;
  private final byte[] clientKeySecret;
  private final Cache<String, Bucket> buckets;
  private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();

  /** {@code clientKeySecret}: a server secret (shared by all nodes) that keys {@link #clientKey}. */
  public Admission(AdmissionSettings settings, byte[] clientKeySecret) {
    this.settings = settings;
    this.clientKeySecret = clientKeySecret.clone();
    this.buckets =
        Caffeine.newBuilder().maximumSize(MAX_BUCKETS).expireAfterAccess(Duration.ofHours(1)).build();
  }

  public AdmissionSettings settings() {
    return settings;
  }

  /**
   * An opaque key for a client address (HMAC-SHA256 with a server secret, 16 bytes, hex), for counts that outlive
   * a request (a site's queue counts what one address has waiting) without storing the address itself.
   */
  public String clientKey(String address) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(clientKeySecret, "HmacSHA256"));
      byte[] digest = mac.doFinal(address.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Whether {@code waiting} conversations of one address leave room for one more. */
  public Optional<Refusal> mayWait(int waiting) {
    return settings.enabled() && waiting >= settings.maxWaitingPerAddress()
        ? Optional.of(new Refusal(Limit.WAITING_PER_ADDRESS, Duration.ofSeconds(30)))
        : Optional.empty();
  }

  // Connections ----------------------------------------------------------------------------------------------

  /**
   * A slot for one long-lived connection (WebSocket, event stream, long poll) of {@code address}, for the site
   * {@code siteId} (null for agents, who are not counted per site), or the limit that refuses it.
   */
  public Result<Permit> connect(String address, String siteId) {
    if (!settings.enabled()) {
      return Result.ok(new Permit(() -> {}));
    }
    if (!take("a:" + address, settings.maxConnectionsPerAddress())) {
      return Result.refused(new Refusal(Limit.CONNECTIONS_PER_ADDRESS, Duration.ofSeconds(10)));
    }
    if (siteId != null && !take("s:" + siteId, settings.maxConnectionsPerSite())) {
      give("a:" + address);
      return Result.refused(new Refusal(Limit.CONNECTIONS_PER_SITE, Duration.ofSeconds(10)));
    }
    return Result.ok(
        new Permit(
            () -> {
              give("a:" + address);
              if (siteId != null) {
                give("s:" + siteId);
              }
            }));
  }

  /** Open connections counted for {@code address} on this node. */
  public int connectionsOf(String address) {
    return connections.getOrDefault("a:" + address, 0);
  }

  private boolean take(String key, int max) {
    boolean[] taken = {false};
    connections.compute(
        key,
        (k, count) -> {
          int now = count == null ? 0 : count;
          if (now >= max) {
            return count;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  private void give(String key) {
    connections.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
  }

  // Rates ----------------------------------------------------------------------------------------------------

  /** A new visitor session (hello) from {@code address}. */
  public Optional<Refusal> hello(String address) {
    return consume("h:" + address, settings.hellosPerAddress(), Limit.HELLOS_PER_ADDRESS);
  }

  /** A new conversation from {@code address} for {@code siteId}: both the address's and the site's rate. */
  public Optional<Refusal> newConversation(String address, String siteId) {
    Optional<Refusal> byAddress =
        consume("c:" + address, settings.conversationsPerAddress(), Limit.CONVERSATIONS_PER_ADDRESS);
    if (byAddress.isPresent()) {
      return byAddress;
    }
    return consume("cs:" + siteId, settings.conversationsPerSite(), Limit.CONVERSATIONS_PER_SITE);
  }

  /** A message from visitor {@code visitorKey} connected from {@code address}. */
  public Optional<Refusal> send(String visitorKey, String address) {
    Optional<Refusal> byVisitor = consume("v:" + visitorKey, settings.sendsPerVisitor(), Limit.SENDS_PER_VISITOR);
    if (byVisitor.isPresent()) {
      return byVisitor;
    }
    return consume("va:" + address, settings.sendsPerAddress(), Limit.SENDS_PER_ADDRESS);
  }

  public Optional<Refusal> identify(String visitorKey) {
    return consume("i:" + visitorKey, settings.identifiesPerVisitor(), Limit.IDENTIFIES_PER_VISITOR);
  }

  private Optional<Refusal> consume(String key, AdmissionSettings.Rate rate, Limit limit) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    Bucket bucket = buckets.get(key, k -> bucket(rate));
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(limit, Duration.ofNanos(probe.getNanosToWaitForRefill())));
  }

  private static Bucket bucket(AdmissionSettings.Rate rate) {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(rate.burst())
                .refillGreedy(1, rate.every())
                .build())
        .build();
  }

  /** An admitted value or the refusal. */
  public record Result<T>(T value, Refusal refusal) {
    static <T> Result<T> ok(T value) {
      return new Result<>(value, null);
    }

    static <T> Result<T> refused(Refusal refusal) {
      return new Result<>(null, refusal);
    }

    public boolean admitted() {
      return refusal == null;
    }
  }
}
