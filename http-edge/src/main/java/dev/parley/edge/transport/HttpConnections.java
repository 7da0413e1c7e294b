package dev.parley.edge.transport;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.admission.AdmissionSettings;
import dev.parley.edge.protocol.Json;
import dev.parley.edge.session.InboundFrame;
import dev.parley.edge.session.Outbound;
import dev.parley.edge.session.Session;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The connections of the HTTP fallback transports (Server-Sent Events and long polling), by connection id.
 *
 * <p>A connection id is 128 random bits: knowing it is what entitles a request to speak for the connection. A
 * client POSTs its frames to its connection; they reach the session one at a time with the same backpressure as
 * a WebSocket's (the POST is answered once the session took them all). Connections whose session ended are
 * forgotten by a periodic sweep. At most {@link #MAX_CONNECTIONS} exist at once, of which one client address and
 * one site may hold only a share ({@link #admit}); beyond, new ones are refused.
 */
public final class HttpConnections {

  public static final int MAX_CONNECTIONS = 10_000;
  /** Frames in one POST. */
  public static final int MAX_FRAMES_PER_POST = 64;
  /** How long a POST waits for the session to take its frames before answering 503. */
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(20);
  /** How long a long poll waits for frames before answering with none. */
  public static final Duration POLL_WAIT = Duration.ofSeconds(25);
  private static final Duration SWEEP_EVERY = Duration.ofSeconds(10);
  /** A connection whose session ended stays known this long, so that its client reads the end of it. */
  private static final Duration LINGER = Duration.ofSeconds(60);

  /** One connection. {@code poll} is null for an event stream. */
  static final class Connection {
    final ActorRef<Session.Command> session;
    final Outbound out;
    final PollOutbound poll;
    /** The Origin header of the request that opened the connection, or null. */
    final String origin;
    /** The client's address and the connection's site, for the table's shares. */
    final String address;
    final String siteId;
    /** When the sweep first saw the session ended; touched by the sweep only. */
    long endedAtNanos;

    Connection(
        ActorRef<Session.Command> session, Outbound out, PollOutbound poll, String origin, String address,
        String siteId) {
      this.session = session;
      this.out = out;
      this.poll = poll;
      this.origin = origin;
      this.address = address;
      this.siteId = siteId;
    }
  }

  /** What became of a POST of frames. */
  public enum Delivery {
    DELIVERED,
    UNKNOWN_CONNECTION,
    TIMED_OUT
  }

  private final ActorSystem<?> system;
  private final AdmissionSettings settings;
  private final Executor executor;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  /** Entries of {@link #connections} per client address and per site; kept in step by register and sweep. */
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final Map<String, Integer> perSite = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  public HttpConnections(ActorSystem<?> system, AdmissionSettings settings) {
    this.system = system;
    this.settings = settings;
    this.executor = system.executionContext();
    system.scheduler().scheduleWithFixedDelay(SWEEP_EVERY, SWEEP_EVERY, this::sweep, system.executionContext());
  }

  /** The first frame of a fallback connection: its id and the cursor to poll from. */
  static String openFrame(String cid, long cursor) {
    return "{\"type\":\"open\",\"cid\":\"" + cid + "\",\"cursor\":" + cursor + "}";
  }

  /**
   * Whether one more connection of {@code address} for {@code siteId} fits: the whole table, one address's share
   * and one site's share of it (so that neither one address nor one site's visitors can fill it for the others).
   * Counts include connections that ended but linger, as the entries do.
   */
  Optional<Admission.Refusal> admit(String address, String siteId) {
    if (connections.size() >= MAX_CONNECTIONS) {
      return Optional.of(new Admission.Refusal(Admission.Limit.FALLBACK_PER_SITE, Duration.ofSeconds(30)));
    }
    if (!settings.enabled()) {
      return Optional.empty();
    }
    if (perAddress.getOrDefault(address, 0) >= settings.fallbackPerAddress()) {
      return Optional.of(new Admission.Refusal(Admission.Limit.FALLBACK_PER_ADDRESS, Duration.ofSeconds(30)));
    }
    if (perSite.getOrDefault(siteId, 0) >= (long) MAX_CONNECTIONS * settings.fallbackPercentPerSite() / 100) {
      return Optional.of(new Admission.Refusal(Admission.Limit.FALLBACK_PER_SITE, Duration.ofSeconds(30)));
    }
    return Optional.empty();
  }

  String register(
      ActorRef<Session.Command> session, Outbound out, PollOutbound poll, String origin, String address,
      String siteId) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String cid = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    connections.put(cid, new Connection(session, out, poll, origin, address, siteId));
    perAddress.merge(address, 1, Integer::sum);
    perSite.merge(siteId, 1, Integer::sum);
    return cid;
  }

  Optional<Connection> get(String cid) {
    return Optional.ofNullable(connections.get(cid));
  }

  /** Hands the frames of one POST body ({@link #split}) to the connection's session, in order. */
  CompletionStage<Delivery> deliver(String cid, List<InboundFrame> frames) {
    Connection connection = connections.get(cid);
    if (connection == null || connection.out.isCompleted()) {
      return CompletableFuture.completedFuture(Delivery.UNKNOWN_CONNECTION);
    }
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (InboundFrame frame : frames) {
      chain =
          chain.thenComposeAsync(
              done ->
                  AskPattern.<Session.Command, Session.Ack>ask(
                          connection.session,
                          ackTo -> new Session.Inbound(frame, ackTo),
                          DELIVERY_TIMEOUT,
                          system.scheduler())
                      .thenApply(ack -> Done.getInstance()),
              executor);
    }
    return chain.handleAsync(
        (done, failure) -> failure == null ? Delivery.DELIVERED : Delivery.TIMED_OUT, executor);
  }

  /**
   * The frames of a POST body: a JSON array of frames, or one frame. Anything else is passed on as it is, so that
   * the session answers it with a frame error as on a WebSocket. The caller refuses more than
   * {@link #MAX_FRAMES_PER_POST}.
   */
  static List<InboundFrame> split(String body, int maxFrameBytes) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      return List.of(InboundFrame.limited(body, maxFrameBytes));
    }
    if (root == null || !root.isArray()) {
      return List.of(InboundFrame.limited(body, maxFrameBytes));
    }
    List<InboundFrame> frames = new ArrayList<>();
    for (JsonNode element : root) {
      frames.add(InboundFrame.limited(element.toString(), maxFrameBytes));
    }
    return frames;
  }


  private void sweep() {
    long now = System.nanoTime();
    connections
        .entrySet()
        .removeIf(
            entry -> {
              Connection c = entry.getValue();
              if (!c.out.isCompleted()) {
                return false;
              }
              if (c.endedAtNanos == 0) {
                c.endedAtNanos = now;
                return false;
              }
              if (now - c.endedAtNanos <= LINGER.toNanos()) {
                return false;
              }
              perAddress.computeIfPresent(c.address, (k, n) -> n <= 1 ? null : n - 1);
              perSite.computeIfPresent(c.siteId, (k, n) -> n <= 1 ? null : n - 1);
              return true;
            });
  }

  int size() {
    return connections.size();
  }
}
