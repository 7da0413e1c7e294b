package dev.parley.persistence.statistics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A site's time zone ({@code site.time_zone}, UTC unless set): statistics count hours and days in it. Kept apart
 * from {@link dev.parley.persistence.directory.Directory}'s site record so that the read side adds a setting
 * without changing every site query.
 */
public final class SiteTimeZones {

  private final DataSource dataSource;

  public SiteTimeZones(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The site's zone; empty when there is no such site. A stored zone the JVM does not know reads as UTC. */
  public Optional<ZoneId> of(String siteId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT time_zone FROM site WHERE id = ?")) {
      s.setString(1, siteId);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        try {
          return Optional.of(ZoneId.of(rs.getString(1)));
        } catch (java.time.DateTimeException e) {
          return Optional.of(ZoneId.of("UTC"));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the site's time zone", e);
    }
  }

  /** Sets the site's zone; false when there is no such site. */
  public boolean set(String siteId, ZoneId zone) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE site SET time_zone = ? WHERE id = ?")) {
      s.setString(1, zone.getId());
      s.setString(2, siteId);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("could not set the site's time zone", e);
    }
  }
}
