// Over 600 lines for now: one program that starts the server as a process, runs the scenarios (closed loop, fixed
// rate, raw entities, and the admission and projection comparisons), reads CPU from /proc and prints one table.
// Issue 18 rebuilds this harness around send -> delivered; it splits then along those seams (ServerProcess,
// scenarios, report), rather than twice. LoadClient, ProjectionLagProbe and Machine (CPU, memory, the server's log
// and stop, shared with the other benchmarks) already live apart.
package dev.parley.ops.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.Domain;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.visitor.Visitor;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.ManagedPostgres;
import dev.parley.persistence.config.PersistenceSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;

/**
 * The capacity benchmark behind docs/BENCHMARKS.md. Not a test: it prints numbers.
 *
 * <p>It starts a Parley server as a separate process on a fresh database of a real PostgreSQL server, drives it
 * with simulated visitors over WebSockets from this process, and reports acknowledged messages per second and
 * send→ack latency for one conversation, for many conversations, and at a fixed rate. Then, in this process and on
 * another fresh database, it sends the same commands straight to the sharded entities, without HTTP, for the raw
 * ceiling. CPU time of the server, this load generator and PostgreSQL is read from /proc beside every figure.
 *
 * <p>Run it with {@code ops/bench} (see its --help).
 */
public final class EdgeBenchmark {

  private record Options(
      String admission,
      String projections,
      String database,
      String pgBase,
      String pgUser,
      String pgPassword,
      Path serverJar,
      String serverJava,
      String serverHeap,
      String serverOpts,
      int warmupSeconds,
      int measureSeconds,
      int conversations,
      int windowOne,
      int windowMany,
      int rate,
      int textChars) {}

  record Result(
      String scenario,
      double messagesPerSecond,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      long acked,
      int errors,
      double serverCpu,
      double generatorCpu,
      double postgresCpu) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    List<Result> results = new ArrayList<>();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
    String edgeDb = "parley_bench_edge_" + stamp;
    String rawDb = "parley_bench_raw_" + stamp;
    boolean embedded = o.database().equals("embedded");
    if (!embedded) {
      createDatabase(o, edgeDb);
      createDatabase(o, rawDb);
    }

    System.out.println("# Parley capacity benchmark, " + LocalDateTime.now());
    System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
        + cpuModel() + ", load generator on " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version"));

    if (o.projections().equals("compare")) {
      List<String> lags = new ArrayList<>();
      results.addAll(projectionsCost(o, stamp, lags));
      print(o, results);
      lags.forEach(System.out::println);
      return;
    }
    if (o.admission().equals("compare")) {
      results.addAll(admissionCost(o, embedded, edgeDb));
      print(o, results);
      return;
    }
    Path edgeDataDir = Path.of("target", "bench-data", edgeDb).toAbsolutePath();
    ServerProcess server =
        ServerProcess.start(o, embedded ? null : o.pgBase() + edgeDb, edgeDataDir, o.admission().equals("on"));
    System.out.println("server: " + server.javaVersion + ", heap " + o.serverHeap() + ", "
        + (embedded ? "its embedded default under " + edgeDataDir : "PostgreSQL database " + edgeDb)
        + " (its log: target/bench-server.log)");
    ActorSystem<Void> load = ActorSystem.create(Behaviors.empty(), "load", loadConfig());
    try {
      URI uri = URI.create("ws://127.0.0.1:" + server.port + "/ws/visitor?site=demo");
      String origin = "http://127.0.0.1:" + server.port;
      results.add(closedLoop(o, load, server.pid, uri, origin, "edge, 1 conversation", 1, o.windowOne()));
      results.add(
          closedLoop(o, load, server.pid, uri, origin, "edge, " + o.conversations() + " conversations",
              o.conversations(), o.windowMany()));
      results.add(openLoop(o, load, server.pid, uri, origin));
    } finally {
      load.terminate();
      load.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      server.stop();
    }

    results.addAll(rawCeiling(o, rawDb));
    print(o, results);
  }

  /**
   * What admission control costs per message: the many-conversations scenarios against a server with admission
   * off, then against a fresh server on the same database with admission on (limits lifted far above the load, so
   * that every check runs and none refuses), in one run.
   */
  private static List<Result> admissionCost(Options o, boolean embedded, String edgeDb) throws Exception {
    List<Result> results = new ArrayList<>();
    Path edgeDataDir = Path.of("target", "bench-data", edgeDb).toAbsolutePath();
    for (boolean on : new boolean[] {false, true}) {
      ServerProcess server = ServerProcess.start(o, embedded ? null : o.pgBase() + edgeDb, edgeDataDir, on);
      ActorSystem<Void> load = ActorSystem.create(Behaviors.empty(), "load", loadConfig());
      try {
        URI uri = URI.create("ws://127.0.0.1:" + server.port + "/ws/visitor?site=demo");
        String origin = "http://127.0.0.1:" + server.port;
        String label = on ? " (admission on)" : " (admission off)";
        Result many =
            closedLoop(o, load, server.pid, uri, origin, "edge, " + o.conversations() + " conversations" + label,
                o.conversations(), o.windowMany());
        results.add(many);
        results.add(rename(openLoop(o, load, server.pid, uri, origin), label));
      } finally {
        load.terminate();
        load.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server.stop();
      }
    }
    return results;
  }

  /**
   * What the read side costs the write path, and how far behind it runs: the many-conversations scenarios against
   * a server with its projections off, then against a server with them on, each on its own fresh database so that
   * neither inherits a backlog, with the projection lag (ack → the message's row in the read side) measured while
   * the second one is loaded.
   */
  private static List<Result> projectionsCost(Options o, String stamp, List<String> lags) throws Exception {
    List<Result> results = new ArrayList<>();
    for (boolean on : new boolean[] {false, true}) {
      String db = "parley_bench_proj_" + (on ? "on_" : "off_") + stamp;
      createDatabase(o, db);
      ServerProcess server = ServerProcess.start(o, o.pgBase() + db, null, o.admission().equals("on"), on);
      ActorSystem<Void> load = ActorSystem.create(Behaviors.empty(), "load", loadConfig());
      try {
        URI uri = URI.create("ws://127.0.0.1:" + server.port + "/ws/visitor?site=demo");
        String origin = "http://127.0.0.1:" + server.port;
        String label = on ? " (projections on)" : " (projections off)";
        for (boolean fixedRate : new boolean[] {false, true}) {
          ProjectionLagProbe probe = on ? new ProjectionLagProbe(o.pgBase() + db, o.pgUser(), o.pgPassword(), 20) : null;
          LoadClient.probe = probe;
          if (probe != null) {
            probe.recording(true);
          }
          Result r = fixedRate
              ? rename(openLoop(o, load, server.pid, uri, origin), label)
              : closedLoop(o, load, server.pid, uri, origin, "edge, " + o.conversations() + " conversations" + label,
                  o.conversations(), o.windowMany());
          results.add(r);
          if (probe != null) {
            probe.recording(false);
            lags.add(probe.report(r.scenario()));
            probe.close();
          }
          LoadClient.probe = null;
        }
      } finally {
        load.terminate();
        load.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server.stop();
      }
    }
    return results;
  }

  private static Result rename(Result r, String suffix) {
    return new Result(
        r.scenario() + suffix, r.messagesPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.acked(),
        r.errors(), r.serverCpu(), r.generatorCpu(), r.postgresCpu());
  }

  // Scenarios ----------------------------------------------------------------------------------------------

  private static Result closedLoop(
      Options o, ActorSystem<?> system, long serverPid, URI uri, String origin, String name, int clients, int window)
      throws Exception {
    Recorder latencies = new Recorder(3);
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<LoadClient> all = connect(o, system, uri, origin, clients, latencies, acked, errors);
    all.forEach(c -> c.startClosedLoop(window));
    return measure(o, name, serverPid, latencies, acked, errors, () -> all.forEach(c -> c.measuring(true)), () -> {
      all.forEach(LoadClient::stop);
      all.forEach(c -> c.measuring(false));
      drainThenClose(all);
    });
  }

  private static Result openLoop(Options o, ActorSystem<?> system, long serverPid, URI uri, String origin)
      throws Exception {
    Recorder latencies = new Recorder(3);
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<LoadClient> all = connect(o, system, uri, origin, o.conversations(), latencies, acked, errors);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    int perTick = Math.max(1, o.rate() / 100);
    AtomicInteger next = new AtomicInteger();
    ticker.scheduleAtFixedRate(
        () -> {
          for (int i = 0; i < perTick; i++) {
            all.get(Math.floorMod(next.getAndIncrement(), all.size())).sendOne();
          }
        },
        0,
        10,
        TimeUnit.MILLISECONDS);
    String name = "edge, " + o.conversations() + " conversations at " + o.rate() + " msg/s";
    return measure(o, name, serverPid, latencies, acked, errors, () -> all.forEach(c -> c.measuring(true)), () -> {
      ticker.shutdownNow();
      all.forEach(c -> c.measuring(false));
      drainThenClose(all);
    });
  }

  private static List<LoadClient> connect(
      Options o,
      ActorSystem<?> system,
      URI uri,
      String origin,
      int clients,
      Recorder latencies,
      AtomicInteger acked,
      AtomicInteger errors)
      throws Exception {
    List<LoadClient> all = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      all.add(new LoadClient(system, uri, origin, latencies, acked, errors, o.textChars()));
      if (i % 100 == 99) {
        CompletableFuture.allOf(all.stream().map(LoadClient::welcomed).toArray(CompletableFuture[]::new))
            .get(60, TimeUnit.SECONDS);
      }
    }
    CompletableFuture.allOf(all.stream().map(LoadClient::welcomed).toArray(CompletableFuture[]::new))
        .get(60, TimeUnit.SECONDS);
    return all;
  }

  private static void drainThenClose(List<LoadClient> all) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && all.stream().anyMatch(c -> c.inFlight() > 0)) {
      sleep(100);
    }
    all.forEach(LoadClient::close);
  }

  private static Result measure(
      Options o,
      String name,
      long serverPid,
      Recorder latencies,
      AtomicInteger acked,
      AtomicInteger errors,
      Runnable start,
      Runnable stop) {
    System.out.println("running: " + name + " (" + o.warmupSeconds() + " s warm-up, " + o.measureSeconds() + " s measured)");
    sleep(o.warmupSeconds() * 1000L);
    latencies.reset();
    acked.set(0);
    errors.set(0);
    Cpu before = Cpu.now(serverPid);
    long t0 = System.nanoTime();
    start.run();
    sleep(o.measureSeconds() * 1000L);
    stop.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    Cpu after = Cpu.now(serverPid);
    Histogram h = latencies.getIntervalHistogram();
    return new Result(
        name,
        acked.get() / seconds,
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0,
        acked.get(),
        errors.get(),
        after.server(before, seconds),
        after.generator(before, seconds),
        after.postgres(before, seconds));
  }

  // Raw ceiling: the same commands straight to the entities ---------------------------------------------------

  private static List<Result> rawCeiling(Options o, String database) throws Exception {
    if (o.database().equals("embedded")) {
      try (ManagedPostgres embedded = ManagedPostgres.start(Path.of("target", "bench-data", database), 8, 4)) {
        return rawCeiling(o, embedded.settings());
      }
    }
    return rawCeiling(o, PersistenceSettings.postgres(o.pgBase() + database, o.pgUser(), o.pgPassword()));
  }

  private static List<Result> rawCeiling(Options o, PersistenceSettings storage) throws Exception {
    try (HikariDataSource pool = Databases.configPool(storage)) {
      Databases.migrate(pool, storage);
    }
    Config config =
        storage
            .pekkoConfig()
            .withFallback(
                ConfigFactory.parseString(
                    "pekko.remote.artery.canonical.port = 0\npekko.loglevel = WARNING\n"
                        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                        // one conversation takes far more than a visitor's quota here, as on the edge above
                        + "parley.core.conversation.max-visitor-messages = 1000000000\n"
                        + "parley.core.conversation.max-visitor-chars = 1000000000000"))
            .withFallback(ConfigFactory.load())
            .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "raw", config);
    List<Result> results = new ArrayList<>();
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      ClusterSharding sharding = Domain.start(system);
      results.add(rawScenario(o, system, sharding, "raw entities, 1 conversation", 1, o.windowOne()));
      results.add(
          rawScenario(o, system, sharding, "raw entities, " + o.conversations() + " conversations",
              o.conversations(), o.windowMany()));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return results;
  }

  private static Result rawScenario(
      Options o, ActorSystem<?> system, ClusterSharding sharding, String name, int conversations, int window)
      throws Exception {
    Recorder latencies = new Recorder(3);
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicInteger outstanding = new AtomicInteger();
    String text = "m".repeat(o.textChars());
    for (int c = 0; c < conversations; c++) {
      String visitorId = "raw-visitor-" + name.hashCode() + "-" + c;
      String conversationId = sharding
          .entityRefFor(Visitor.ENTITY_KEY, Visitor.entityId("demo", visitorId))
          .<StatusReply<String>>ask(r -> new Visitor.EnsureConversation(null, r), Duration.ofSeconds(30))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS)
          .getValue();
      Caller caller = Caller.visitor("demo", visitorId);
      for (int w = 0; w < window; w++) {
        post(system, sharding, conversationId, caller, text, latencies, acked, errors, running, measuring, outstanding);
      }
    }
    return measure(o, name, -1, latencies, acked, errors, () -> measuring.set(true), () -> {
      running.set(false);
      measuring.set(false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (outstanding.get() > 0 && System.nanoTime() < deadline) {
        sleep(100);
      }
    });
  }

  private static void post(
      ActorSystem<?> system,
      ClusterSharding sharding,
      String conversationId,
      Caller caller,
      String text,
      Recorder latencies,
      AtomicInteger acked,
      AtomicInteger errors,
      AtomicBoolean running,
      AtomicBoolean measuring,
      AtomicInteger outstanding) {
    if (!running.get()) {
      return;
    }
    outstanding.incrementAndGet();
    long sent = System.nanoTime();
    String id = java.util.UUID.randomUUID().toString();
    sharding
        .entityRefFor(Conversation.ENTITY_KEY, conversationId)
        .<StatusReply<Conversation.Posted>>ask(
            r -> new Conversation.PostMessage(caller, id, text, true, r), Duration.ofSeconds(10))
        .whenCompleteAsync(
            (reply, failure) -> {
              outstanding.decrementAndGet();
              if (failure != null || reply.isError()) {
                errors.incrementAndGet();
              } else if (measuring.get()) {
                latencies.recordValue((System.nanoTime() - sent) / 1_000);
                acked.incrementAndGet();
              }
              post(system, sharding, conversationId, caller, text, latencies, acked, errors, running, measuring,
                  outstanding);
            },
            system.executionContext());
  }

  // Server process -------------------------------------------------------------------------------------------

  private static final class ServerProcess {
    final Process process;
    final long pid;
    final int port;
    final String javaVersion;

    private ServerProcess(Process process, int port, String javaVersion) {
      this.process = process;
      this.pid = process.pid();
      this.port = port;
      this.javaVersion = javaVersion;
    }

    /** On PostgreSQL at {@code jdbcUrl}, or on the server's embedded default under {@code dataDir} when null. */
    static ServerProcess start(Options o, String jdbcUrl, Path dataDir, boolean admission) throws Exception {
      return start(o, jdbcUrl, dataDir, admission, true);
    }

    /** As above, with the read side's projections on or off ({@code PARLEY_PROJECTIONS}). */
    static ServerProcess start(Options o, String jdbcUrl, Path dataDir, boolean admission, boolean projections)
        throws Exception {
      int port = Machine.freePort();
      int clusterPort = Machine.freePort();
      List<String> command = new ArrayList<>(List.of(o.serverJava(), "-Xmx" + o.serverHeap()));
      if (!o.serverOpts().isBlank()) {
        command.addAll(List.of(o.serverOpts().trim().split("\\s+")));
      }
      if (admission) {
        // Every check runs; none refuses: the load comes from one address, far above a real client's limits.
        for (String limit :
            List.of(
                "max-connections-per-address=1000000", "hellos-per-address.burst=1000000",
                "conversations-per-address.burst=1000000", "conversations-per-site.burst=1000000",
                "max-waiting-per-address=1000000", "sends-per-visitor.burst=1000000",
                "sends-per-address.burst=1000000", "max-connections-per-site=1000000")) {
          command.add("-Dparley.edge.admission." + limit);
        }
      } else {
        command.add("-Dparley.edge.admission.enabled=false");
      }
      // The single-conversation scenarios push far more through one conversation than a visitor may write into
      // one (1,000 messages): the quota is lifted like the admission limits (a server older than the setting
      // ignores it, and those scenarios then fail with quota-exceeded).
      command.add("-Dparley.core.conversation.max-visitor-messages=1000000000");
      command.add("-Dparley.core.conversation.max-visitor-chars=1000000000000");
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
      env.put("PARLEY_CLUSTER_PORT", Integer.toString(clusterPort));
      env.put("PARLEY_LOG_LEVEL", "WARN");
      env.put("PARLEY_PROJECTIONS", projections ? "on" : "off");
      Process p = pb.start();
      BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.contains("Parley is running at")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("the server did not start");
        }
      }
      if (line == null) {
        throw new IllegalStateException("the server exited during startup");
      }
      Machine.drainTo(lines, Path.of("target", "bench-server.log"));
      return new ServerProcess(p, port, javaVersionOf(o.serverJava()));
    }

    void stop() throws InterruptedException {
      Machine.stop(process);
    }
  }

  private static String javaVersionOf(String java) {
    try {
      Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
      String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      p.waitFor(10, TimeUnit.SECONDS);
      return first == null ? java : first;
    } catch (Exception e) {
      return java;
    }
  }

  // CPU accounting from /proc --------------------------------------------------------------------------------

  /** Cumulative CPU ticks (utime + stime) of the server, this process and all postgres processes. */
  private record Cpu(long server, long generator, long postgres) {
    static Cpu now(long serverPid) {
      return new Cpu(serverPid > 0 ? Machine.cpuTicks(serverPid) : 0, Machine.ownTicks(), Machine.postgresTicks());
    }

    double server(Cpu before, double seconds) {
      return Machine.percent(server - before.server, seconds);
    }

    double generator(Cpu before, double seconds) {
      return Machine.percent(generator - before.generator, seconds);
    }

    double postgres(Cpu before, double seconds) {
      return Machine.percent(postgres - before.postgres, seconds);
    }
  }

  // Plumbing -------------------------------------------------------------------------------------------------

  private static Config loadConfig() {
    return ConfigFactory.parseString(
            "pekko.actor.provider = local\n"
                + "pekko.loglevel = WARNING\n"
                + "pekko.http.client.idle-timeout = infinite\n"
                + "pekko.http.host-connection-pool.max-connections = 4096\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private static void createDatabase(Options o, String name) throws Exception {
    try (Connection c = DriverManager.getConnection(o.pgBase() + "postgres", o.pgUser(), o.pgPassword());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
  }

  private static void print(Options o, List<Result> results) {
    System.out.println();
    System.out.println("| scenario | acked msg/s | p50 ms | p99 ms | max ms | acked | errors | server CPU | generator CPU | PostgreSQL CPU |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %.1f | %.1f | %.1f | %d | %d | %s | %.0f %% | %.0f %% |%n",
          r.scenario(),
          r.messagesPerSecond(),
          r.p50Millis(),
          r.p99Millis(),
          r.maxMillis(),
          r.acked(),
          r.errors(),
          r.serverCpu() > 0 ? String.format(Locale.ROOT, "%.0f %%", r.serverCpu()) : "(in generator)",
          r.generatorCpu(),
          r.postgresCpu());
    }
    System.out.println();
    if (!LoadClient.ERROR_CODES.isEmpty()) {
      System.out.println("error frames by code: " + LoadClient.ERROR_CODES);
    }
    System.out.println("CPU: percent of one core over the measured window (200 % = both cores of this machine).");
    System.out.println("Settings: warm-up " + o.warmupSeconds() + " s, measured " + o.measureSeconds()
        + " s, window " + o.windowOne() + " (1 conversation) / " + o.windowMany() + " per conversation, text "
        + o.textChars() + " chars.");
  }

  private static Options parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
      }
      a.put(args[i].substring(2), args[i + 1]);
    }
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("database", "postgresql");
    defaults.put("admission", "on");
    defaults.put("projections", "on");
    defaults.put("pg", "jdbc:postgresql://127.0.0.1:5432/");
    defaults.put("pg-user", "postgres");
    defaults.put("pg-password", "");
    defaults.put("server-jar", "http-edge/target/parley-server.jar");
    defaults.put("server-java", "java");
    defaults.put("server-heap", "1g");
    defaults.put("server-opts", "");
    defaults.put("warmup", "10");
    defaults.put("measure", "20");
    defaults.put("conversations", "1000");
    defaults.put("window-one", "64");
    defaults.put("window-many", "4");
    defaults.put("rate", "1000");
    defaults.put("text", "60");
    defaults.forEach(a::putIfAbsent);
    if (!a.get("database").equals("postgresql") && !a.get("database").equals("embedded")) {
      throw new IllegalArgumentException("--database is postgresql or embedded");
    }
    if (!List.of("on", "off", "compare").contains(a.get("admission"))) {
      throw new IllegalArgumentException("--admission is on, off or compare");
    }
    if (!List.of("on", "compare").contains(a.get("projections"))) {
      throw new IllegalArgumentException("--projections is on or compare");
    }
    if (a.get("projections").equals("compare") && !a.get("database").equals("postgresql")) {
      throw new IllegalArgumentException("--projections compare runs on --database postgresql");
    }
    return new Options(
        a.get("admission"),
        a.get("projections"),
        a.get("database"),
        a.get("pg"),
        a.get("pg-user"),
        a.get("pg-password"),
        Path.of(a.get("server-jar")),
        a.get("server-java"),
        a.get("server-heap"),
        a.get("server-opts"),
        Integer.parseInt(a.get("warmup")),
        Integer.parseInt(a.get("measure")),
        Integer.parseInt(a.get("conversations")),
        Integer.parseInt(a.get("window-one")),
        Integer.parseInt(a.get("window-many")),
        Integer.parseInt(a.get("rate")),
        Integer.parseInt(a.get("text")));
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
