package dev.parley.persistence.statistics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the members of a site did over a time range, from the agent activity read model: seconds spent online, away
 * and offline (as each chose; time before an agent's first recorded change is not counted), the status now, and
 * the site's conversations they had: how many, the most at once, and the average at once (time-weighted over the
 * range). Only members of the site appear, and only the site's conversations count (the site is a condition of every
 * statement).
 */
public final class AgentActivity {

  /** One member's activity; seconds and averages rounded to hundredths. */
  public record Row(
      String agentId,
      String status,
      double onlineSeconds,
      double awaySeconds,
      double offlineSeconds,
      long conversations,
      long peakConcurrent,
      double averageConcurrent) {}

  private final DataSource dataSource;

  public AgentActivity(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The members of {@code siteId} (only {@code agentId} when not null) over [{@code from}, {@code to}); time after
   * {@code now} is not counted. Ordered by agent id.
   */
  public List<Row> report(String siteId, Instant from, Instant to, Instant now, String agentId) {
    OffsetDateTime start = from.atOffset(ZoneOffset.UTC);
    OffsetDateTime end = (to.isAfter(now) ? now : to).atOffset(ZoneOffset.UTC);
    Map<String, Row> rows = new LinkedHashMap<>();
    String agentCondition = agentId == null ? "" : " AND m.account_id = ?";
    try (Connection c = dataSource.getConnection()) {
      List<Object> p = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        // Three seconds(...) columns, then the join: each (end, end, start).
        p.addAll(List.of(end, end, start));
      }
      p.add(siteId);
      if (agentId != null) {
        p.add(agentId);
      }
      query(
          c,
          "SELECT m.account_id,"
              + " (SELECT status FROM read_agent_status o WHERE o.agent_id = m.account_id AND o.ended_at IS NULL),"
              + seconds("online") + ", " + seconds("away") + ", " + seconds("offline")
              + " FROM membership m LEFT JOIN read_agent_status s ON s.agent_id = m.account_id"
              + " AND s.started_at < ? AND COALESCE(s.ended_at, ?) > ?"
              + " WHERE m.site_id = ?" + agentCondition
              + " GROUP BY m.account_id ORDER BY m.account_id",
          p,
          rs -> rows.put(
              rs.getString(1),
              new Row(rs.getString(1), rs.getString(2) == null ? "offline" : rs.getString(2), round(rs.getDouble(3)),
                  round(rs.getDouble(4)), round(rs.getDouble(5)), 0, 0, 0)));
      if (rows.isEmpty() || !end.isAfter(start)) {
        return List.copyOf(rows.values());
      }
      double rangeSeconds = (end.toInstant().toEpochMilli() - start.toInstant().toEpochMilli()) / 1000.0;
      List<Object> q = new ArrayList<>(List.of(start, end, end, siteId, siteId, end, end, start));
      if (agentId != null) {
        q.add(agentId);
      }
      q.add(end);
      query(
          c,
          "WITH a AS ("
              + " SELECT x.agent_id, GREATEST(x.assigned_at, ?) AS s, LEAST(COALESCE(x.released_at, ?), ?) AS e"
              + " FROM read_agent_assignments x"
              + " JOIN read_conversations rc ON rc.conversation_id = x.conversation_id AND rc.site_id = ?"
              + " JOIN membership m ON m.account_id = x.agent_id AND m.site_id = ?"
              + " WHERE x.assigned_at < ? AND COALESCE(x.released_at, ?) > ?" + agentCondition + "),"
              + " ev AS (SELECT agent_id, s AS t, 1 AS d FROM a UNION ALL SELECT agent_id, e, -1 FROM a WHERE e < ?),"
              + " run AS (SELECT agent_id, sum(d) OVER (PARTITION BY agent_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS n"
              + "   FROM ev)"
              + " SELECT a.agent_id, count(*), sum(extract(epoch FROM a.e - a.s)),"
              + "   (SELECT max(n) FROM run WHERE run.agent_id = a.agent_id)"
              + " FROM a GROUP BY a.agent_id",
          q,
          rs -> {
            Row r = rows.get(rs.getString(1));
            if (r != null) {
              rows.put(r.agentId(), new Row(r.agentId(), r.status(), r.onlineSeconds(), r.awaySeconds(),
                  r.offlineSeconds(), rs.getLong(2), rs.getLong(4), round(rs.getDouble(3) / rangeSeconds)));
            }
          });
    } catch (SQLException e) {
      throw new IllegalStateException("agent activity query failed", e);
    }
    return List.copyOf(rows.values());
  }

  private static String seconds(String status) {
    return "COALESCE(sum(extract(epoch FROM LEAST(COALESCE(s.ended_at, ?), ?) - GREATEST(s.started_at, ?)))"
        + " FILTER (WHERE s.status = '" + status + "'), 0)";
  }

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private static void query(Connection c, String sql, List<Object> params, RowReader reader) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        s.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
