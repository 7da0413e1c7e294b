package dev.parley.persistence.projection;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.common.EventTags;
import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.EventWriter;
import dev.parley.persistence.testing.Journals;
import dev.parley.persistence.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The routing feed on an install that existed before it (V60) and on one where it read the conversations' tags
 * (V76), on a real PostgreSQL server and the real journal: after the migration, what the feed reads from its
 * stored offsets (the same query its projection runs) is exactly what it has not delivered yet — nothing old
 * again, nothing undelivered lost, and the new events that follow.
 */
class RoutingFeedMigrationTest {

  private static final Instant AT = Instant.parse("2026-11-30T10:00:00Z");

  private PersistenceSettings settings;
  private ActorTestKit kit;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  private void migrateTo(String version) {
    settings = TestDatabases.freshPostgres();
    Flyway.configure().dataSource(settings.jdbcUrl(), settings.user(), settings.password())
        .locations("classpath:db/migration").target(version).load().migrate();
    kit = ActorTestKit.create("feed-migration-" + UUID.randomUUID().toString().substring(0, 8),
        Journals.localConfig(settings));
  }

  private void migrateAll() {
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
    }
  }

  /** As the release before the feed's own tag wrote them: one tag, the conversation's slice. */
  private void writeOld(String conversationId, List<?> events) {
    EventWriter.appendWithTags(kit.system(), "Conversation", conversationId,
        Set.of(EventTags.tag("Conversation", conversationId)), events);
  }

  /** As the conversation entity writes them now. */
  private void writeNew(String conversationId, List<?> events) {
    EventWriter.append(kit.system(), "Conversation", conversationId, events);
  }

  private static List<Object> chat(String conversationId, boolean closed) {
    List<Object> events = new ArrayList<>();
    events.add(new Conversation.Opened("shop", "v-" + conversationId, AT));
    events.add(new Conversation.MessagePosted(1, Participant.visitor("v-" + conversationId), "m-1", "hi", AT));
    events.add(new Conversation.AgentJoined(2, "a-1", AT));
    events.add(new Conversation.MessagePosted(3, Participant.agent("a-1"), "m-2", "hello", AT));
    if (closed) {
      events.add(new Conversation.Closed(4, Participant.agent("a-1"), AT));
    }
    return events;
  }

  /** The feed's stored offsets by key. */
  private Map<String, Long> feedOffsets() throws Exception {
    Map<String, Long> offsets = new HashMap<>();
    try (Connection c = java.sql.DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT projection_key, current_offset FROM pekko_projection_offset_store"
                + " WHERE projection_name = '" + RoutingFeedProjection.NAME + "'")) {
      while (rs.next()) {
        offsets.put(rs.getString(1), Long.parseLong(rs.getString(2)));
      }
    }
    return offsets;
  }

  /** What the feed's projections read next: every slice's routing tag from its stored offset (or the start). */
  private List<String> feedReadsNext() throws Exception {
    Map<String, Long> offsets = feedOffsets();
    JdbcReadJournal journal =
        PersistenceQuery.get(kit.system()).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    List<String> read = new ArrayList<>();
    for (String tag : EventTags.all(EventTags.ROUTING)) {
      Long from = offsets.get(tag);
      List<EventEnvelope> envelopes =
          journal.currentEventsByTag(tag, from == null ? Offset.noOffset() : Offset.sequence(from))
              .runWith(Sink.seq(), kit.system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      envelopes.forEach(
          e -> read.add(e.persistenceId().substring("Conversation|".length()) + " "
              + e.event().getClass().getSimpleName()));
    }
    return read;
  }

  @Test
  void aJournalWrittenBeforeTheFeedStartsItAtTheEndAndNewEventsFlow() throws Exception {
    migrateTo("54");
    List<String> old = new ArrayList<>();
    for (int i = 0; i < 8; i++) { // enough conversations to fall in every slice
      String id = "old-" + i + "-" + UUID.randomUUID();
      writeOld(id, chat(id, i % 2 == 0));
      old.add(id);
    }

    migrateAll();
    Map<String, Long> offsets = feedOffsets();
    assertThat(offsets.keySet()).as("offsets under the feed's own tags only").allMatch(k -> k.startsWith("routing-"));
    assertThat(offsets).as("every slice with old events starts at its end").isNotEmpty();
    assertThat(feedReadsNext()).as("nothing old is delivered again").isEmpty();

    String fresh = "new-" + UUID.randomUUID();
    writeNew(fresh, chat(fresh, true));
    assertThat(feedReadsNext())
        .as("new events flow, and only those with effects")
        .containsExactly(fresh + " Opened", fresh + " AgentJoined", fresh + " Closed");
  }

  @Test
  void aFeedThatReadTheConversationTagsMovesToItsOwnWithoutMissingOrRepeating() throws Exception {
    migrateTo("60");
    String delivered = "delivered-" + UUID.randomUUID();
    writeOld(delivered, chat(delivered, false));
    // The feed delivered these and stored its offset there, under the old key of that slice.
    String oldKey = EventTags.tag("Conversation", delivered);
    try (Connection c = java.sql.DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO pekko_projection_offset_store"
              + " (projection_name, projection_key, current_offset, manifest, mergeable, last_updated)"
              + " SELECT 'routing-feed', '" + oldKey + "', CAST(max(ordering) AS VARCHAR), 'SEQ', false, 0"
              + " FROM event_journal");
    }
    // Then the old release wrote more, which the feed had not delivered: a close in the same slice, and a
    // conversation in another slice whose feed never stored an offset.
    writeOld(delivered, List.of(new Conversation.Closed(5, Participant.agent("a-1"), AT)));
    String other = "other-" + UUID.randomUUID();
    while (EventTags.slice(other) == EventTags.slice(delivered)) {
      other = "other-" + UUID.randomUUID();
    }
    writeOld(other, chat(other, false));

    migrateAll();
    Map<String, Long> offsets = feedOffsets();
    assertThat(offsets).containsOnlyKeys(EventTags.tag(EventTags.ROUTING, delivered));
    assertThat(feedReadsNext())
        .as("the undelivered events with effects, each once, and nothing delivered before")
        .containsExactlyInAnyOrder(delivered + " Closed", other + " Opened", other + " AgentJoined");
  }
}
