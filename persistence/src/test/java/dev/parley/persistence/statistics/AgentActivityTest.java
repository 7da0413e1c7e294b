package dev.parley.persistence.statistics;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.agent.Agent;
import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.projection.ProjectionStatus;
import dev.parley.persistence.projection.ReadModels;
import dev.parley.persistence.projection.ReadSide;
import dev.parley.persistence.search.TextAnalyzer;
import dev.parley.persistence.testing.EventWriter;
import dev.parley.persistence.testing.Journals;
import dev.parley.persistence.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Agent activity from real Agent and Conversation events in the real journal, projected by the real read side on
 * PostgreSQL: status intervals and concurrent chats over a range.
 */
class AgentActivityTest {

  private static final Duration CATCH_UP = Duration.ofSeconds(60);
  private static final Instant T0 = Instant.parse("2025-05-01T08:00:00Z");

  private final TextAnalyzer analyzer = new TextAnalyzer();
  private ActorTestKit kit;
  private HikariDataSource pool;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
    if (pool != null) {
      pool.close();
    }
  }

  @Test
  void statusIntervalsAndConcurrentChatsOverARangeOfOneSiteOnly() throws Exception {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    kit = ActorTestKit.create("activity-" + UUID.randomUUID().toString().substring(0, 8), Journals.migratedLocalConfig(settings));
    pool = Databases.pool(settings, "test-read", 4);
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO site (id, name, allowed_origins, created_at) VALUES ('shop', 'Shop', '', now()),"
          + " ('rival', 'Rival', '', now())");
      s.execute("INSERT INTO account (id, username, display_name, password_hash, created_at) VALUES"
          + " ('ann', 'ann', 'Ann', 'x', now()), ('bob', 'bob', 'Bob', 'x', now()), ('eve', 'eve', 'Eve', 'x', now())");
      s.execute("INSERT INTO membership (account_id, site_id, role) VALUES ('ann', 'shop', 'agent'),"
          + " ('bob', 'shop', 'agent'), ('ann', 'rival', 'agent'), ('eve', 'rival', 'agent')");
    }
    String c1 = opened("shop");
    String c2 = opened("shop");
    String c3 = opened("shop");
    String foreign = opened("rival");
    // Ann: online 08:00–09:00, away 09:00–09:30, online again from 09:30 (still online).
    // Her chats: c1 08:10–08:50, c2 08:20–08:40 (two at once), c3 08:50 on (assigned as c1 is released),
    // and a rival site's chat 08:00–10:00 that must not count for the shop.
    EventWriter.append(kit.system(), "Agent", "ann", List.of(
        new Agent.StatusChanged(Agent.Status.ONLINE, T0),
        new Agent.ConversationAssigned(foreign, T0),
        new Agent.ConversationAssigned(c1, T0.plusSeconds(600)),
        new Agent.ConversationAssigned(c2, T0.plusSeconds(1200)),
        new Agent.ConversationReleased(c2, T0.plusSeconds(2400)),
        new Agent.ConversationReleased(c1, T0.plusSeconds(3000)),
        new Agent.ConversationAssigned(c3, T0.plusSeconds(3000)),
        new Agent.StatusChanged(Agent.Status.AWAY, T0.plusSeconds(3600)),
        new Agent.StatusChanged(Agent.Status.ONLINE, T0.plusSeconds(5400)),
        new Agent.ConversationReleased(foreign, T0.plusSeconds(7200))));
    EventWriter.append(kit.system(), "Agent", "eve", List.of(new Agent.StatusChanged(Agent.Status.ONLINE, T0)));

    ReadSide readSide = new ReadSide(kit.system(), pool, ReadModels.all(analyzer), false, ReadSide.Observer.NONE);
    readSide.register();
    readSide.models().forEach(readSide::spawnLocal);
    awaitCaughtUp();

    AgentActivity activity = new AgentActivity(pool);
    Instant to = T0.plusSeconds(7200);
    List<AgentActivity.Row> rows = activity.report("shop", T0, to, Instant.now(), null);
    assertThat(rows).extracting(AgentActivity.Row::agentId).containsExactly("ann", "bob");
    AgentActivity.Row ann = rows.get(0);
    assertThat(ann.status()).isEqualTo("online");
    assertThat(ann.onlineSeconds()).isEqualTo(3600 + 1800);
    assertThat(ann.awaySeconds()).isEqualTo(1800);
    assertThat(ann.conversations()).isEqualTo(3);
    assertThat(ann.peakConcurrent()).isEqualTo(2);
    // c1 40 min + c2 20 min + c3 70 min over 120 min.
    assertThat(ann.averageConcurrent()).isEqualTo(Math.round(130.0 / 120 * 100) / 100.0);
    AgentActivity.Row bob = rows.get(1);
    assertThat(bob.status()).isEqualTo("offline");
    assertThat(bob.onlineSeconds()).isZero();
    assertThat(bob.conversations()).isZero();

    // A range that cuts through intervals counts only its part: 08:30–09:15.
    AgentActivity.Row part = activity.report("shop", T0.plusSeconds(1800), T0.plusSeconds(4500), Instant.now(), "ann").get(0);
    assertThat(part.onlineSeconds()).isEqualTo(1800);
    assertThat(part.awaySeconds()).isEqualTo(900);
    assertThat(part.conversations()).isEqualTo(3);
    assertThat(part.peakConcurrent()).isEqualTo(2);

    // The rival site sees its own chat and its own members, nothing of the shop's.
    List<AgentActivity.Row> rival = activity.report("rival", T0, to, Instant.now(), null);
    assertThat(rival).extracting(AgentActivity.Row::agentId).containsExactly("ann", "eve");
    assertThat(rival.get(0).conversations()).isEqualTo(1);
    assertThat(rival.get(0).peakConcurrent()).isEqualTo(1);
  }

  private String opened(String site) {
    String id = UUID.randomUUID().toString();
    EventWriter.append(kit.system(), "Conversation", id, List.of(new Conversation.Opened(site, "v-" + id, T0)));
    return id;
  }

  private void awaitCaughtUp() throws InterruptedException {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    while (true) {
      try (Connection c = pool.getConnection()) {
        if (ProjectionStatus.caughtUp(c, ReadModels.all(analyzer))) {
          return;
        }
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("projections did not catch up within " + CATCH_UP);
      }
      Thread.sleep(50);
    }
  }
}
