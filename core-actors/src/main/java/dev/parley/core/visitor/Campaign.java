package dev.parley.core.visitor;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads the marketing campaign (UTM parameters) and the referring site from page addresses. */
public final class Campaign {

  private static final String[] UTM_KEYS = {"source", "medium", "campaign", "term", "content"};
  private static final int MAX_VALUE_CHARS = 200;

  private Campaign() {}

  /** The {@code utm_*} parameters of {@code url} as source, medium, campaign, term, content; empty if none. */
  public static Map<String, String> utm(String url) {
    Map<String, String> found = new LinkedHashMap<>();
    String query;
    try {
      query = URI.create(url).getRawQuery();
    } catch (IllegalArgumentException e) {
      return Map.of();
    }
    if (query == null) {
      return Map.of();
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = pair.substring(0, eq).toLowerCase(Locale.ROOT);
      for (String utmKey : UTM_KEYS) {
        if (key.equals("utm_" + utmKey)) {
          String value = decode(pair.substring(eq + 1)).strip();
          if (!value.isEmpty()) {
            found.put(utmKey, value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value);
          }
        }
      }
    }
    return found;
  }

  /** True if {@code referrer} is a page of another host than {@code url}: the visitor came from elsewhere. */
  public static boolean isExternal(String referrer, String url) {
    if (referrer == null || referrer.isBlank()) {
      return false;
    }
    try {
      String from = URI.create(referrer).getHost();
      String to = URI.create(url).getHost();
      return from != null && !from.equalsIgnoreCase(to);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return raw;
    }
  }
}
