package dev.parley.persistence.directory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A site's team e-mail address ({@code site.team_email}, V72), where messages left outside hours are mailed; unset,
 * the operator's configured address is used. Kept apart from {@link Directory}'s site record, like the time zone,
 * so that one setting does not change every site query. Blocking JDBC: call from a blocking executor.
 */
public final class SiteTeamMail {

  private final DataSource dataSource;

  public SiteTeamMail(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The site's address: empty inside when unset; empty outside when there is no such site. */
  public Optional<Optional<String>> of(String siteId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT team_email FROM site WHERE id = ?")) {
      s.setString(1, siteId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(Optional.ofNullable(rs.getString(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the site's team e-mail", e);
    }
  }

  /** Sets (or with null clears) the site's address; false when there is no such site. */
  public boolean set(String siteId, String email) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE site SET team_email = ? WHERE id = ?")) {
      if (email == null) {
        s.setNull(1, Types.VARCHAR);
      } else {
        s.setString(1, email);
      }
      s.setString(2, siteId);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("could not set the site's team e-mail", e);
    }
  }
}
