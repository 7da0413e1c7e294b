package dev.parley.edge.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's package) started by a test on loopback, in the foreground, with everything it writes
 * (pid, logs, temporary files) in a temporary directory. Installs the package with apt-get when it is missing and
 * the test runs as root, as {@code ops/test-all} does; fails the test otherwise.
 */
public final class Nginx implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final Path dir;

  private Nginx(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /**
   * Starts nginx with {@code siteConfig} (what goes inside {@code http { }}, as a sites-enabled file) and waits
   * until {@code readyPort} on 127.0.0.1 accepts connections.
   */
  public static Nginx start(Path dir, String siteConfig, int readyPort) {
    try {
      Path binary = binary();
      Files.createDirectories(dir.resolve("temp"));
      Files.writeString(dir.resolve("parley.conf"), siteConfig);
      String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
      Files.writeString(
          dir.resolve("nginx.conf"),
          user
              + "daemon off;\n"
              + "worker_processes 1;\n"
              + "pid " + dir.resolve("nginx.pid") + ";\n"
              + "error_log " + dir.resolve("error.log") + " info;\n"
              + "events { worker_connections 512; }\n"
              + "http {\n"
              + "  access_log " + dir.resolve("access.log") + ";\n"
              + "  client_body_temp_path " + dir.resolve("temp/body") + ";\n"
              + "  proxy_temp_path " + dir.resolve("temp/proxy") + ";\n"
              + "  fastcgi_temp_path " + dir.resolve("temp/fastcgi") + ";\n"
              + "  uwsgi_temp_path " + dir.resolve("temp/uwsgi") + ";\n"
              + "  scgi_temp_path " + dir.resolve("temp/scgi") + ";\n"
              + "  include " + dir.resolve("parley.conf") + ";\n"
              + "}\n");
      Process check = new ProcessBuilder(binary.toString(), "-t", "-p", dir.toString(), "-e",
              dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString())
          .redirectErrorStream(true)
          .start();
      String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
        throw new AssertionError("nginx -t refused the configuration:\n" + checked + "\n" + siteConfig);
      }
      Process process =
          new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                  "-c", dir.resolve("nginx.conf").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      Nginx nginx = new Nginx(process, dir);
      Eventually.await("nginx listens on " + readyPort, START_TIMEOUT, () -> {
        if (!process.isAlive()) {
          throw new AssertionError("nginx exited: " + nginx.errorLog());
        }
        return accepts(readyPort);
      });
      return nginx;
    } catch (IOException e) {
      throw new AssertionError("could not start nginx", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A port on 127.0.0.1 that was free a moment ago (nginx needs its ports before Parley's URL is set). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public String errorLog() {
    try {
      return Files.readString(dir.resolve("error.log"));
    } catch (IOException e) {
      return "(no error log: " + e + ")";
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path binary() throws IOException, InterruptedException {
    for (Path candidate : List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx"))) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new AssertionError("nginx is not installed: apt-get install nginx (ops/test-all does it)");
    }
    Process install =
        new ProcessBuilder("sh", "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
                    + " nginx")
            .redirectErrorStream(true)
            .start();
    String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!install.waitFor(10, TimeUnit.MINUTES) || install.exitValue() != 0 || !Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
      throw new AssertionError("could not install nginx:\n" + output);
    }
    return Path.of("/usr/sbin/nginx");
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
