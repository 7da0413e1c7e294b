package dev.parley.persistence.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The progress of CSV exports ({@code export_jobs}), so that a long export can be followed from any node: its
 * total is known when it starts, and the stream writing it records how many rows it wrote every {@link
 * #PROGRESS_EVERY_ROWS} rows and when it ends.
 */
public final class ExportJobs {

  public static final int PROGRESS_EVERY_ROWS = 5_000;

  private final DataSource dataSource;

  public ExportJobs(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public record Job(
      String exportId, String siteId, String accountId, String kind, long totalRows, long rowsWritten,
      String state, Instant startedAt, Instant finishedAt) {}

  public void start(String exportId, String siteId, String accountId, String kind, long total, Instant at) {
    run(
        "INSERT INTO export_jobs (export_id, site_id, account_id, kind, total_rows, state, started_at)"
            + " VALUES (?, ?, ?, ?, ?, 'running', ?)",
        exportId, siteId, accountId, kind, total, Timestamp.from(at));
  }

  public void progress(String exportId, long rows) {
    run("UPDATE export_jobs SET rows_written = ? WHERE export_id = ?", rows, exportId);
  }

  /** {@code state}: done, or failed (the client went away or the database failed). */
  public void finish(String exportId, long rows, String state, Instant at) {
    run(
        "UPDATE export_jobs SET rows_written = ?, state = ?, finished_at = ? WHERE export_id = ?",
        rows, state, Timestamp.from(at), exportId);
  }

  public Optional<Job> get(String siteId, String exportId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT export_id, site_id, account_id, kind, total_rows, rows_written, state, started_at,"
                    + " finished_at FROM export_jobs WHERE site_id = ? AND export_id = ?")) {
      s.setString(1, siteId);
      s.setString(2, exportId);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Timestamp finished = rs.getTimestamp(9);
        return Optional.of(
            new Job(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                rs.getString(7), rs.getTimestamp(8).toInstant(), finished == null ? null : finished.toInstant()));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("export job query failed", e);
    }
  }

  private void run(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      ConversationReads.bind(s, java.util.Arrays.asList(params));
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("export job update failed", e);
    }
  }
}
