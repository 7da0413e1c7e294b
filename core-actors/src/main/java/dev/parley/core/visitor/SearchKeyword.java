package dev.parley.core.visitor;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The words a visitor searched for, read from the referring search engine's address, where the engine still puts
 * them there (Baidu, Sogou, 360, Bing, Yandex, DuckDuckGo and others do; Google mostly does not any more). A plain
 * function of the referrer, table-tested.
 */
public final class SearchKeyword {

  /** A search engine: a host suffix and the query parameters that carry the words, in order of preference. */
  private record Engine(String hostSuffix, List<String> parameters) {}

  private static final List<Engine> ENGINES =
      List.of(
          new Engine("baidu.com", List.of("wd", "word", "kw")),
          new Engine("sogou.com", List.of("query", "keyword")),
          new Engine("so.com", List.of("q")),
          new Engine("sm.cn", List.of("q")),
          new Engine("bing.com", List.of("q")),
          new Engine("google.com", List.of("q")),
          new Engine("yandex.ru", List.of("text")),
          new Engine("yandex.com", List.of("text")),
          new Engine("duckduckgo.com", List.of("q")),
          new Engine("search.yahoo.com", List.of("p")),
          new Engine("naver.com", List.of("query")),
          new Engine("ecosia.org", List.of("q")));

  /** Longest keyword kept. */
  public static final int MAX_CHARS = 200;

  private SearchKeyword() {}

  /** The searched words in {@code referrer}, if it is a search engine's page that carries them. */
  public static Optional<String> of(String referrer) {
    if (referrer == null || referrer.isBlank()) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = URI.create(referrer);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    String host = uri.getHost();
    String query = uri.getRawQuery();
    if (host == null || query == null) {
      return Optional.empty();
    }
    host = host.toLowerCase(Locale.ROOT);
    for (Engine engine : ENGINES) {
      if (!matches(host, engine.hostSuffix()) && !matchesCountry(host, engine.hostSuffix())) {
        continue;
      }
      for (String parameter : engine.parameters()) {
        Optional<String> words = parameter(query, parameter);
        if (words.isPresent()) {
          return words;
        }
      }
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean matches(String host, String suffix) {
    return host.equals(suffix) || host.endsWith("." + suffix);
  }

  /** google.com also stands for google.de, google.com.hk and the like. */
  private static boolean matchesCountry(String host, String suffix) {
    if (!suffix.equals("google.com")) {
      return false;
    }
    return host.matches("(.+\\.)?google(\\.com)?\\.[a-z]{2}");
  }

  private static Optional<String> parameter(String rawQuery, String name) {
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || !pair.substring(0, eq).equals(name)) {
        continue;
      }
      String value;
      try {
        value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).strip();
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (!value.isEmpty()) {
        return Optional.of(value.length() > MAX_CHARS ? value.substring(0, MAX_CHARS) : value);
      }
    }
    return Optional.empty();
  }
}
