package dev.parley.persistence.statistics;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.statistics.Statistics.Filter;
import dev.parley.persistence.statistics.Statistics.Grouping;
import dev.parley.persistence.statistics.Statistics.Row;
import dev.parley.persistence.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statistics over read_conversations rows on a real PostgreSQL server: the rows are what the conversations
 * projection writes (its own tests show a chat becoming such a row), here with chosen times so that medians,
 * percentiles and time-zone buckets can be checked exactly.
 */
class StatisticsTest {

  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static HikariDataSource pool;
  private static Statistics statistics;

  @BeforeAll
  static void database() throws Exception {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    pool = Databases.configPool(settings);
    Databases.migrate(pool, settings);
    statistics = new Statistics(pool);
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO site (id, name, allowed_origins, created_at) VALUES ('shop', 'Shop', '', now())");
    }
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void mediansAndP90AreExactOverTheRange() throws Exception {
    String site = "m-" + UUID.randomUUID();
    Instant base = Instant.parse("2025-03-01T02:00:00Z");
    // First responses after 10, 20, ..., 100 s; resolutions 100, 200, ..., 1000 s; ratings 1..5 twice.
    for (int i = 1; i <= 10; i++) {
      insert(site, base.plusSeconds(i), "agent-a", "sales", 10L * i, 100L * i, false, 2, 3, (i - 1) % 5 + 1, i % 2);
    }
    // A missed one: no response, no resolution, counts as a conversation and a missed one.
    insert(site, base.plusSeconds(20), null, "sales", null, 30L, true, 1, 0, null, 0);
    // Outside the range: counts nowhere.
    insert(site, base.minus(Duration.ofDays(2)), "agent-a", "sales", 1L, 1L, false, 1, 1, 1, 0);

    Row total = only(statistics.report(site, UTC, base, base.plus(Duration.ofDays(1)), Grouping.TOTAL, Filter.ANY));
    assertThat(total.key()).isNull();
    assertThat(total.conversations()).isEqualTo(11);
    assertThat(total.missed()).isEqualTo(1);
    assertThat(total.firstResponse().count()).isEqualTo(10);
    assertThat(total.firstResponse().medianSeconds()).isEqualTo(55.0);
    assertThat(total.firstResponse().p90Seconds()).isEqualTo(91.0);
    assertThat(total.resolution().count()).isEqualTo(10);
    assertThat(total.resolution().medianSeconds()).isEqualTo(550.0);
    assertThat(total.resolution().p90Seconds()).isEqualTo(910.0);
    assertThat(total.visitorMessages()).isEqualTo(21);
    assertThat(total.agentMessages()).isEqualTo(30);
    assertThat(total.ratings().count()).isEqualTo(10);
    assertThat(total.ratings().average()).isEqualTo(3.0);
    assertThat(total.ratings().distribution()).containsExactly(2L, 2L, 2L, 2L, 2L);
    assertThat(total.transfers()).isEqualTo(5);
  }

  @Test
  void hoursAndDaysAreTheSitesCalendar() throws Exception {
    String site = "z-" + UUID.randomUUID();
    // 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
    insert(site, Instant.parse("2025-03-01T23:30:00Z"), "agent-a", null, 5L, 50L, false, 1, 1, null, 0);
    insert(site, Instant.parse("2025-03-02T00:10:00Z"), "agent-a", null, 5L, 50L, false, 1, 1, null, 0);
    Instant from = Instant.parse("2025-03-01T00:00:00Z");
    Instant to = Instant.parse("2025-03-03T00:00:00Z");

    assertThat(statistics.report(site, UTC, from, to, Grouping.DAY, Filter.ANY))
        .extracting(Row::key, Row::conversations)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("2025-03-01", 1L), org.assertj.core.groups.Tuple.tuple("2025-03-02", 1L));
    assertThat(statistics.report(site, SHANGHAI, from, to, Grouping.DAY, Filter.ANY))
        .extracting(Row::key, Row::conversations)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("2025-03-02", 2L));
    assertThat(statistics.report(site, SHANGHAI, from, to, Grouping.HOUR, Filter.ANY))
        .extracting(Row::key)
        .containsExactly("2025-03-02T07:00", "2025-03-02T08:00");
  }

  @Test
  void agentsAndGroupsAreRowsAndFiltersAndAnotherSiteCountsNowhere() throws Exception {
    String site = "a-" + UUID.randomUUID();
    Instant at = Instant.parse("2025-04-01T10:00:00Z");
    insert(site, at, "agent-a", "sales", 10L, 100L, false, 1, 1, 5, 0);
    insert(site, at.plusSeconds(1), "agent-a", "support", 30L, 300L, false, 1, 1, 3, 1);
    insert(site, at.plusSeconds(2), "agent-b", "sales", 20L, 200L, false, 1, 1, null, 0);
    insert(site, at.plusSeconds(3), null, "sales", null, 60L, true, 1, 0, null, 0);
    insert("rival-" + site, at, "agent-a", "sales", 1L, 1L, false, 9, 9, 1, 9);
    Instant from = at.minusSeconds(60);
    Instant to = at.plusSeconds(60);

    List<Row> agents = statistics.report(site, UTC, from, to, Grouping.AGENT, Filter.ANY);
    assertThat(agents).extracting(Row::key).containsExactly("agent-a", "agent-b", null);
    assertThat(agents.get(0).conversations()).isEqualTo(2);
    assertThat(agents.get(0).firstResponse().medianSeconds()).isEqualTo(20.0);
    assertThat(agents.get(0).ratings().average()).isEqualTo(4.0);
    assertThat(agents.get(2).missed()).isEqualTo(1);

    List<Row> groups = statistics.report(site, UTC, from, to, Grouping.GROUP, new Filter(null, "agent-a"));
    assertThat(groups).extracting(Row::key, Row::conversations)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("sales", 1L), org.assertj.core.groups.Tuple.tuple("support", 1L));
    Row sales = only(statistics.report(site, UTC, from, to, Grouping.TOTAL, new Filter("sales", null)));
    assertThat(sales.conversations()).isEqualTo(3);
    assertThat(sales.transfers()).isZero();
    assertThat(sales.ratings().distribution()).containsExactly(0L, 0L, 0L, 0L, 1L);

    Row empty = only(statistics.report("nobody-" + site, UTC, from, to, Grouping.TOTAL, Filter.ANY));
    assertThat(empty.conversations()).isZero();
    assertThat(empty.firstResponse().medianSeconds()).isNull();
    assertThat(empty.ratings().average()).isNull();
  }

  @Test
  void aSitesTimeZoneIsUtcUntilSet() {
    SiteTimeZones zones = new SiteTimeZones(pool);
    assertThat(zones.of("shop")).contains(UTC);
    assertThat(zones.set("shop", SHANGHAI)).isTrue();
    assertThat(zones.of("shop")).contains(SHANGHAI);
    assertThat(zones.of("no-such-site")).isEmpty();
    assertThat(zones.set("no-such-site", SHANGHAI)).isFalse();
  }

  private static Row only(List<Row> rows) {
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  /** A closed (or missed) conversation's row as the conversations projection writes it. */
  private static void insert(
      String site, Instant opened, String agent, String group, Long responseSeconds, Long resolutionSeconds,
      boolean missed, int visitorMessages, int agentMessages, Integer rating, int transfers) throws Exception {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(
            "INSERT INTO read_conversations (conversation_id, site_id, visitor_id, status, group_id, agent_id,"
                + " opened_at, first_assigned_at, first_response_at, closed_at, missed, visitor_messages,"
                + " agent_messages, rating, transfers) VALUES (?, ?, 'v', 'closed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, UUID.randomUUID().toString());
      s.setString(2, site);
      s.setString(3, group);
      s.setString(4, agent);
      s.setTimestamp(5, Timestamp.from(opened));
      s.setTimestamp(6, agent == null ? null : Timestamp.from(opened.plusSeconds(1)));
      s.setTimestamp(7, responseSeconds == null ? null : Timestamp.from(opened.plusSeconds(responseSeconds)));
      s.setTimestamp(8, Timestamp.from(opened.plusSeconds(resolutionSeconds)));
      s.setBoolean(9, missed);
      s.setInt(10, visitorMessages);
      s.setInt(11, agentMessages);
      if (rating == null) {
        s.setNull(12, Types.SMALLINT);
      } else {
        s.setShort(12, rating.shortValue());
      }
      s.setInt(13, transfers);
      s.executeUpdate();
    }
  }
}
