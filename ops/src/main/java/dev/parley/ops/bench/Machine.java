package dev.parley.ops.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks read of the machine and of the processes they start (Linux /proc, {@code jcmd}): CPU ticks,
 * resident memory, heap after a full GC, load average, a free port; and the server process's plumbing (its log
 * drained to a file, a graceful stop). Shared by every benchmark in this package, so each prints the same figures.
 */
final class Machine {

  /** Clock ticks per second of /proc's CPU times on Linux. */
  static final double TICKS_PER_SECOND = 100.0;

  private Machine() {}

  /** Percent of one core that {@code ticks} of CPU over {@code seconds} of wall time are. */
  static double percent(long ticks, double seconds) {
    return 100.0 * ticks / TICKS_PER_SECOND / seconds;
  }

  /** Cumulative user + system CPU ticks of a process; 0 when it is gone or unreadable. */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Cumulative CPU ticks of this process. */
  static long ownTicks() {
    return cpuTicks(ProcessHandle.current().pid());
  }

  /** Cumulative CPU ticks of every postgres process on the machine. */
  static long postgresTicks() {
    long total = 0;
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readString(dir.resolve("comm")).startsWith("postgres")) {
            total += cpuTicks(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return total;
  }

  /** Resident memory of a process in KiB; -1 when unknown. */
  static long rssKib(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  /** A java process's heap in use after a full GC, from {@code jcmd} (next to the running java). */
  static String heapAfterGc(long pid) {
    try {
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start()
          .waitFor(60, TimeUnit.SECONDS);
      Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("used (\\d+)K").matcher(out);
      return m.find()
          ? (Long.parseLong(m.group(1)) / 1024) + " MiB"
          : "unknown (" + out.lines().findFirst().orElse("") + ")";
    } catch (IOException | InterruptedException e) {
      return "unknown (" + e + ")";
    }
  }

  /** The 1- and 5-minute load averages, as /proc/loadavg gives them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4);
      return f[0] + " " + f[1];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Copies the rest of a started server's output to {@code log} on a daemon thread, so its pipe never fills. */
  static void drainTo(BufferedReader lines, Path log) throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Thread drain = new Thread(() -> {
      try (var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        String l;
        while ((l = lines.readLine()) != null) {
          w.write(l);
          w.newLine();
          w.flush();
        }
      } catch (IOException ended) {
        // the process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
  }

  /** Asks a process to stop, and kills it if it has not within 30 s. */
  static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
