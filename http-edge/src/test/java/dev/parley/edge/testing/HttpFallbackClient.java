package dev.parley.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A visitor connection over one of the HTTP fallback transports (Server-Sent Events or long polling), speaking the
 * same frames as {@link WireClient}: frames go up by POST, come down by event stream or poll.
 */
public final class HttpFallbackClient implements AutoCloseable {

  public enum Mode {
    SSE,
    LONG_POLL
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final HttpClient http;
  private final String base;
  private final String origin;
  private final FrameInbox inbox = new FrameInbox();
  private final CompletableFuture<String> cid = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean closed;
  private CompletableFuture<HttpResponse<Stream<String>>> stream;

  private HttpFallbackClient(HttpClient http, String base, String origin) {
    this.http = http;
    this.base = base;
    this.origin = origin;
  }

  /** Opens a visitor connection to {@code site} on the server at {@code base} (http://host:port). */
  public static HttpFallbackClient open(Mode mode, String base, String site, String origin) {
    return open(mode, HTTP, base, site, origin);
  }

  /** Through {@code http}: e.g. a client that trusts a test certificate, for {@code https://}. */
  public static HttpFallbackClient open(Mode mode, HttpClient http, String base, String site, String origin) {
    HttpFallbackClient client = new HttpFallbackClient(http, base, origin);
    if (mode == Mode.SSE) {
      client.openEventStream(site);
    } else {
      client.openLongPoll(site);
    }
    client.cid.orTimeout(10, TimeUnit.SECONDS).join();
    return client;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(40));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return b;
  }

  private void openEventStream(String site) {
    stream =
        http.sendAsync(
            request("/sse/visitor?site=" + site).header("Accept", "text/event-stream").GET().build(),
            HttpResponse.BodyHandlers.ofLines());
    stream.whenComplete(
        (response, failure) -> {
          if (failure != null || response.statusCode() != 200) {
            cid.completeExceptionally(new AssertionError("event stream refused: " + (failure != null ? failure : response.statusCode())));
            ended.complete(null);
            return;
          }
          Thread reader =
              new Thread(
                  () -> {
                    try (Stream<String> lines = response.body()) {
                      lines.forEach(
                          line -> {
                            if (line.startsWith("data:")) {
                              received(line.substring(5).strip());
                            }
                          });
                    } catch (RuntimeException e) {
                      // the stream was cut
                    } finally {
                      ended.complete(null);
                    }
                  },
                  "sse-reader");
          reader.setDaemon(true);
          reader.start();
        });
  }

  private void openLongPoll(String site) {
    HttpResponse<String> opened = exchange(request("/lp/visitor?site=" + site).POST(HttpRequest.BodyPublishers.noBody()));
    if (opened.statusCode() != 200) {
      cid.completeExceptionally(new AssertionError("long poll refused: " + opened.statusCode() + " " + opened.body()));
      return;
    }
    String id = parse(opened.body()).path("cid").asText();
    cid.complete(id);
    Thread poller =
        new Thread(
            () -> {
              long cursor = 0;
              try {
                while (!closed) {
                  HttpResponse<String> polled = exchange(request("/lp/" + id + "?cursor=" + cursor).GET());
                  if (polled.statusCode() != 200) {
                    break;
                  }
                  JsonNode batch = parse(polled.body());
                  batch.path("frames").forEach(frame -> deliver(frame));
                  cursor = batch.path("cursor").asLong();
                  if (batch.path("closed").asBoolean()) {
                    break;
                  }
                }
              } catch (RuntimeException e) {
                // the server went away
              } finally {
                ended.complete(null);
              }
            },
            "long-poller");
    poller.setDaemon(true);
    poller.start();
  }

  private void received(String data) {
    JsonNode frame = parse(data);
    if ("open".equals(frame.path("type").asText())) {
      cid.complete(frame.path("cid").asText());
      return;
    }
    deliver(frame);
  }

  private void deliver(JsonNode frame) {
    inbox.add(frame);
  }

  public String connectionId() {
    return cid.join();
  }

  /** POSTs frames (a JSON array or any raw body) to the connection; returns the HTTP status. */
  public HttpResponse<String> post(String body) {
    return exchange(
        request("/rt/" + connectionId())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpFallbackClient send(ObjectNode frame) {
    HttpResponse<String> response = post("[" + frame + "]");
    if (response.statusCode() != 202) {
      throw new AssertionError("frame refused: " + response.statusCode() + " " + response.body());
    }
    return this;
  }

  /** The next frame matching {@code match}; frames before it are skipped (they stay in {@link #all()}). */
  public JsonNode await(Predicate<JsonNode> match, Duration within) {
    return inbox.await(match, within);
  }

  public JsonNode awaitType(String type, Duration within) {
    return inbox.awaitType(type, within);
  }

  public List<JsonNode> all() {
    return inbox.all();
  }

  /** Completes when the server ended the connection (the stream closed or the last poll said so). */
  public CompletableFuture<Void> ended() {
    return ended;
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return WireClient.JSON.readTree(json);
    } catch (IOException e) {
      return WireClient.JSON.createObjectNode().put("type", "unparseable").put("text", json);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (stream != null) {
      stream.thenAccept(r -> r.body().close());
      stream.cancel(true);
    }
  }
}
