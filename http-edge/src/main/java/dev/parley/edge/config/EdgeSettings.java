package dev.parley.edge.config;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;

/** The edge's settings, read from {@code parley.edge}. */
public record EdgeSettings(
    String host,
    int port,
    String publicUrl,
    int maxFrameBytes,
    Duration heartbeat,
    Duration idleTimeout,
    Duration helloTimeout,
    Duration askTimeout,
    Duration subscriptionRenewal,
    int maxOutboundFrames,
    int maxInFlightRequests,
    Duration agentTokenTtl,
    Duration visitorTokenTtl) {

  public static EdgeSettings fromConfig(Config root) {
    Config c = root.getConfig("parley.edge");
    String host = c.getString("host");
    int port = c.getInt("port");
    String publicUrl = c.getString("public-url");
    return new EdgeSettings(
        host,
        port,
        publicUrl.isBlank() ? null : stripSlash(publicUrl),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-frame-bytes")),
        c.getDuration("heartbeat"),
        c.getDuration("idle-timeout"),
        c.getDuration("hello-timeout"),
        c.getDuration("ask-timeout"),
        c.getDuration("subscription-renewal"),
        c.getInt("max-outbound-frames"),
        c.getInt("max-in-flight-requests"),
        c.getDuration("agent-token-ttl"),
        c.getDuration("visitor-token-ttl"));
  }

  /** The public URL, defaulting to the bound address (which is only known once bound, for port 0). */
  public String publicUrlOr(int boundPort) {
    return publicUrlOr("http", boundPort);
  }

  /** The public URL, defaulting to {@code scheme://host:boundPort} ({@code https} when the node serves TLS). */
  public String publicUrlOr(String scheme, int boundPort) {
    return publicUrl != null ? publicUrl : scheme + "://" + host + ":" + boundPort;
  }

  /** The origin (scheme://host[:port]) of a URL. */
  public static String originOf(String url) {
    URI uri = URI.create(url);
    String origin = uri.getScheme() + "://" + uri.getHost();
    return uri.getPort() == -1 ? origin : origin + ":" + uri.getPort();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
