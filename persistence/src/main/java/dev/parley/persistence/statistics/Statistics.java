package dev.parley.persistence.statistics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A site's statistics over a time range, computed from the per-conversation facts of the read side ({@code
 * read_conversations}: one row per conversation with its opening, first agent reply, close, missed flag, message
 * counts, transfers, rating, group and last agent).
 *
 * <p>Every figure of a conversation counts where the conversation opened: in the hour and day (in the site's time
 * zone) of its opening, for its group (the last it was routed to) and for its agent (the last who had it). Medians
 * and p90 are PostgreSQL's {@code percentile_cont} over those rows, so they are exact for any range rather than an
 * average of hourly medians. First response: opening to the first agent message. Resolution: opening to close, for
 * conversations an agent had (a missed one has no resolution). Missed: closed before any agent joined.
 */
public final class Statistics {

  /** How the rows of a report are grouped. */
  public enum Grouping {
    TOTAL, HOUR, DAY, AGENT, GROUP
  }

  /** Seconds: the median and 90th percentile over {@code count} conversations; null when count is 0. */
  public record Durations(long count, Double medianSeconds, Double p90Seconds) {}

  /** Ratings given: how many, their average, and how many of each score (index 0 is score 1). */
  public record Ratings(long count, Double average, List<Long> distribution) {}

  /**
   * One row of a report. {@code key}: null for the total; for hours {@code 2025-03-01T08:00} and days {@code
   * 2025-03-01} in the site's zone; an agent or group id, or null for conversations without one.
   */
  public record Row(
      String key,
      long conversations,
      long missed,
      Durations firstResponse,
      Durations resolution,
      long visitorMessages,
      long agentMessages,
      Ratings ratings,
      long transfers) {}

  /** Narrows a report to one group and/or one agent; null means any. */
  public record Filter(String groupId, String agentId) {
    public static final Filter ANY = new Filter(null, null);
  }

  /**
   * Proactive invitations sent in a range ({@code read_invitations}, by when they were sent): by agents and by the
   * site's automatic rules, and how they ended; {@code pending} are not answered yet.
   */
  public record Invitations(
      long sent, long byAgents, long automatic, long accepted, long closed, long ignored, long pending) {}

  private final DataSource dataSource;

  public Statistics(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Rows of conversations of {@code siteId} opened in [{@code from}, {@code to}), grouped by {@code by} with hours
   * and days in {@code zone}, ordered by key (nulls last).
   */
  public List<Row> report(String siteId, ZoneId zone, Instant from, Instant to, Grouping by, Filter filter) {
    String key =
        switch (by) {
          case TOTAL -> "CAST(NULL AS TEXT)";
          case HOUR -> "to_char(date_trunc('hour', opened_at AT TIME ZONE ?), 'YYYY-MM-DD\"T\"HH24:00')";
          case DAY -> "to_char(opened_at AT TIME ZONE ?, 'YYYY-MM-DD')";
          case AGENT -> "agent_id";
          case GROUP -> "group_id";
        };
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(key)
            .append(
                " AS k, count(*), count(*) FILTER (WHERE missed),"
                    + " count(first_response_at),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at)),"
                    + " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at)),"
                    + " count(closed_at) FILTER (WHERE NOT missed),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                    + "   CASE WHEN missed THEN NULL ELSE closed_at - opened_at END)),"
                    + " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM"
                    + "   CASE WHEN missed THEN NULL ELSE closed_at - opened_at END)),"
                    + " COALESCE(sum(visitor_messages), 0), COALESCE(sum(agent_messages), 0),"
                    + " count(rating), avg(rating),"
                    + " count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),"
                    + " count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),"
                    + " count(*) FILTER (WHERE rating = 5),"
                    + " COALESCE(sum(transfers), 0)"
                    + " FROM read_conversations WHERE site_id = ? AND opened_at >= ? AND opened_at < ?");
    List<Object> params = new ArrayList<>();
    if (by == Grouping.HOUR || by == Grouping.DAY) {
      params.add(zone.getId());
    }
    params.add(siteId);
    params.add(from.atOffset(ZoneOffset.UTC));
    params.add(to.atOffset(ZoneOffset.UTC));
    if (filter.groupId() != null) {
      sql.append(" AND group_id = ?");
      params.add(filter.groupId());
    }
    if (filter.agentId() != null) {
      sql.append(" AND agent_id = ?");
      params.add(filter.agentId());
    }
    if (by != Grouping.TOTAL) {
      sql.append(" GROUP BY k ORDER BY k NULLS LAST");
    }
    List<Row> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        s.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("statistics query failed", e);
    }
    return rows;
  }

  /**
   * Invitations of {@code siteId} sent in [{@code from}, {@code to}); with an agent filter only that agent's (a
   * group filter does not apply: an invitation has no group).
   */
  public Invitations invitations(String siteId, Instant from, Instant to, Filter filter) {
    String sql =
        "SELECT count(*), count(*) FILTER (WHERE NOT automatic), count(*) FILTER (WHERE automatic),"
            + " count(*) FILTER (WHERE outcome = 'accepted'), count(*) FILTER (WHERE outcome = 'closed'),"
            + " count(*) FILTER (WHERE outcome = 'ignored'), count(*) FILTER (WHERE outcome IS NULL)"
            + " FROM read_invitations WHERE site_id = ? AND sent_at >= ? AND sent_at < ?"
            + (filter.agentId() != null ? " AND agent_id = ?" : "");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, siteId);
      s.setObject(2, from.atOffset(ZoneOffset.UTC));
      s.setObject(3, to.atOffset(ZoneOffset.UTC));
      if (filter.agentId() != null) {
        s.setString(4, filter.agentId());
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return new Invitations(
            rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("invitation statistics query failed", e);
    }
  }

  private static Row row(ResultSet rs) throws SQLException {
    long responded = rs.getLong(4);
    long resolved = rs.getLong(7);
    long rated = rs.getLong(12);
    List<Long> distribution = List.of(rs.getLong(14), rs.getLong(15), rs.getLong(16), rs.getLong(17), rs.getLong(18));
    return new Row(
        rs.getString(1),
        rs.getLong(2),
        rs.getLong(3),
        new Durations(responded, nullableDouble(rs, 5), nullableDouble(rs, 6)),
        new Durations(resolved, nullableDouble(rs, 8), nullableDouble(rs, 9)),
        rs.getLong(10),
        rs.getLong(11),
        new Ratings(rated, rated == 0 ? null : round2(rs.getDouble(13)), distribution),
        rs.getLong(19));
  }

  private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : round2(v);
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
