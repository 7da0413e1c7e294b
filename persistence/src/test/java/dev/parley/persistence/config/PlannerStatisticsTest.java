package dev.parley.persistence.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.persistence.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerStatisticsTest {

  @Test
  void aYoungJournalIsAnalyzedOncePerDoublingAndTheTagReadUsesTheTagIndex() throws Exception {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      PlannerStatistics statistics = new PlannerStatistics(ds);
      assertThat(statistics.refresh()).as("an empty journal needs nothing").isEmpty();

      appendEvents(ds, 0, 4000);
      assertThat(awaitRefresh(statistics, "event_journal", "event_tag")).contains("event_journal", "event_tag");
      assertThat(statistics.refresh()).as("nothing changed since").isEmpty();
      assertThat(readOfATagPlan(ds)).as("the read of one tag walks the tag index, not every event")
          .contains("event_tag_tag_idx")
          .doesNotContain("Sort");

      appendEvents(ds, 4000, 1000);
      awaitStatistics(ds);
      assertThat(statistics.refresh()).as("a quarter more rows is left to autovacuum").isEmpty();
    }
  }

  private static Set<String> awaitRefresh(PlannerStatistics statistics, String... tables) throws InterruptedException {
    // PostgreSQL publishes a transaction's row counts to pg_stat_user_tables shortly after it ends, per table.
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    Set<String> analyzed = new HashSet<>(statistics.refresh());
    while (!analyzed.containsAll(List.of(tables)) && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
      analyzed.addAll(statistics.refresh());
    }
    return analyzed;
  }

  private static void awaitStatistics(HikariDataSource ds) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'event_journal'")) {
        if (rs.next() && rs.getLong(1) >= 1000) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the journal's row counts never reached the statistics");
  }

  private static void appendEvents(HikariDataSource ds, int from, int count) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, event_ser_id,"
              + " event_ser_manifest, event_payload)"
              + " SELECT 'Conversation|c' || (i % 200), i, 'w', 0, 1, 'm', '\\x00'::bytea"
              + " FROM generate_series(" + (from + 1) + ", " + (from + count) + ") i");
      s.execute(
          "INSERT INTO event_tag (event_id, tag) SELECT ordering, 'conversation-' || (ordering % 4)"
              + " FROM event_journal WHERE sequence_number > " + from);
    }
  }

  private static String readOfATagPlan(HikariDataSource ds) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "EXPLAIN SELECT j.ordering FROM (SELECT * FROM event_journal WHERE deleted = false) j, event_tag t"
                    + " WHERE t.tag = 'conversation-1' AND j.ordering > 100 AND j.ordering <= 100000"
                    + " AND j.ordering = t.event_id ORDER BY j.ordering LIMIT 500")) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
