package dev.parley.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One simulated visitor for the load harness: a WebSocket connection that says hello and then sends messages,
 * either closed-loop (a fixed number in flight, the next sent on each ack) or when told to (open loop). Every ack
 * records the send→ack latency.
 */
final class LoadClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Error frames received by all clients, by code: printed with the results. */
  static final ConcurrentHashMap<String, Integer> ERROR_CODES = new ConcurrentHashMap<>();
  /** Frames the generator may queue towards one connection before it counts as overloaded. */
  private static final int MAX_QUEUED_FRAMES = 256;
  /** Told of every ack (conversation and seq), when a run measures the read side's lag. */
  static volatile ProjectionLagProbe probe;

  private final BoundedSourceQueue<Message> out;
  private final Recorder latencies;
  private final AtomicInteger acked;
  private final AtomicInteger errors;
  private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
  private final ConcurrentHashMap<String, Long> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean closedLoop = new AtomicBoolean();
  private final String text;
  private volatile boolean measuring;

  LoadClient(
      ActorSystem<?> system,
      URI uri,
      String origin,
      Recorder latencies,
      AtomicInteger acked,
      AtomicInteger errors,
      int textChars) {
    this.latencies = latencies;
    this.acked = acked;
    this.errors = errors;
    this.text = "m".repeat(textChars);
    Materializer mat = Materializer.matFromSystem(system);
    Sink<Message, ?> in =
        Flow.<Message>create()
            .filter(Message::isText)
            .mapAsync(1, m -> m.asTextMessage().toStrict(5_000, mat))
            .to(Sink.foreach(m -> onText(m.getStrictText())));
    Flow<Message, Message, BoundedSourceQueue<Message>> flow =
        Flow.fromSinkAndSourceMat(in, Source.<Message>queue(MAX_QUEUED_FRAMES), Keep.right());
    this.out =
        Http.get(system)
            .singleWebSocketRequest(
                WebSocketRequest.create(uri.toString()).addHeader(RawHeader.create("Origin", origin)), flow, mat)
            .second();
    offer("{\"type\":\"hello\"}");
  }

  CompletableFuture<Void> welcomed() {
    return welcomed;
  }

  void measuring(boolean on) {
    measuring = on;
  }

  /** Keeps {@code window} messages in flight from now on. */
  void startClosedLoop(int window) {
    closedLoop.set(true);
    for (int i = 0; i < window; i++) {
      sendOne();
    }
  }

  void stop() {
    closedLoop.set(false);
  }

  int inFlight() {
    return inFlight.size();
  }

  void sendOne() {
    String id = UUID.randomUUID().toString();
    inFlight.put(id, System.nanoTime());
    offer("{\"type\":\"send\",\"id\":\"" + id + "\",\"text\":\"" + text + "\"}");
  }

  void close() {
    out.complete();
  }

  private void offer(String frame) {
    if (!out.offer(TextMessage.create(frame)).isEnqueued()) {
      errors.incrementAndGet();
    }
  }

  private void onText(String text) {
    try {
      JsonNode frame = JSON.readTree(text);
      switch (frame.path("type").asText()) {
        case "welcome" -> welcomed.complete(null);
        case "ack" -> {
          Long sent = inFlight.remove(frame.path("id").asText());
          if (sent != null) {
            ProjectionLagProbe p = probe;
            if (p != null) {
              p.acked(frame.path("conversationId").asText(), frame.path("seq").asLong());
            }
            if (measuring) {
              latencies.recordValue((System.nanoTime() - sent) / 1_000);
              acked.incrementAndGet();
            }
            if (closedLoop.get()) {
              sendOne();
            }
          }
        }
        case "error" -> {
          errors.incrementAndGet();
          ERROR_CODES.merge(frame.path("code").asText(), 1, Integer::sum);
          if (!welcomed.isDone()) {
            // A hello the server could not complete (it is starting, or overloaded): say it again, as clients do.
            offer("{\"type\":\"hello\"}");
            return;
          }
          String ref = frame.path("ref").asText(null);
          if (ref != null && inFlight.remove(ref) != null && closedLoop.get()) {
            sendOne();
          }
        }
        default -> {}
      }
    } catch (Exception e) {
      errors.incrementAndGet();
    }
  }
}
