package dev.parley.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client that keeps the promises of docs/PROTOCOL.md the way the widget and the desktop client must: an outbox
 * of unacknowledged messages resent with the same ids after every reconnect, resume from the last seq held,
 * duplicates dropped by seq, reconnect with jittered backoff. Tests use it to check the server's side of the
 * contract under network cuts and restarts; it also counts what it had to repair.
 */
public final class ChatClient implements AutoCloseable {

  public enum Role {
    VISITOR,
    AGENT
  }

  private record Pending(String id, String conversationId, String text) {}

  /** One thing seen at a seq: an event's kind, author and id, or an ack of a message id. */
  public record Observed(String conversationId, long seq, String identity) {}

  /** What identifies a timeline entry, independent of the frame that carried it. */
  static String identityOf(JsonNode event) {
    String kind = event.path("kind").asText();
    return "message".equals(kind)
        ? "message:" + event.path("author").path("role").asText() + ":" + event.path("id").asText()
        : kind + ":" + event.path("author").path("id").asText();
  }

  /** One WebSocket connection and the future that completes when it is gone, however it went. */
  private record Connection(WebSocket ws, CompletableFuture<Void> closed) {
    void kill() {
      ws.abort(); // abort() does not call the listener, so the loop is woken here
      closed.complete(null);
    }
  }

  /** A connection silent for this long is presumed dead, as a real client presumes after missed pongs. */
  private static final Duration SILENCE_LIMIT = Duration.ofSeconds(3);
  private static final Duration PING_EVERY = Duration.ofMillis(500);

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ScheduledExecutorService RETRIES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "chat-client-retries");
            t.setDaemon(true);
            return t;
          });

  private final URI uri;
  private final String origin;
  private final Role role;
  /** All sends go through this one thread, so frames leave in the order they were asked for. */
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "chat-client-send"));
  private final Thread loop;
  private volatile boolean running = true;

  // Guarded by "this".
  private String token;
  private Connection socket;
  private long lastFrameNanos;
  private boolean ready;
  private String currentConversationId;
  private final QueueMirror queue = new QueueMirror();
  private final Map<String, TreeMap<Long, JsonNode>> timelines = new HashMap<>();
  private final LinkedHashMap<String, Pending> outbox = new LinkedHashMap<>();
  private final Map<String, JsonNode> acks = new HashMap<>();
  private final List<JsonNode> errors = new ArrayList<>();
  private final List<JsonNode> typing = new ArrayList<>();
  private final List<JsonNode> notes = new ArrayList<>();
  private final List<JsonNode> reads = new ArrayList<>();
  private int duplicatesDropped;
  private int gapsSeen;
  private int welcomes;
  /** Every (seq, entry) this client was ever shown or acknowledged, for cross-client consistency checks. */
  private final List<Observed> observed = new ArrayList<>();
  /** Broken histories detected (an ack or event that contradicts a held seq, a synced below what is held). */
  private final List<String> conflicts = new ArrayList<>();
  /** Ids of messages sent through {@link #send}, to tell their acks from those of claims and closes. */
  private final java.util.Set<String> sent = new java.util.HashSet<>();

  private ChatClient(Role role, URI uri, String origin, String token) {
    this.role = role;
    this.uri = uri;
    this.origin = origin;
    this.token = token;
    this.loop = new Thread(this::run, "chat-client-" + role.name().toLowerCase());
    this.loop.setDaemon(true);
    this.loop.start();
  }

  public static ChatClient visitor(URI uri, String origin, String token) {
    return new ChatClient(Role.VISITOR, uri, origin, token);
  }

  public static ChatClient agent(URI uri, String agentToken) {
    return new ChatClient(Role.AGENT, uri, null, agentToken);
  }

  // Connection loop ------------------------------------------------------------------------------------------

  private void run() {
    int attempt = 0;
    while (running) {
      CompletableFuture<Void> closed = new CompletableFuture<>();
      Connection connection = null;
      try {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3));
        if (origin != null) {
          builder.header("Origin", origin);
        }
        WebSocket ws = builder.buildAsync(uri, new Listener(closed)).get(5, TimeUnit.SECONDS);
        connection = new Connection(ws, closed);
        ObjectNode hello = WireClient.frame("hello");
        ObjectNode resume = hello.putObject("resume");
        synchronized (this) {
          socket = connection;
          lastFrameNanos = System.nanoTime();
          if (token != null) {
            hello.put("token", token);
          }
          timelines.forEach((id, t) -> resume.put(id, t.isEmpty() ? 0 : t.lastKey()));
        }
        sendNow(connection, hello.toString());
        attempt = 0;
        watch(connection);
      } catch (Exception e) {
        // connection refused or cut: fall through to the backoff
      }
      if (connection != null) {
        connection.kill();
      }
      synchronized (this) {
        socket = null;
        ready = false;
      }
      if (running) {
        attempt++;
        long base = Math.min(1000, 20L << Math.min(attempt, 5));
        sleep(base + ThreadLocalRandom.current().nextLong(base / 2 + 1));
      }
    }
  }

  /** Pings while the connection lives; gives up on it when the server has been silent too long. */
  private void watch(Connection connection) throws Exception {
    while (running) {
      try {
        connection.closed().get(PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.TimeoutException stillOpen) {
        long silentNanos;
        synchronized (this) {
          silentNanos = System.nanoTime() - lastFrameNanos;
        }
        if (silentNanos > SILENCE_LIMIT.toNanos()) {
          return;
        }
        enqueueSend(connection, WireClient.frame("ping"));
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final CompletableFuture<Void> closed;
    private final StringBuilder partial = new StringBuilder();

    Listener(CompletableFuture<Void> closed) {
      this.closed = closed;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          onFrame(ws, WireClient.JSON.readTree(partial.toString()));
        } catch (Exception e) {
          closed.complete(null);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(null);
    }
  }

  private void onFrame(WebSocket ws, JsonNode frame) {
    String type = frame.path("type").asText();
    synchronized (this) {
      if (socket == null || socket.ws() != ws) {
        return; // a late frame of a connection already given up
      }
      lastFrameNanos = System.nanoTime();
      Connection connection = socket;
      switch (type) {
        case "welcome" -> {
          welcomes++;
          if (frame.hasNonNull("token")) {
            token = frame.path("token").asText();
          }
          if (frame.hasNonNull("conversationId")) {
            currentConversationId = frame.path("conversationId").asText();
          }
          ready = true;
          for (Pending p : outbox.values()) {
            enqueueSend(connection, sendFrame(p));
          }
        }
        case "ack" -> {
          String id = frame.path("id").asText();
          outbox.remove(id);
          acks.put(id, frame);
          if (frame.hasNonNull("seq") && frame.hasNonNull("conversationId")) {
            String conversationId = frame.path("conversationId").asText();
            long seq = frame.path("seq").asLong();
            if (sent.contains(id)) {
              observed.add(new Observed(conversationId, seq, "message:" + role.name().toLowerCase() + ":" + id));
            }
            JsonNode held = timelines.getOrDefault(conversationId, new TreeMap<>()).get(seq);
            if (held != null && "message".equals(held.path("kind").asText()) && !id.equals(held.path("id").asText())) {
              brokenHistory(connection, conversationId, "ack of " + id + " at " + seq + ", held " + identityOf(held));
            }
          }
          if (role == Role.VISITOR && frame.hasNonNull("conversationId") && frame.hasNonNull("seq")) {
            currentConversationId = frame.path("conversationId").asText();
          }
        }
        case "event" -> {
          String conversationId = frame.path("conversationId").asText();
          TreeMap<Long, JsonNode> timeline = timelines.computeIfAbsent(conversationId, k -> new TreeMap<>());
          long seq = frame.path("seq").asLong();
          long last = timeline.isEmpty() ? 0 : timeline.lastKey();
          observed.add(new Observed(conversationId, seq, identityOf(frame)));
          JsonNode held = timeline.get(seq);
          if (held != null && !identityOf(held).equals(identityOf(frame))) {
            brokenHistory(connection, conversationId, "event " + seq + " is " + identityOf(frame) + ", held " + identityOf(held));
          } else if (seq <= last) {
            duplicatesDropped++;
          } else {
            if (seq != last + 1) {
              gapsSeen++;
            }
            timeline.put(seq, frame);
          }
        }
        case "synced" -> {
          String conversationId = frame.path("conversationId").asText();
          TreeMap<Long, JsonNode> timeline = timelines.computeIfAbsent(conversationId, k -> new TreeMap<>());
          long lastSeq = frame.path("lastSeq").asLong();
          if (!timeline.isEmpty() && timeline.lastKey() > lastSeq) {
            brokenHistory(connection, conversationId, "synced at " + lastSeq + " below held " + timeline.lastKey());
          }
        }
        case "queue", "queueChanged" -> queue.apply(frame);
        case "typing" -> typing.add(frame);
        case "note" -> notes.add(frame);
        case "read" -> reads.add(frame);
        case "error" -> {
          errors.add(frame);
          onError(connection, frame);
        }
        default -> {}
      }
      notifyAll();
    }
  }

  /**
   * What a client written from PROTOCOL.md does with an error: a {@code hello} refused for now (a retryable error
   * before {@code welcome}) ends the connection, and the loop reconnects; a retryable error on a message still in the outbox
   * resends it with the same id after {@code retryAfterMs} (at least 200 ms). Final errors are only recorded. Called
   * under the lock.
   */
  private void onError(Connection connection, JsonNode frame) {
    boolean retry = frame.path("retry").asBoolean(false);
    long after = Math.max(200, frame.path("retryAfterMs").asLong(0));
    if (!ready) {
      if (retry) {
        RETRIES.schedule(connection::kill, after, TimeUnit.MILLISECONDS);
      }
      return;
    }
    String ref = frame.path("ref").asText("");
    if (retry && outbox.containsKey(ref)) {
      RETRIES.schedule(() -> resend(connection, ref), after, TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void resend(Connection connection, String id) {
    Pending p = outbox.get(id);
    if (p != null && socket == connection && ready) {
      enqueueSend(connection, sendFrame(p));
    }
  }

  /**
   * The rule of PROTOCOL.md §5: a history that contradicts what this client holds is replaced, not merged. The
   * conversation is resynchronised from seq 0 and its view rebuilt from the server's answer. Called under the lock.
   */
  private void brokenHistory(Connection connection, String conversationId, String why) {
    conflicts.add(conversationId + ": " + why);
    timelines.put(conversationId, new TreeMap<>());
    enqueueSend(connection, WireClient.frame("sync").put("conversationId", conversationId).put("afterSeq", 0));
  }

  private ObjectNode sendFrame(Pending p) {
    ObjectNode frame = WireClient.frame("send").put("id", p.id()).put("text", p.text());
    if (p.conversationId() != null) {
      frame.put("conversationId", p.conversationId());
    }
    return frame;
  }

  private void enqueueSend(Connection connection, ObjectNode frame) {
    String text = frame.toString();
    sender.execute(() -> sendNow(connection, text));
  }

  private static void sendNow(Connection connection, String text) {
    if (connection.closed().isDone()) {
      return;
    }
    try {
      connection.ws().sendText(text, true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // The connection is going away; the outbox still holds what matters.
      connection.kill();
    }
  }

  // Actions --------------------------------------------------------------------------------------------------

  /** Queues a message in the outbox and sends it if connected; returns its client message id. */
  public String send(String conversationId, String text) {
    Pending p = new Pending(UUID.randomUUID().toString(), conversationId, text);
    synchronized (this) {
      sent.add(p.id());
      outbox.put(p.id(), p);
      if (ready && socket != null) {
        enqueueSend(socket, sendFrame(p));
      }
    }
    return p.id();
  }

  /** Sends a frame now if connected (claims, typing, read marks are not kept in the outbox). */
  public boolean sendIfConnected(ObjectNode frame) {
    synchronized (this) {
      if (ready && socket != null) {
        enqueueSend(socket, frame);
        return true;
      }
      return false;
    }
  }

  public String claim(String conversationId) {
    String id = UUID.randomUUID().toString();
    awaitState(c -> c.ready, Duration.ofSeconds(10));
    sendIfConnected(WireClient.frame("claim").put("id", id).put("conversationId", conversationId));
    return id;
  }

  // Observation ----------------------------------------------------------------------------------------------

  /** Waits until {@code condition} holds for this client's state (checked under its lock). */
  public synchronized void awaitState(Predicate<ChatClient> condition, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("condition not met within " + within + "; " + describe());
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
  }

  public synchronized boolean isReady() {
    return ready;
  }

  public synchronized String token() {
    return token;
  }

  public synchronized String currentConversationId() {
    return currentConversationId;
  }

  public synchronized List<JsonNode> timeline(String conversationId) {
    TreeMap<Long, JsonNode> t = timelines.get(conversationId);
    return t == null ? List.of() : List.copyOf(t.values());
  }

  public synchronized long lastSeq(String conversationId) {
    TreeMap<Long, JsonNode> t = timelines.get(conversationId);
    return t == null || t.isEmpty() ? 0 : t.lastKey();
  }

  public synchronized int outboxSize() {
    return outbox.size();
  }

  public synchronized JsonNode ack(String id) {
    return acks.get(id);
  }

  public synchronized List<JsonNode> errors() {
    return List.copyOf(errors);
  }

  /** Internal notes received (PROTOCOL.md §10), in arrival order, repeats included. */
  public synchronized List<JsonNode> noteFrames() {
    return List.copyOf(notes);
  }

  public synchronized List<JsonNode> typingFrames() {
    return List.copyOf(typing);
  }

  public synchronized List<JsonNode> readFrames() {
    return List.copyOf(reads);
  }

  /** The ids waiting in the (one) site's queue, as this client's copy holds them. */
  public synchronized List<String> queue() {
    return queue.ids();
  }

  public synchronized List<Observed> observed() {
    return List.copyOf(observed);
  }

  public synchronized List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  public synchronized Map<String, JsonNode> acks() {
    return Map.copyOf(acks);
  }

  public synchronized int duplicatesDropped() {
    return duplicatesDropped;
  }

  public synchronized int gapsSeen() {
    return gapsSeen;
  }

  public synchronized int welcomes() {
    return welcomes;
  }

  private String describe() {
    return role + " ready=" + ready + " outbox=" + outbox.size() + " welcomes=" + welcomes + " timelines="
        + timelines.entrySet().stream().map(e -> e.getKey() + "@" + (e.getValue().isEmpty() ? 0 : e.getValue().lastKey())).toList()
        + " errors=" + errors;
  }

  /** Drops the current connection the hard way, as a crashed network would; the client reconnects. */
  public void dropConnection() {
    Connection connection;
    synchronized (this) {
      connection = socket;
    }
    if (connection != null) {
      connection.kill();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    dropConnection();
    loop.interrupt();
    sender.shutdownNow();
  }
}
