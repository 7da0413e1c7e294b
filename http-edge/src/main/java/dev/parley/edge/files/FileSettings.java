package dev.parley.edge.files;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The server's file limits ({@code parley.edge.files}): the defaults of every site that has not set its own
 * ({@code site_file_policy}), and the limits that are the server's alone (image size, links, upload rate).
 */
public record FileSettings(
    long maxFileBytes,
    long siteQuotaBytes,
    List<String> allowedTypes,
    long maxImagePixels,
    int maxImageSide,
    int thumbnailSide,
    Duration linkTtl,
    int uploadRequestsPerMinute,
    int maxConcurrentImageChecks,
    int maxConcurrentUploads) {

  /**
   * Types never accepted, whatever a site allows: anything a browser could run as a page or script (HTML, SVG,
   * XML, JavaScript) and programs.
   */
  public static final Set<String> NEVER =
      Set.of(
          "text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml",
          "application/javascript", "text/javascript", "application/ecmascript", "application/x-msdownload",
          "application/x-executable", "application/x-elf", "application/x-mach-o-executable",
          "application/x-sh", "application/x-bat", "application/java-archive", "application/x-dosexec");

  public static FileSettings fromConfig(Config config) {
    Config c = config.getConfig("parley.edge.files");
    return new FileSettings(
        c.getBytes("max-file-size"),
        c.getBytes("site-quota"),
        List.copyOf(c.getStringList("allowed-types")),
        c.getLong("max-image-pixels"),
        c.getInt("max-image-side"),
        c.getInt("thumbnail-side"),
        c.getDuration("link-ttl"),
        c.getInt("upload-requests-per-minute"),
        c.getInt("max-concurrent-image-checks"),
        c.getInt("max-concurrent-uploads"));
  }
}
