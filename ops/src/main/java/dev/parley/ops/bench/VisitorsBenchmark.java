package dev.parley.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The "Visitors now" benchmark (issue 14; docs/BENCHMARKS.md). Not a test: it prints numbers.
 *
 * <p>It starts a Parley node as a separate process on a fresh database, creates agents, and has them watch the demo
 * site's live visitor list over WebSockets; then visitors arrive at a steady rate until there are {@code visitors}
 * of them, and each browses: a page view every {@code page-every} seconds on average (exponentially distributed),
 * each page a new connection with the visitor's token and a {@code page} frame, as the widget does. Once all have
 * arrived and the list settled, it measures for {@code measure} seconds: the server's CPU (and this generator's and
 * PostgreSQL's, which share the machine), the server's heap after a full GC and its resident memory, and for each
 * agent the list updates ({@code visitors}, {@code visitorsChanged}) and bytes received per second.
 *
 * <p>One generator process holds all visitors: 10,000 connections stay under the 20,000 open files a process may
 * have here and the ~28,000 ports of one source address (STACK.md); beyond, run several on 127.0.0.x.
 */
public final class VisitorsBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SITE = "demo";
  private static final String PING = "{\"type\":\"ping\"}";
  /** Each connection pings once every this many seconds. */
  private static final int PING_SLICES = 20;
  /** Connect → welcome of visitors' connections, in microseconds (reset when the measurement starts). */
  private static final org.HdrHistogram.Recorder WELCOME_MICROS = new org.HdrHistogram.Recorder(3);
  /** Error frames visitors got, by code. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Integer> ERROR_CODES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record Options(
      int visitors, int agents, double pageEverySeconds, int arrivalsPerSecond, int settleSeconds,
      int measureSeconds, int limit, String database, String pgBase, String pgUser, String pgPassword,
      Path serverJar, String serverJava, String serverHeap, String serverOpts) {}

  /**
   * What one agent's connection received. Updates are counted by the server's {@code serverTime} in them, not by
   * when this (CPU-starved) generator got around to reading them, so a backlog here does not read as a burst there.
   */
  private static final class Watcher {
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger lastTotal = new AtomicInteger();
    /** Each list update: the server's time of it and its size in bytes. Bounded by the run's length (~1 a second). */
    final java.util.concurrent.ConcurrentLinkedQueue<long[]> updates = new java.util.concurrent.ConcurrentLinkedQueue<>();
    WsClient ws;
  }

  /** One simulated visitor: its token (from the first welcome) and its current connection. */
  private static final class SimVisitor {
    final int n;
    volatile String token;
    volatile WsClient ws;
    int page;

    SimVisitor(int n) {
      this.n = n;
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
    String db = "parley_bench_visitors_" + stamp;
    boolean embedded = o.database().equals("embedded");
    if (!embedded) {
      try (Connection c = DriverManager.getConnection(o.pgBase() + "postgres", o.pgUser(), o.pgPassword());
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + db);
      }
    }
    System.out.println("# Parley \"Visitors now\" benchmark, " + LocalDateTime.now());
    System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average at start "
        + Machine.loadAverage() + ", generator on " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version"));
    Server server = Server.start(o, embedded ? null : o.pgBase() + db,
        Path.of("target", "bench-data", db).toAbsolutePath());
    System.out.println("server: heap " + o.serverHeap() + ", " + (embedded ? "embedded database" : "PostgreSQL " + db)
        + " (its log: target/bench-visitors-server.log)");
    ActorSystem<Void> load =
        ActorSystem.create(Behaviors.empty(), "visitors-load", ConfigFactory.parseString(
                "pekko.loglevel = WARNING\npekko.http.client.idle-timeout = infinite\n"
                    + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")
            .withFallback(ConfigFactory.load()).resolve());
    ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    try {
      run(o, server, load, clock);
    } finally {
      clock.shutdownNow();
      load.terminate();
      load.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      server.stop();
    }
  }

  private static void run(Options o, Server server, ActorSystem<Void> load, ScheduledExecutorService clock)
      throws Exception {
    String origin = "http://127.0.0.1:" + server.port;
    HttpClient http = HttpClient.newHttpClient();
    String admin = login(http, origin, "admin", server.adminPassword);

    // Agents watching the list.
    List<Watcher> watchers = new ArrayList<>();
    URI agentUri = URI.create("ws://127.0.0.1:" + server.port + "/ws/agent");
    for (int i = 0; i < o.agents(); i++) {
      String token = agentToken(http, origin, admin, "bench-" + i);
      Watcher w = new Watcher();
      java.util.concurrent.CompletableFuture<Void> listed = new java.util.concurrent.CompletableFuture<>();
      w.ws = new WsClient(load, agentUri, origin, w.bytes, text -> {
        JsonNode f = readTree(text);
        String type = f.path("type").asText();
        if (type.equals("welcome")) {
          ObjectNode watch = JSON.createObjectNode().put("type", "watchVisitors").put("siteId", SITE)
              .put("limit", o.limit()).put("lang", "en");
          w.ws.offer(watch.toString());
        } else if (type.equals("visitors") || type.equals("visitorsChanged")) {
          long at = java.time.Instant.parse(f.path("serverTime").asText("1970-01-01T00:00:00Z")).toEpochMilli();
          w.updates.add(new long[] {at, text.getBytes(StandardCharsets.UTF_8).length});
          w.lastTotal.set(f.path("total").asInt());
          listed.complete(null);
        }
      });
      w.ws.offer(JSON.createObjectNode().put("type", "hello").put("token", token).put("observe", true).toString());
      listed.get(30, TimeUnit.SECONDS);
      watchers.add(w);
    }
    System.out.println(o.agents() + " agents watch the list of site '" + SITE + "' (limit " + o.limit() + ")");
    // Heartbeats, as every client sends them (protocol §2): without, the server ends a connection after 75 s.
    // A twentieth of the connections each second, so that every one pings every 20 s and never all at once.
    List<SimVisitor> visitors = new ArrayList<>(); // all made here, read-only after; their ws change (volatile)
    for (int i = 0; i < o.visitors(); i++) {
      visitors.add(new SimVisitor(i));
    }
    AtomicInteger slice = new AtomicInteger();
    clock.scheduleAtFixedRate(() -> {
      int k = slice.getAndIncrement() % PING_SLICES;
      if (k == 0) {
        watchers.forEach(w -> w.ws.offer(PING));
      }
      for (int i = k; i < visitors.size(); i += PING_SLICES) {
        WsClient ws = visitors.get(i).ws;
        if (ws != null) {
          ws.offer(PING);
        }
      }
    }, 1, 1, TimeUnit.SECONDS);

    // Visitors arriving, then browsing.
    URI visitorUri = URI.create("ws://127.0.0.1:" + server.port + "/ws/visitor?site=" + SITE);
    AtomicLong visitorBytes = new AtomicLong();
    AtomicInteger pageViews = new AtomicInteger();
    AtomicInteger connects = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    long started = System.nanoTime();
    for (int i = 0; i < o.visitors(); i++) {
      SimVisitor v = visitors.get(i);
      long at = (long) (i * 1_000_000_000L / (double) o.arrivalsPerSecond());
      clock.schedule(() -> nextPage(o, load, clock, visitorUri, origin, v, visitorBytes, pageViews, connects, refused),
          Math.max(0, at - (System.nanoTime() - started)), TimeUnit.NANOSECONDS);
    }
    long rampEnd = started + (long) (o.visitors() * 1_000_000_000L / (double) o.arrivalsPerSecond());
    while (System.nanoTime() < rampEnd) {
      Thread.sleep(1_000);
    }
    int listed = awaitListed(server, watchers, o.visitors(), o.settleSeconds());
    System.out.printf(Locale.ROOT, "ramp: %d visitors in %.0f s; %d listed by the agents' lists after settling%n",
        o.visitors(), (System.nanoTime() - started) / 1e9, listed);

    // Measure.
    int pagesBefore = pageViews.get();
    int connectsBefore = connects.get();
    WELCOME_MICROS.getIntervalHistogram(); // from now on
    long from = System.currentTimeMillis();
    long t0 = System.nanoTime();
    long server0 = Machine.cpuTicks(server.pid);
    long self0 = Machine.cpuTicks(ProcessHandle.current().pid());
    long pg0 = Machine.postgresTicks();
    Thread.sleep(o.measureSeconds() * 1000L);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double serverCpu = Machine.percent(Machine.cpuTicks(server.pid) - server0, seconds);
    double selfCpu = Machine.percent(Machine.cpuTicks(ProcessHandle.current().pid()) - self0, seconds);
    double pgCpu = Machine.percent(Machine.postgresTicks() - pg0, seconds);
    long to = from + o.measureSeconds() * 1000L;
    // Updates stamped inside the window may still be on their way to a starved generator: wait (a while) until
    // every agent holds one stamped after it.
    long lateDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < lateDeadline
        && watchers.stream().anyMatch(w -> w.updates.stream().noneMatch(u -> u[0] >= to))) {
      Thread.sleep(250);
    }
    long caughtUp = watchers.stream().filter(w -> w.updates.stream().anyMatch(u -> u[0] >= to)).count();
    long rssKib = Machine.rssKib(server.pid);
    String heap = Machine.heapAfterGc(server.pid);

    double pagesPerSecond = (pageViews.get() - pagesBefore) / seconds;
    double connectsPerSecond = (connects.get() - connectsBefore) / seconds;
    double minUpdates = Double.MAX_VALUE;
    double maxUpdates = 0;
    double sumUpdates = 0;
    double sumBytes = 0;
    double maxBytes = 0;
    long maxInASecond = 0;
    double windowSeconds = (to - from) / 1000.0;
    for (Watcher w : watchers) {
      long count = 0;
      long size = 0;
      Map<Long, Integer> perSecond = new java.util.HashMap<>();
      for (long[] u : w.updates) {
        if (u[0] >= from && u[0] < to) {
          count++;
          size += u[1];
          perSecond.merge(u[0] / 1000, 1, Integer::sum);
        }
      }
      for (int n : perSecond.values()) {
        maxInASecond = Math.max(maxInASecond, n);
      }
      double u = count / windowSeconds;
      double b = size / windowSeconds;
      minUpdates = Math.min(minUpdates, u);
      maxUpdates = Math.max(maxUpdates, u);
      sumUpdates += u;
      sumBytes += b;
      maxBytes = Math.max(maxBytes, b);
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "| visitors online | %d (the agents' lists say %d) |%n", o.visitors(),
        watchers.get(0).lastTotal.get());
    org.HdrHistogram.Histogram welcome = WELCOME_MICROS.getIntervalHistogram();
    System.out.printf(Locale.ROOT, "| visitor connections opened / s (a new one per page, as the widget does) | %.0f |%n",
        connectsPerSecond);
    System.out.printf(Locale.ROOT, "| page views / s (welcomed, then a page frame) | %.0f (error frames: %d %s) |%n",
        pagesPerSecond, refused.get(), ERROR_CODES);
    System.out.printf(Locale.ROOT, "| connect → welcome | p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d welcomes) |%n",
        welcome.getValueAtPercentile(50) / 1000.0, welcome.getValueAtPercentile(99) / 1000.0,
        welcome.getMaxValue() / 1000.0, welcome.getTotalCount());
    System.out.printf(Locale.ROOT, "| server CPU | %.0f %% of one core |%n", serverCpu);
    System.out.printf(Locale.ROOT, "| generator CPU, PostgreSQL CPU (same machine) | %.0f %%, %.0f %% |%n", selfCpu, pgCpu);
    System.out.printf(Locale.ROOT, "| server heap after full GC | %s (-Xmx%s) |%n", heap, o.serverHeap());
    System.out.printf(Locale.ROOT, "| server RSS | %d MiB |%n", rssKib / 1024);
    System.out.printf(Locale.ROOT, "| list updates / s per agent | mean %.2f, min %.2f, max %.2f; most in one second: %d |%n",
        sumUpdates / watchers.size(), minUpdates, maxUpdates, maxInASecond);
    System.out.printf(Locale.ROOT, "| bytes / s per agent | mean %.0f, max %.0f (%.1f KiB/s) |%n",
        sumBytes / watchers.size(), maxBytes, maxBytes / 1024);
    System.out.printf(Locale.ROOT, "| agents whose updates caught up after the window | %d of %d |%n",
        caughtUp, watchers.size());
    System.out.printf(Locale.ROOT, "| load average at the end | %s |%n", Machine.loadAverage());
    clock.shutdownNow(); // no more pages: then close what is open
    for (SimVisitor v : visitors) {
      WsClient ws = v.ws;
      if (ws != null) {
        ws.close();
      }
    }
    for (Watcher w : watchers) {
      w.ws.close();
    }
  }

  /** Opens the visitor's next page: a new connection (hello with its token), the page frame, then the next one. */
  private static void nextPage(Options o, ActorSystem<Void> load, ScheduledExecutorService clock, URI uri,
      String origin, SimVisitor v, AtomicLong bytes, AtomicInteger pageViews, AtomicInteger connects,
      AtomicInteger refused) {
    WsClient previous = v.ws;
    if (previous != null) {
      previous.close();
    }
    int page = ++v.page;
    long opened = System.nanoTime();
    WsClient[] self = new WsClient[1];
    self[0] = new WsClient(load, uri, origin, bytes, text -> {
      JsonNode f = readTree(text);
      String type = f.path("type").asText();
      if (type.equals("welcome")) {
        WELCOME_MICROS.recordValue(Math.max(0, (System.nanoTime() - opened) / 1_000));
        v.token = f.path("token").asText(v.token);
        ObjectNode frame = JSON.createObjectNode().put("type", "page")
            .put("url", "https://shop.example/tea/" + (v.n % 500) + "?p=" + page)
            .put("title", "Tea " + (v.n % 500))
            .put("referrer", page == 1 ? "https://www.bing.com/search?q=tea+" + (v.n % 50) : "");
        if (self[0].offer(frame.toString())) {
          pageViews.incrementAndGet();
        }
      } else if (type.equals("error")) {
        refused.incrementAndGet();
        ERROR_CODES.merge(f.path("code").asText(), 1, Integer::sum);
      }
    });
    v.ws = self[0];
    connects.incrementAndGet();
    ObjectNode hello = JSON.createObjectNode().put("type", "hello");
    if (v.token != null) {
      hello.put("token", v.token);
    }
    self[0].offer(hello.toString());
    double next = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) * o.pageEverySeconds();
    clock.schedule(() -> nextPage(o, load, clock, uri, origin, v, bytes, pageViews, connects, refused),
        (long) (next * 1000), TimeUnit.MILLISECONDS);
  }

  /** Waits until the agents' lists count every visitor, or the settle time passed; what they count then. */
  private static int awaitListed(Server server, List<Watcher> watchers, int visitors, int settleSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds);
    while (System.nanoTime() < deadline && watchers.get(0).lastTotal.get() < visitors) {
      Thread.sleep(250);
    }
    return watchers.get(0).lastTotal.get();
  }

  // The server --------------------------------------------------------------------------------------------------

  /** A Parley node as a process on a free port, with the admin password its first start printed. */
  private static final class Server {
    final Process process;
    final long pid;
    final int port;
    final String adminPassword;

    private Server(Process process, int port, String adminPassword) {
      this.process = process;
      this.pid = process.pid();
      this.port = port;
      this.adminPassword = adminPassword;
    }

    static Server start(Options o, String jdbcUrl, Path dataDir) throws Exception {
      int port = Machine.freePort();
      List<String> command = new ArrayList<>(List.of(o.serverJava(), "-Xmx" + o.serverHeap()));
      if (!o.serverOpts().isBlank()) {
        command.addAll(List.of(o.serverOpts().trim().split("\\s+")));
      }
      // Every admission check runs, none refuses: the load comes from one address, far above one client's limits.
      for (String limit : List.of("max-connections-per-address=1000000", "max-connections-per-site=1000000",
          "hellos-per-address.burst=1000000")) {
        command.add("-Dparley.edge.admission." + limit);
      }
      command.addAll(List.of("-jar", o.serverJar().toString()));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      if (jdbcUrl != null) {
        env.put("PARLEY_DB", "postgresql");
        env.put("PARLEY_DB_URL", jdbcUrl);
        env.put("PARLEY_DB_USER", o.pgUser());
        env.put("PARLEY_DB_PASSWORD", o.pgPassword());
      } else {
        env.put("PARLEY_DATA_DIR", dataDir.toString());
      }
      env.put("PARLEY_PORT", Integer.toString(port));
      env.put("PARLEY_CLUSTER_PORT", Integer.toString(Machine.freePort()));
      env.put("PARLEY_LOG_LEVEL", "WARN");
      Process p = pb.start();
      BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      Pattern passwordLine = Pattern.compile("password / 密码:\\s+(\\S+)");
      String password = null;
      String line;
      java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>(); // the startup's last lines, for a failure
      while ((line = lines.readLine()) != null) {
        if (last.size() == 20) {
          last.removeFirst();
        }
        last.addLast(line);
        Matcher m = passwordLine.matcher(line);
        if (m.find()) {
          password = m.group(1);
          break;
        }
        if (System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("the server did not start");
        }
      }
      if (password == null) {
        throw new IllegalStateException(
            "the server exited during startup, or its database was not fresh:\n" + String.join("\n", last));
      }
      Machine.drainTo(lines, Path.of("target", "bench-visitors-server.log"));
      return new Server(p, port, password);
    }

    void stop() throws InterruptedException {
      Machine.stop(process);
    }
  }

  // HTTP API ----------------------------------------------------------------------------------------------------

  private static String login(HttpClient http, String origin, String username, String password) throws Exception {
    JsonNode r = post(http, origin + "/api/auth/login", null,
        JSON.createObjectNode().put("username", username).put("password", password));
    return r.path("token").asText();
  }

  private static String agentToken(HttpClient http, String origin, String admin, String name) throws Exception {
    JsonNode created = post(http, origin + "/api/sites/" + SITE + "/accounts", admin,
        JSON.createObjectNode().put("username", name).put("role", "agent").put("displayName", name));
    return login(http, origin, created.path("account").path("username").asText(), created.path("password").asText());
  }

  private static JsonNode post(HttpClient http, String url, String token, JsonNode body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static JsonNode readTree(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  // The machine -------------------------------------------------------------------------------------------------

  private static Options parse(String[] args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
      }
      a.put(args[i].substring(2), args[i + 1]);
    }
    Map<String, String> d = new LinkedHashMap<>();
    d.put("visitors", "10000");
    d.put("agents", "20");
    d.put("page-every", "30");
    d.put("arrivals", "250");
    d.put("settle", "15");
    d.put("measure", "60");
    d.put("limit", "200");
    d.put("database", "postgresql");
    d.put("pg", "jdbc:postgresql://127.0.0.1:5432/");
    d.put("pg-user", "postgres");
    d.put("pg-password", "");
    d.put("server-jar", "http-edge/target/parley-server.jar");
    d.put("server-java", "java");
    d.put("server-heap", "1g");
    d.put("server-opts", "");
    d.forEach(a::putIfAbsent);
    if (!List.of("postgresql", "embedded").contains(a.get("database"))) {
      throw new IllegalArgumentException("--database is postgresql or embedded");
    }
    return new Options(Integer.parseInt(a.get("visitors")), Integer.parseInt(a.get("agents")),
        Double.parseDouble(a.get("page-every")), Integer.parseInt(a.get("arrivals")),
        Integer.parseInt(a.get("settle")), Integer.parseInt(a.get("measure")), Integer.parseInt(a.get("limit")),
        a.get("database"), a.get("pg"), a.get("pg-user"), a.get("pg-password"), Path.of(a.get("server-jar")),
        a.get("server-java"), a.get("server-heap"), a.get("server-opts"));
  }
}
