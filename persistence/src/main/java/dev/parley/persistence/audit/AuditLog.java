package dev.parley.persistence.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The audit log: who did what to which site, when and from where. Append-only from the server's side; the
 * newest entries first when read. Writes are synchronous JDBC: call them from a blocking executor.
 */
public final class AuditLog {

  /** One entry. {@code actor} is an account id, or null for the system (retention, jobs). */
  public record Entry(
      long id, Instant at, String siteId, String actor, String action, String target, String address, String detail) {}

  private static final int MAX_DETAIL_CHARS = 1_000;

  private final DataSource dataSource;

  public AuditLog(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public void record(
      Instant at, String siteId, String actor, String action, String target, String address, String detail) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO audit_log (at, site_id, actor, action, target, address, detail)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setString(2, siteId);
      ps.setString(3, actor);
      ps.setString(4, action);
      ps.setString(5, target);
      ps.setString(6, address);
      ps.setString(7, detail == null || detail.length() <= MAX_DETAIL_CHARS ? detail : detail.substring(0, MAX_DETAIL_CHARS));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not write the audit log", e);
    }
  }

  /**
   * What an audit query is narrowed to; null means any. {@code actionPrefix}: actions starting with it ("auth.",
   * "accounts."); {@code from}/{@code to}: entry time; {@code beforeId}: entries older than this id (0: newest).
   */
  public record Query(String actionPrefix, String actor, Instant from, Instant to, long beforeId, int limit) {}

  /**
   * The newest entries of a site matching {@code q}, newest first: those written about the site, and those without
   * a site that are about one's own account (sign-ins, one's own password and two-factor changes: {@code auth.*})
   * of accounts that work for it now. Nothing else without a site is shown: it may concern another site.
   */
  public List<Entry> search(String siteId, Query q) {
    StringBuilder sql = new StringBuilder(
        "SELECT id, at, site_id, actor, action, target, address, detail FROM audit_log"
            + " WHERE (site_id = ? OR (site_id IS NULL AND action LIKE 'auth.%'"
            + " AND actor IN (SELECT account_id FROM membership WHERE site_id = ?)))");
    List<Object> params = new ArrayList<>(List.of(siteId, siteId));
    if (q.beforeId() > 0) {
      sql.append(" AND id < ?");
      params.add(q.beforeId());
    }
    if (q.actionPrefix() != null) {
      sql.append(" AND action LIKE ?");
      params.add(q.actionPrefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    }
    if (q.actor() != null) {
      sql.append(" AND actor = ?");
      params.add(q.actor());
    }
    if (q.from() != null) {
      sql.append(" AND at >= ?");
      params.add(q.from().atOffset(java.time.ZoneOffset.UTC));
    }
    if (q.to() != null) {
      sql.append(" AND at < ?");
      params.add(q.to().atOffset(java.time.ZoneOffset.UTC));
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    params.add(q.limit());
    List<Entry> entries = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(
              new Entry(
                  rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                  rs.getString(6), rs.getString(7), rs.getString(8)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the audit log", e);
    }
    return entries;
  }

  /** The newest entries of a site, older than {@code beforeId} (0: from the newest), at most {@code limit}. */
  public List<Entry> ofSite(String siteId, long beforeId, int limit) {
    List<Entry> entries = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, at, site_id, actor, action, target, address, detail FROM audit_log"
                    + " WHERE site_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?")) {
      ps.setString(1, siteId);
      ps.setLong(2, beforeId);
      ps.setLong(3, beforeId);
      ps.setInt(4, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(
              new Entry(
                  rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                  rs.getString(6), rs.getString(7), rs.getString(8)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the audit log", e);
    }
    return entries;
  }
}
