package dev.parley.persistence.config;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's planner statistics of the tables that grow with traffic fresh while they are young.
 *
 * <p>On a new database the journal grows from nothing to tens of thousands of rows in a minute, long before
 * autovacuum's first analyze (it wakes once a minute on a default server, and then only past a fraction of the
 * table). Until then the planner believes the journal is a few rows long and answers the projections' read of a tag
 * ({@code event_tag} joined to {@code event_journal}, from pekko-persistence-jdbc) by sorting every event after the
 * offset: 73 ms instead of 1 ms at 17,000 events, measured on a fresh node under load, where PostgreSQL then used a
 * whole core, journal writes stalled and the site's Dispatcher overflowed its stash (docs/BENCHMARKS.md). A table is
 * analyzed here when at least {@link #MIN_CHANGES} rows and at least half of its rows changed since its last
 * analyze: a handful of times in a table's life, each a sample of at most 30,000 rows. Grown tables are left to
 * autovacuum.
 */
public final class PlannerStatistics {

  private static final Logger log = LoggerFactory.getLogger(PlannerStatistics.class);

  /** Tables written on every message or event. */
  public static final List<String> TABLES =
      List.of("event_journal", "event_tag", "snapshot", "read_conversations", "read_messages", "read_visitors");

  static final long MIN_CHANGES = 500;

  private final DataSource dataSource;

  public PlannerStatistics(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Analyzes the tables that outgrew their statistics; returns their names. Never throws: logs and returns none. */
  public List<String> refresh() {
    try (Connection c = dataSource.getConnection()) {
      List<String> stale = stale(c);
      for (String table : stale) {
        try (Statement s = c.createStatement()) {
          // The name comes from TABLES, never from input.
          s.execute("ANALYZE " + table);
        }
      }
      if (!stale.isEmpty()) {
        log.debug("Planner statistics refreshed for {}", stale);
      }
      return stale;
    } catch (SQLException | RuntimeException e) {
      log.warn("Could not refresh planner statistics: {}", e.toString());
      return List.of();
    }
  }

  private static List<String> stale(Connection c) throws SQLException {
    List<String> stale = new ArrayList<>();
    Array names = c.createArrayOf("text", TABLES.toArray());
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
                + " AND relname = ANY(?) AND n_mod_since_analyze >= ? AND n_mod_since_analyze * 2 >= n_live_tup")) {
      ps.setArray(1, names);
      ps.setLong(2, MIN_CHANGES);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stale.add(rs.getString(1));
        }
      }
    }
    return stale;
  }
}
