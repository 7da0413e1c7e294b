package dev.parley.edge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Parley node in a process of its own, started with {@code dev.parley.edge.Main} exactly as an operator starts
 * it (configuration by environment), so that a test can kill it with SIGKILL and start it again on the same data.
 *
 * <p>The node runs in a process group of its own ({@code setsid}); {@link #kill()} kills that group and any
 * PostgreSQL server the node manages (whose postmaster detaches into a session of its own), all at the same
 * instant, as a crash of the whole installation would.
 */
public final class ServerProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern PASSWORD = Pattern.compile("password / 密码:\\s+(\\S+)");
  private static final Pattern USERNAME = Pattern.compile("username / 用户名:\\s+(\\S+)");

  private final Process process;
  private final int port;
  private final Path log;
  private final Path dataDir;

  private ServerProcess(Process process, int port, Path log, Path dataDir) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.dataDir = dataDir;
  }

  /** A free TCP port on loopback, for a node that must come back on the same address after a kill. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts a node listening on {@code port} with the given environment (PARLEY_* variables) and waits until it
   * serves HTTP. {@code dataDir} is the node's working directory, so the default {@code ./data} lands there.
   */
  public static ServerProcess start(Path dataDir, int port, Map<String, String> env, Path log, Duration within) {
    return start(dataDir, port, env, log, within, List.of());
  }

  /** As above, with extra JVM options after the defaults (a later -Xmx wins: a smaller heap, say). */
  public static ServerProcess start(
      Path dataDir, int port, Map<String, String> env, Path log, Duration within, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    // -Dparley.server-java=/path/to/java runs the node on another JVM than the tests (Temurin 25, say).
    command.add(System.getProperty("parley.server-java", ProcessHandle.current().info().command().orElse("java")));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Xmx384m");
    // As in every test: admission control on, with limits far above what the test sends from one address.
    TestServer.GENEROUS_ADMISSION.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-XX:+UseSerialGC");
    command.addAll(jvmOptions);
    command.add("dev.parley.edge.Main");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(dataDir.toFile());
    builder.environment().put("PARLEY_PORT", Integer.toString(port));
    builder.environment().put("PARLEY_MANAGEMENT_ENABLED", "false");
    builder.environment().put("PARLEY_CLUSTER_PORT", Integer.toString(freePort()));
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Files.createDirectories(dataDir);
      ServerProcess server = new ServerProcess(builder.start(), port, log, dataDir);
      server.awaitHealthy(within);
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start the server process", e);
    }
  }

  private void awaitHealthy(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the server process exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
    kill();
    throw new AssertionError("the server did not serve /healthz within " + within + "; see " + log);
  }

  public int port() {
    return port;
  }

  public String origin() {
    return "http://127.0.0.1:" + port;
  }

  public URI visitorUri(String siteId) {
    return URI.create("ws://127.0.0.1:" + port + "/ws/visitor?site=" + siteId);
  }

  public URI agentUri() {
    return URI.create("ws://127.0.0.1:" + port + "/ws/agent");
  }

  /** The admin password printed by the first start, read from the process's output. */
  public Optional<String> firstStartPassword() {
    try {
      Matcher m = PASSWORD.matcher(Files.readString(log));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The admin user name printed by the first start. */
  public Optional<String> firstStartUsername() {
    try {
      Matcher m = USERNAME.matcher(Files.readString(log));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the node's process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * SIGKILL to the node's process group and, in the same instant, to the process group of the PostgreSQL server
   * it manages under its data directory (if any): no shutdown hook, no flush, no goodbye.
   */
  public void kill() {
    kill(true);
  }

  /**
   * SIGKILL to the node's process group; with {@code withDatabase}, in the same instant to the process group of
   * the PostgreSQL server the node manages (if any). Without it, that server survives the node, as it does when
   * only the node's JVM is killed (by the OOM killer, say), and the next start must deal with it.
   */
  public void kill(boolean withDatabase) {
    List<String> command = new ArrayList<>(List.of("kill", "-KILL", "--", "-" + process.pid()));
    Optional<Long> postmaster = withDatabase ? postmasterPid() : Optional.empty();
    postmaster.ifPresent(pid -> command.add("-" + pid));
    try {
      new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the server process survived SIGKILL");
      }
      postmaster.ifPresent(ServerProcess::awaitGone);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  private Optional<Long> postmasterPid() {
    try (var files = Files.walk(dataDir, 3)) {
      Optional<Path> pidFile = files.filter(p -> p.getFileName().toString().equals("postmaster.pid")).findFirst();
      if (pidFile.isEmpty()) {
        return Optional.empty();
      }
      String first = Files.readAllLines(pidFile.get()).get(0).trim();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void awaitGone(long pid) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("PostgreSQL process " + pid + " survived SIGKILL");
      }
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().completeOnTimeout(h, 100, TimeUnit.MILLISECONDS).join());
    }
  }

  /** Stops the node as an operator would (SIGTERM: coordinated shutdown) and waits for it. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
