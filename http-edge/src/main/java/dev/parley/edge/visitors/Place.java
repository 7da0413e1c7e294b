package dev.parley.edge.visitors;

import java.util.Map;

/**
 * Where an address is, as the geolocation database knows it: a country code and the names of the country, the
 * region (first subdivision) and the city in every language the database has (keys such as {@code en},
 * {@code zh-CN}), and the network provider when an ASN database is configured. Any part may be absent. This is
 * what a visitor's presence keeps instead of the address itself (docs/DECISIONS.md, "Visitors now").
 */
public record Place(
    String countryCode,
    Map<String, String> country,
    Map<String, String> region,
    Map<String, String> city,
    String network) {

  public static final Place UNKNOWN = new Place(null, Map.of(), Map.of(), Map.of(), null);

  public Place {
    country = country == null ? Map.of() : Map.copyOf(country);
    region = region == null ? Map.of() : Map.copyOf(region);
    city = city == null ? Map.of() : Map.copyOf(city);
  }

  /** A name in {@code language} where the data has it, else in English, else null. */
  public static String name(Map<String, String> names, String language) {
    String name = language == null ? null : names.get(language);
    if (name == null && language != null && language.startsWith("zh")) {
      name = names.get("zh-CN");
    }
    return name != null ? name : names.get("en");
  }
}
