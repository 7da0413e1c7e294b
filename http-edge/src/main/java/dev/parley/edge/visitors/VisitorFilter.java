package dev.parley.edge.visitors;

import java.util.Locale;

/**
 * Which visitors a watcher of a site's live list wants, decided on the server so that a site with thousands of
 * visitors online sends each agent only what it looks at. Every part is optional (null: any); all given parts must
 * hold.
 *
 * @param text words found, case-insensitively, in the page address or title, the referrer, the search words, the
 *     campaign, the name, or the place's names
 * @param chat {@code none}, {@code waiting} or {@code chatting}
 * @param returning true: only returning visitors (more than one visit); false: only first visits
 * @param countryCode an ISO 3166 country code
 */
public record VisitorFilter(String text, String chat, Boolean returning, String countryCode) {

  public static final VisitorFilter ANY = new VisitorFilter(null, null, null, null);
  public static final int MAX_TEXT_CHARS = 100;

  public VisitorFilter {
    text = text == null || text.isBlank() ? null : text.strip().toLowerCase(Locale.ROOT);
    countryCode = countryCode == null || countryCode.isBlank() ? null : countryCode.toUpperCase(Locale.ROOT);
  }

  public boolean matches(VisitorNow v) {
    if (chat != null && !chat.equals(v.chat())) {
      return false;
    }
    if (returning != null && returning != (v.visits() > 1)) {
      return false;
    }
    if (countryCode != null && !countryCode.equals(v.place().countryCode())) {
      return false;
    }
    return text == null || containsText(v);
  }

  private boolean containsText(VisitorNow v) {
    if (has(v.pageUrl()) || has(v.pageTitle()) || has(v.referrer()) || has(v.searchKeyword()) || has(v.name())) {
      return true;
    }
    for (String value : v.utm().values()) {
      if (has(value)) {
        return true;
      }
    }
    Place p = v.place();
    return p.city().values().stream().anyMatch(this::has)
        || p.region().values().stream().anyMatch(this::has)
        || p.country().values().stream().anyMatch(this::has)
        || has(p.network());
  }

  private boolean has(String value) {
    return value != null && value.toLowerCase(Locale.ROOT).contains(text);
  }
}
