package dev.parley.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * Attachment messages per second (docs/BENCHMARKS.md, "Files"): {@code N} visitors, each in its own conversation,
 * each in a closed loop of one small PNG at a time: {@code PUT /files/uploads/ID} (checked by content, stored,
 * thumbnail made), then {@code send} with {@code attachment.uploadId}, then wait for the {@code ack}. Prints
 * messages a second and the p50/p99 from the upload's start to the ack. Run by {@code ops/bench-attachments}
 * against a server it started.
 *
 * <p>Arguments: BASE_URL SITE CONVERSATIONS WARMUP_SECONDS MEASURE_SECONDS.
 */
public final class AttachmentBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String base;
  private final String site;
  private final byte[] image;
  private final AtomicBoolean measuring = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  /** Errors by what they were: an HTTP status of an upload, or an error frame's code. */
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> errorKinds =
      new java.util.concurrent.ConcurrentHashMap<>();

  private void error(String kind) {
    errors.incrementAndGet();
    errorKinds.merge(kind, 1, Integer::sum);
  }
  /** Microseconds from upload start to ack, while measuring; bounded by the run's length. */
  private final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());

  private AttachmentBenchmark(HttpClient http, String base, String site, byte[] image) {
    this.http = http;
    this.base = base;
    this.site = site;
    this.image = image;
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String site = args[1];
    int conversations = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    int measure = Integer.parseInt(args[4]);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    HttpClient http = HttpClient.newBuilder().executor(pool).connectTimeout(Duration.ofSeconds(5)).build();
    byte[] image = png(64, 48);
    AttachmentBenchmark bench = new AttachmentBenchmark(http, base, site, image);
    List<Visitor> visitors = new ArrayList<>();
    for (int i = 0; i < conversations; i++) {
      visitors.add(bench.new Visitor());
    }
    CompletableFuture.allOf(visitors.stream().map(v -> v.ready).toArray(CompletableFuture[]::new))
        .get(60, TimeUnit.SECONDS);
    visitors.forEach(Visitor::next);
    Thread.sleep(warmup * 1000L); // warm-up runs for a fixed time by design: nothing is measured in it
    long cpuBefore = Machine.ownTicks();
    bench.measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(measure * 1000L);
    bench.measuring.set(false);
    double seconds = (System.nanoTime() - start) / 1e9;
    long cpuAfter = Machine.ownTicks();
    bench.running.set(false);
    long[] sorted;
    synchronized (bench.latencies) {
      sorted = bench.latencies.stream().mapToLong(Long::longValue).toArray();
    }
    Arrays.sort(sorted);
    System.out.printf(
        "attachments: %d conversations, %d-byte PNG, %.1f s measured: %d acked, %.1f msg/s,"
            + " upload->ack p50 %.1f ms p99 %.1f ms, errors %d; this generator's CPU %.0f %%%n",
        conversations, image.length, seconds, bench.acked.get(), bench.acked.get() / seconds,
        percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.99) / 1000.0, bench.errors.get(),
        100.0 * (cpuAfter - cpuBefore) / 100.0 / seconds);
    System.out.println("errors by kind (whole run, warm-up included): " + bench.errorKinds);
    visitors.forEach(v -> v.socket.thenAccept(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done")));
    pool.shutdownNow();
    System.exit(0);
  }

  private static long percentile(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** A noisy PNG (so it does not compress to nothing), like a small screenshot crop. */
  private static byte[] png(int width, int height) throws Exception {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(42);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0xFFFFFF));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** One visitor and its conversation: upload, send, ack, again. */
  private final class Visitor implements WebSocket.Listener {
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    final CompletableFuture<WebSocket> socket;
    private final StringBuilder partial = new StringBuilder();
    private volatile String token;
    private volatile String conversationId;
    private volatile String pendingId;
    private volatile long startedNanos;

    Visitor() {
      socket =
          http.newWebSocketBuilder()
              .header("Origin", base)
              .buildAsync(URI.create(base.replace("http", "ws") + "/ws/visitor?site=" + site), this);
      socket.thenAccept(s -> s.sendText("{\"type\":\"hello\"}", true));
    }

    /** The next file message of the loop. */
    void next() {
      if (!running.get()) {
        return;
      }
      String uploadId = UUID.randomUUID().toString();
      startedNanos = System.nanoTime();
      HttpRequest put =
          HttpRequest.newBuilder(
                  URI.create(base + "/files/uploads/" + uploadId + "?site=" + site + "&name=crop.png"))
              .header("Authorization", "Bearer " + token)
              .PUT(HttpRequest.BodyPublishers.ofByteArray(image))
              .build();
      http.sendAsync(put, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, failure) -> {
                if (failure != null || r.statusCode() != 200) {
                  error(failure != null ? failure.getClass().getSimpleName() : "http " + r.statusCode() + " "
                      + r.body().replaceAll(".*\"code\":\"([^\"]*)\".*", "$1"));
                  next();
                  return;
                }
                pendingId = UUID.randomUUID().toString();
                String frame =
                    "{\"type\":\"send\",\"id\":\"" + pendingId + "\"" + (conversationId == null ? ""
                        : ",\"conversationId\":\"" + conversationId + "\"")
                        + ",\"attachment\":{\"uploadId\":\"" + uploadId + "\"}}";
                socket.thenAccept(s -> s.sendText(frame, true));
              });
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode frame = JSON.readTree(text);
          switch (frame.path("type").asText()) {
            case "welcome" -> {
              token = frame.path("token").asText();
              ready.complete(null);
            }
            case "ack" -> {
              if (frame.path("id").asText().equals(pendingId)) {
                conversationId = frame.path("conversationId").asText();
                if (measuring.get()) {
                  acked.incrementAndGet();
                  latencies.add((System.nanoTime() - startedNanos) / 1_000);
                }
                next();
              }
            }
            case "error" -> {
              error("frame " + frame.path("code").asText());
              if (!ready.isDone()) {
                ws.sendText("{\"type\":\"hello\"}", true);
              } else if (frame.path("ref").asText().equals(pendingId)) {
                next();
              }
            }
            default -> {}
          }
        } catch (Exception e) {
          error(e.getClass().getSimpleName());
        }
      }
      ws.request(1);
      return null;
    }
  }
}
