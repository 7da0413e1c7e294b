package dev.parley.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.agent.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * A visitor scripted over the wire protocol: a real WebSocket with the site's Origin and a phone browser's
 * User-Agent (so agents see a device), recording every frame.
 */
public final class ScriptedVisitor implements AutoCloseable {

  /** Chrome on an Android phone, as a shop's mobile visitors send it. */
  public static final String ANDROID_CHROME =
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
          + "Chrome/131.0.6778.135 Mobile Safari/537.36";

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final WebSocket socket;
  private final List<JsonNode> frames = new ArrayList<>();

  public ScriptedVisitor(LiveServer server) {
    socket =
        HTTP.newWebSocketBuilder()
            .header("Origin", server.origin())
            .header("User-Agent", ANDROID_CHROME)
            .buildAsync(server.visitorSocket("demo"), new Recorder())
            .join();
    sendFrame(Json.MAPPER.createObjectNode().put("type", "hello"));
    await(f -> "welcome".equals(f.path("type").asText()));
  }

  /** Sends a message; returns its client id after the server acknowledged it, and the conversation id. */
  public String say(String text) {
    String id = UUID.randomUUID().toString();
    sendFrame(Json.MAPPER.createObjectNode().put("type", "send").put("id", id).put("text", text));
    return await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()))
        .path("conversationId")
        .asText();
  }

  /** The host page identifies the visitor without a signature; returns once the server acknowledged it. */
  public void identify(String userId, String name, String email, Map<String, String> attributes) {
    identify(userId, name, email, attributes, null);
  }

  /** As above, with {@code hash} = hex HMAC-SHA256 of {@code userId} under the site's identity secret. */
  public void identify(String userId, String name, String email, Map<String, String> attributes, String hash) {
    String id = UUID.randomUUID().toString();
    ObjectNode frame = Json.MAPPER.createObjectNode().put("type", "identify").put("id", id);
    if (hash != null) {
      frame.put("hash", hash);
    }
    ObjectNode user = frame.putObject("user").put("id", userId).put("name", name).put("email", email);
    attributes.forEach(user.putObject("attributes")::put);
    sendFrame(frame);
    await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()));
  }

  /** The visitor opens a page of the shop; the protocol has no answer to this. */
  public void page(String url, String title, String referrer) {
    sendFrame(Json.MAPPER.createObjectNode().put("type", "page").put("url", url).put("title", title)
        .put("referrer", referrer));
  }

  public synchronized void sendFrame(ObjectNode frame) {
    socket.sendText(frame.toString(), true).join();
  }

  public JsonNode await(Predicate<JsonNode> match) {
    return Await.value("a visitor frame matching the test's predicate; got " + frames(), () -> first(match));
  }

  public synchronized JsonNode first(Predicate<JsonNode> match) {
    return frames.stream().filter(match).findFirst().orElse(null);
  }

  public synchronized List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  /** Message events carrying this client message id (to count deliveries). */
  public List<JsonNode> messageEvents(String id) {
    return frames().stream()
        .filter(f -> "event".equals(f.path("type").asText()) && id.equals(f.path("id").asText()))
        .toList();
  }

  private final class Recorder implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode frame = Json.MAPPER.readTree(partial.toString());
          synchronized (ScriptedVisitor.this) {
            frames.add(frame);
          }
        } catch (Exception e) {
          throw new AssertionError("server sent unparseable frame " + partial, e);
        } finally {
          partial.setLength(0);
        }
      }
      ws.request(1);
      return null;
    }
  }

  @Override
  public void close() {
    socket.abort();
  }
}
