package dev.parley.edge.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.visitor.Device;
import java.util.Locale;
import ua_parser.Client;
import ua_parser.Parser;

/**
 * Browser, operating system and kind of device from a User-Agent header (ua-parser's regexes). Parsing is costly,
 * so results are cached; a header over 512 characters is cut before parsing.
 */
public final class UserAgents {

  private static final int MAX_HEADER_CHARS = 512;
  private static final int CACHED = 5_000;

  /** ua-parser's compiled regexes: loaded once per JVM, on the first visitor rather than at start-up. */
  private static final class Regexes {
    static final Parser PARSER = new Parser();
  }

  private final Cache<String, Device> cache = Caffeine.newBuilder().maximumSize(CACHED).build();

  /** The device of {@code userAgent}; null when there is no header. */
  public Device device(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return null;
    }
    String header = userAgent.length() > MAX_HEADER_CHARS ? userAgent.substring(0, MAX_HEADER_CHARS) : userAgent;
    return cache.get(header, this::parse);
  }

  private Device parse(String header) {
    Client client = Regexes.PARSER.parse(header);
    String browser = version(client.userAgent.family, client.userAgent.major);
    String os = version(client.os.family, client.os.major);
    return new Device(browser, os, type(header, client));
  }

  private static String version(String family, String major) {
    if (family == null || family.equals("Other")) {
      return "Other";
    }
    return major == null ? family : family + " " + major;
  }

  private static String type(String header, Client client) {
    String lower = header.toLowerCase(Locale.ROOT);
    String device = client.device.family == null ? "" : client.device.family.toLowerCase(Locale.ROOT);
    if (device.contains("ipad") || lower.contains("tablet") || (lower.contains("android") && !lower.contains("mobile"))) {
      return "tablet";
    }
    if (lower.contains("mobi") || lower.contains("iphone") || device.contains("iphone")) {
      return "mobile";
    }
    return "desktop";
  }
}
