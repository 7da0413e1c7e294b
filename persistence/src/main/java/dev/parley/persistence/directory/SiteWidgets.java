package dev.parley.persistence.directory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** Widget settings of sites (table {@code site_widget}). Blocking JDBC: call from a blocking dispatcher. */
public final class SiteWidgets {

  private final DataSource dataSource;

  public SiteWidgets(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The site's widget configuration, or the defaults when none was saved. */
  public SiteWidget get(String siteId) {
    return find(siteId).orElseGet(() -> SiteWidget.defaults(siteId));
  }

  public Optional<SiteWidget> find(String siteId) {
    String sql = "SELECT settings, identity_required, identity_secret FROM site_widget WHERE site_id = ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new SiteWidget(siteId, rs.getString(1), rs.getBoolean(2), rs.getString(3)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the widget of site " + siteId + " failed", e);
    }
  }

  /** Saves the whole configuration: updates the site's row, or inserts it (one transaction). */
  public void save(SiteWidget widget) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        int updated;
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE site_widget SET settings = ?, identity_required = ?, identity_secret = ? WHERE site_id = ?")) {
          bind(ps, widget);
          updated = ps.executeUpdate();
        }
        if (updated == 0) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO site_widget (settings, identity_required, identity_secret, site_id) VALUES (?, ?, ?, ?)")) {
            bind(ps, widget);
            ps.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving the widget of site " + widget.siteId() + " failed", e);
    }
  }

  private static void bind(PreparedStatement ps, SiteWidget widget) throws SQLException {
    ps.setString(1, widget.settingsJson());
    ps.setBoolean(2, widget.identityRequired());
    ps.setString(3, widget.identitySecret());
    ps.setString(4, widget.siteId());
  }
}
