package dev.parley.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw WebSocket client over a real socket (the JDK's): sends exactly what a test writes and records every frame
 * the server sends, for tests of the wire protocol itself.
 */
public final class WireClient implements AutoCloseable {

  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final WebSocket socket;
  private final FrameInbox inbox = new FrameInbox();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private WireClient(HttpClient http, URI uri, String origin, java.util.Map<String, String> headers) {
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) {
      builder.header("Origin", origin);
    }
    headers.forEach(builder::header);
    this.socket = builder.buildAsync(uri, new Listener()).join();
  }

  public static WireClient connect(URI uri, String origin) {
    return new WireClient(HTTP, uri, origin, java.util.Map.of());
  }

  public static WireClient connect(URI uri, String origin, java.util.Map<String, String> headers) {
    return new WireClient(HTTP, uri, origin, headers);
  }

  /** Through {@code http}: e.g. a client that trusts a test certificate, for {@code wss://}. */
  public static WireClient connect(HttpClient http, URI uri, String origin, java.util.Map<String, String> headers) {
    return new WireClient(http, uri, origin, headers);
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode frame = JSON.readTree(partial.toString());
          inbox.add(frame);
        } catch (Exception e) {
          inbox.add(JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(-1);
    }
  }

  public synchronized WireClient send(String text) {
    socket.sendText(text, true).join();
    return this;
  }

  public WireClient send(ObjectNode frame) {
    return send(frame.toString());
  }

  public synchronized WireClient sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    return this;
  }

  public static ObjectNode frame(String type) {
    return JSON.createObjectNode().put("type", type);
  }

  /** The next frame matching {@code match}; frames before it are skipped (they stay in {@link #all()}). */
  public JsonNode await(Predicate<JsonNode> match, Duration within) {
    return inbox.await(match, within);
  }

  public JsonNode awaitType(String type, Duration within) {
    return inbox.awaitType(type, within);
  }

  /** Sends a ping and waits for its pong: proves the connection still works and everything before was handled. */
  public void roundTrip(Duration within) {
    long t = System.nanoTime();
    send(frame("ping").put("t", t));
    await(f -> "pong".equals(f.path("type").asText()) && f.path("t").asLong() == t, within);
  }

  public List<JsonNode> all() {
    return inbox.all();
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public CompletableFuture<Integer> closedFuture() {
    return closed;
  }

  public void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    socket.abort();
  }
}
