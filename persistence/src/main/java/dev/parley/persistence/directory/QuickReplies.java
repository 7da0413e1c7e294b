package dev.parley.persistence.directory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Team quick replies (table {@code quick_reply}). Blocking JDBC: call from a blocking dispatcher. */
public final class QuickReplies {

  /** Quick replies one site may have. */
  public static final int MAX_PER_SITE = 500;
  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;

  public QuickReplies(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public List<QuickReply> list(String siteId) {
    String sql = "SELECT id, site_id, shortcut, text, created_at FROM quick_reply WHERE site_id = ? ORDER BY shortcut";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, siteId);
      List<QuickReply> replies = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          replies.add(
              new QuickReply(
                  rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant()));
        }
      }
      return replies;
    } catch (SQLException e) {
      throw new IllegalStateException("listing quick replies of " + siteId + " failed", e);
    }
  }

  /** Adds a reply; a shortcut the site already uses is a {@link Conflict}. */
  public void add(QuickReply reply) {
    String sql = "INSERT INTO quick_reply (id, site_id, shortcut, text, created_at) VALUES (?, ?, ?, ?, ?)";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, reply.id());
      ps.setString(2, reply.siteId());
      ps.setString(3, reply.shortcut());
      ps.setString(4, reply.text());
      ps.setTimestamp(5, Timestamp.from(reply.createdAt()));
      ps.executeUpdate();
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new Conflict("shortcut", "the site already has a quick reply /" + reply.shortcut());
      }
      throw new IllegalStateException("adding a quick reply failed", e);
    }
  }

  /** Removes a reply of the site; false if it has none with that id. */
  public boolean remove(String siteId, String id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM quick_reply WHERE site_id = ? AND id = ?")) {
      ps.setString(1, siteId);
      ps.setString(2, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("removing a quick reply failed", e);
    }
  }
}
