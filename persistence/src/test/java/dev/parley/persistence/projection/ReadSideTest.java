package dev.parley.persistence.projection;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.visitor.Identity;
import dev.parley.core.visitor.Visitor;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.readmodel.ConversationFilter;
import dev.parley.persistence.readmodel.ConversationReads;
import dev.parley.persistence.readmodel.Visibility;
import dev.parley.persistence.search.TextAnalyzer;
import dev.parley.persistence.testing.EventWriter;
import dev.parley.persistence.testing.Journals;
import dev.parley.persistence.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read side on the real journal and a real PostgreSQL server: entities write, projections fill the tables,
 * the queries read them. Each test has its own database.
 */
class ReadSideTest {

  private static final Duration ASK = Duration.ofSeconds(10);
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  private final TextAnalyzer analyzer = new TextAnalyzer();
  private PersistenceSettings settings;
  private ActorTestKit kit;
  private HikariDataSource pool;
  private ConversationReads reads;

  private void start(boolean migrate) {
    Config config = migrate ? Journals.migratedLocalConfig(settings) : Journals.localConfig(settings);
    kit = ActorTestKit.create("readside-" + UUID.randomUUID().toString().substring(0, 8), config);
    pool = Databases.pool(settings, "test-read", 4);
    reads = new ConversationReads(pool, analyzer);
  }

  private void project() {
    ReadSide readSide = new ReadSide(kit.system(), pool, ReadModels.all(analyzer), false, ReadSide.Observer.NONE);
    readSide.register();
    readSide.models().forEach(readSide::spawnLocal);
    awaitCaughtUp();
  }

  private void awaitCaughtUp() {
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
      sleep(50);
    }
  }

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
  void aConversationsLifecycleAppearsInTheConversationAndMessageModels() throws Exception {
    settings = TestDatabases.freshPostgres();
    start(true);
    String conversationId = chat("shop", "v-1", "Lin", "lin@example.com", "请问什么时候发货？", "We are shipping it today");
    project();

    ConversationReads.ConversationRow row =
        reads.conversation("shop", conversationId, Visibility.ALL).orElseThrow();
    assertThat(row.status()).isEqualTo("closed");
    assertThat(row.visitorId()).isEqualTo("v-1");
    assertThat(row.visitorName()).isEqualTo("Lin");
    assertThat(row.visitorEmail()).isEqualTo("lin@example.com");
    assertThat(row.agentIds()).containsExactly("agent-1");
    assertThat(row.visitorMessages()).isEqualTo(1);
    assertThat(row.agentMessages()).isEqualTo(1);
    assertThat(row.firstAssignedAt()).isNotNull();
    assertThat(row.firstResponseAt()).isAfterOrEqualTo(row.firstAssignedAt());
    assertThat(row.closedAt()).isAfterOrEqualTo(row.firstResponseAt());
    assertThat(row.rating()).isEqualTo(5);
    assertThat(row.ratingComment()).isEqualTo("很好");
    assertThat(row.missed()).isFalse();
    assertThat(row.lastMessagePreview()).isEqualTo("We are shipping it today");

    List<ConversationReads.Entry> transcript = reads.transcript("shop", conversationId);
    assertThat(transcript).extracting(ConversationReads.Entry::kind)
        .containsExactly("message", "joined", "message", "closed");
    assertThat(transcript).extracting(ConversationReads.Entry::seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(transcript.get(0).body()).isEqualTo("请问什么时候发货？");
    assertThat(reads.transcript("other-site", conversationId)).isEmpty();
    assertThat(reads.conversation("other-site", conversationId, Visibility.ALL)).isEmpty();
    assertThat(reads.conversation("shop", conversationId, Visibility.ofAgent("agent-2"))).isEmpty();
  }

  @Test
  void searchFindsChineseWordsInsideRunsAndEnglishStemsButNothingOfAnotherSite() throws Exception {
    settings = TestDatabases.freshPostgres();
    start(true);
    String shipping = chat("shop", "v-1", null, null, "请问什么时候发货？", "We are Shipping your order today");
    String tea = chat("shop", "v-2", null, null, "我想买茉莉花茶", "Ships tomorrow");
    String foreign = chat("rival", "v-3", null, null, "发货太慢了", "shipping is slow");
    project();

    List<ConversationReads.Hit> fahuo = reads.search("shop", "发货", null, null, Visibility.ALL, 20);
    assertThat(fahuo).extracting(ConversationReads.Hit::conversationId).containsExactly(shipping);
    ConversationReads.Hit hit = fahuo.get(0);
    String marked = hit.snippet().text().substring(hit.snippet().marks().get(0).start(), hit.snippet().marks().get(0).end());
    assertThat(marked).isEqualTo("发货");

    List<ConversationReads.Hit> moli = reads.search("shop", "茉莉", null, null, Visibility.ALL, 20);
    assertThat(moli).extracting(ConversationReads.Hit::conversationId).containsExactly(tea);
    List<ConversationReads.Hit> jasmine = reads.search("shop", "茉莉花", null, null, Visibility.ALL, 20);
    assertThat(jasmine).hasSize(1);
    ConversationReads.Hit flower = jasmine.get(0);
    assertThat(flower.snippet().text().substring(flower.snippet().marks().get(0).start(), flower.snippet().marks().get(0).end()))
        .isEqualTo("茉莉花");

    assertThat(reads.search("shop", "Ship", null, null, Visibility.ALL, 20))
        .extracting(ConversationReads.Hit::conversationId)
        .containsExactlyInAnyOrder(shipping, tea);
    assertThat(reads.search("shop", "shipping", null, null, Visibility.ALL, 20)).hasSize(2);
    assertThat(reads.search("shop", "什么时候 发货", null, null, Visibility.ALL, 20))
        .extracting(ConversationReads.Hit::conversationId).containsExactly(shipping);
    assertThat(reads.search("shop", "slow", null, null, Visibility.ALL, 20)).isEmpty();
    assertThat(reads.search("rival", "发货", null, null, Visibility.ALL, 20))
        .extracting(ConversationReads.Hit::conversationId).containsExactly(foreign);
    assertThat(reads.list("shop", filterText("茉莉"), Visibility.ALL, null, 10).items())
        .extracting(ConversationReads.ConversationRow::conversationId).containsExactly(tea);
  }

  @Test
  void eventsWrittenBeforeTaggingAreBackfilledAndProjected() throws Exception {
    settings = TestDatabases.freshPostgres();
    // The schema of the release before the read side, and a journal without a single tag.
    Flyway.configure().dataSource(settings.jdbcUrl(), settings.user(), settings.password())
        .locations("classpath:db/migration").target("5").load().migrate();
    start(false);
    String first = chat("shop", "v-1", "Old", "old@example.com", "旧的消息 about shipping", "reply");
    String second = chat("shop", "v-2", null, null, "another old one", "reply two");
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM event_tag");
    }

    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
    }
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM event_journal j WHERE NOT EXISTS (SELECT 1 FROM event_tag t WHERE t.event_id = j.ordering)")) {
      rs.next();
      assertThat(rs.getLong(1)).as("untagged events after the migration").isZero();
    }
    project();
    assertThat(reads.list("shop", ConversationFilter.ANY, Visibility.ALL, null, 10).items())
        .extracting(ConversationReads.ConversationRow::conversationId)
        .containsExactlyInAnyOrder(first, second);
    assertThat(reads.conversation("shop", first, Visibility.ALL).orElseThrow().visitorEmail())
        .isEqualTo("old@example.com");
    assertThat(reads.search("shop", "旧的", null, null, Visibility.ALL, 10)).hasSize(1);
  }

  @Test
  void erasureRemovesEveryWordAndTheVisitorsIdentityFromEveryModel() throws Exception {
    settings = TestDatabases.freshPostgres();
    start(true);
    String erased = chat("shop", "v-1", "Secret Name", "secret@example.com", "我的地址是茉莉街 secret street", "Shipping to secret street");
    String kept = chat("shop", "v-2", "Kept", "kept@example.com", "茉莉 kept", "fine");
    project();
    assertThat(reads.search("shop", "secret", null, null, Visibility.ALL, 10)).isNotEmpty();

    Instant now = Instant.now();
    EventWriter.append(kit.system(), "Conversation", erased, List.of(new Conversation.ContentErased(now)));
    EventWriter.append(kit.system(), "Visitor", Visitor.entityId("shop", "v-1"), List.of(new Visitor.Erased(now)));
    awaitCaughtUp();

    assertThat(reads.search("shop", "secret", null, null, Visibility.ALL, 10)).isEmpty();
    assertThat(reads.search("shop", "茉莉", null, null, Visibility.ALL, 10))
        .extracting(ConversationReads.Hit::conversationId).containsExactly(kept);
    ConversationReads.ConversationRow row = reads.conversation("shop", erased, Visibility.ALL).orElseThrow();
    assertThat(row.lastMessagePreview()).isNull();
    assertThat(row.ratingComment()).isNull();
    assertThat(row.visitorName()).isNull();
    assertThat(row.visitorEmail()).isNull();
    assertThat(row.erasedAt()).isNotNull();
    assertThat(row.rating()).isEqualTo(5);
    assertThat(reads.transcript("shop", erased)).hasSize(4)
        .allSatisfy(e -> assertThat(e.body() == null || e.body().isEmpty()).isTrue());
    // Nothing of the visitor's words or identity anywhere in the read models.
    for (String table : List.of("read_conversations", "read_messages", "read_visitors")) {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " t WHERE t::text ILIKE '%secret%'")) {
        rs.next();
        assertThat(rs.getLong(1)).as("rows of " + table + " still holding erased words").isZero();
      }
    }
    assertThat(reads.conversation("shop", kept, Visibility.ALL).orElseThrow().visitorEmail()).isEqualTo("kept@example.com");
  }

  @Test
  void aRebuildProducesIdenticalTables() throws Exception {
    settings = TestDatabases.freshPostgres();
    start(true);
    for (int i = 0; i < 12; i++) {
      chat("shop", "v-" + i, i % 2 == 0 ? "N" + i : null, null, "消息 " + i + " 发货 shipping", "answer " + i);
    }
    project();
    Map<String, List<String>> before = dump();
    for (ReadModel model : ReadModels.all(analyzer)) {
      List<String> lines = new ArrayList<>();
      Rebuild.run(kit.system(), pool, model, lines::add, Duration.ofMinutes(1));
      assertThat(lines).last().asString().contains("rebuilt");
    }
    awaitCaughtUp();
    assertThat(dump()).isEqualTo(before);
    assertThat(before.get("read_messages")).hasSize(12 * 5);
  }

  @Test
  void labelsReachTheListAndItsFilterAndRatingsTheirOwnList() throws Exception {
    settings = TestDatabases.freshPostgres();
    start(true);
    String labelled = chat("shop", "v-1", null, null, "发货了吗", "Shipped");
    String plain = chat("shop", "v-2", null, null, "hello", "hi");
    chat("rival", "v-3", null, null, "hello", "hi");
    ActorRef<Conversation.Command> conversation =
        kit.spawn(Conversation.create(labelled, Clock.systemUTC()));
    Caller agent = Caller.agent("agent-1", Set.of("shop"));
    for (String label : List.of("VIP", "发货", "refund")) {
      assertThat(this.<Conversation.Command, StatusReply<Conversation.Labelled>>ask(
          conversation, r -> new Conversation.AddLabel(agent, label, r)).isSuccess()).isTrue();
    }
    assertThat(this.<Conversation.Command, StatusReply<Conversation.Labelled>>ask(
        conversation, r -> new Conversation.RemoveLabel(agent, "refund", r)).getValue().labels())
        .containsExactly("vip", "发货");
    project();

    assertThat(reads.conversation("shop", labelled, Visibility.ALL).orElseThrow().labels()).containsExactly("vip", "发货");
    assertThat(reads.list("shop", withLabel("发货"), Visibility.ALL, null, 10).items())
        .extracting(ConversationReads.ConversationRow::conversationId).containsExactly(labelled);
    assertThat(reads.list("shop", withLabel("refund"), Visibility.ALL, null, 10).items()).isEmpty();
    assertThat(reads.list("rival", withLabel("vip"), Visibility.ALL, null, 10).items()).isEmpty();

    ConversationReads.RatingPage ratings =
        reads.ratings("shop", ConversationReads.RatingFilter.ANY, Visibility.ALL, null, 1);
    assertThat(ratings.items()).hasSize(1);
    assertThat(ratings.nextCursor()).isNotNull();
    ConversationReads.RatingPage second =
        reads.ratings("shop", ConversationReads.RatingFilter.ANY, Visibility.ALL, ratings.nextCursor(), 1);
    assertThat(List.of(ratings.items().get(0).conversationId(), second.items().get(0).conversationId()))
        .containsExactlyInAnyOrder(labelled, plain);
    assertThat(second.nextCursor()).isNull();
    assertThat(second.items().get(0).score()).isEqualTo(5);
    assertThat(second.items().get(0).comment()).isEqualTo("很好");
    assertThat(second.items().get(0).agentId()).isEqualTo("agent-1");
    var vip = new ConversationReads.RatingFilter(null, null, null, null, "vip", null, null, null);
    assertThat(reads.ratings("shop", vip, Visibility.ALL, null, 10).items())
        .extracting(ConversationReads.RatingRow::conversationId).containsExactly(labelled);
    var uncommented = new ConversationReads.RatingFilter(null, null, null, null, null, null, null, false);
    assertThat(reads.ratings("shop", uncommented, Visibility.ALL, null, 10).items()).isEmpty();
    var low = new ConversationReads.RatingFilter(1, 3, null, null, null, null, null, null);
    assertThat(reads.ratings("shop", low, Visibility.ALL, null, 10).items()).isEmpty();
    assertThat(reads.ratings("shop", ConversationReads.RatingFilter.ANY, Visibility.ofAgent("agent-2"), null, 10).items())
        .isEmpty();
    assertThat(reads.ratings("rival", ConversationReads.RatingFilter.ANY, Visibility.ALL, null, 10).items()).hasSize(1);
  }

  // ---------------------------------------------------------------------------------------------------------

  private static ConversationFilter withLabel(String label) {
    return new ConversationFilter(null, null, null, null, null, null, null, null, null, null, label);
  }

  private Map<String, List<String>> dump() throws SQLException {
    Map<String, List<String>> tables = new java.util.TreeMap<>();
    for (String table : List.of("read_conversations", "read_messages", "read_visitors")) {
      List<String> rows = new ArrayList<>();
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT t::text AS r FROM " + table + " t ORDER BY r")) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
      tables.put(table, rows);
    }
    return tables;
  }

  private static ConversationFilter filterText(String text) {
    return new ConversationFilter(null, null, null, null, null, null, null, null, text, null);
  }

  /**
   * A whole chat through the real entities: the visitor identifies, opens with a message, agent-1 claims, answers
   * and closes, and the visitor rates it 5 "很好". Returns the conversation id.
   */
  private String chat(String siteId, String visitorId, String name, String email, String question, String answer)
      throws Exception {
    ActorRef<Visitor.Command> visitor =
        kit.spawn(Visitor.create(Visitor.entityId(siteId, visitorId), Clock.systemUTC()));
    if (name != null || email != null) {
      this.<Visitor.Command, StatusReply<org.apache.pekko.Done>>ask(visitor, r -> new Visitor.Identify(new Identity("u-" + visitorId, name, email, Map.of(), false), r));
    }
    String conversationId =
        this.<Visitor.Command, StatusReply<String>>ask(visitor, r -> new Visitor.EnsureConversation(null, r)).getValue();
    ActorRef<Conversation.Command> conversation =
        kit.spawn(Conversation.create(conversationId, Clock.systemUTC()));
    Caller v = Caller.visitor(siteId, visitorId);
    Caller agent = Caller.agent("agent-1", Set.of(siteId));
    assertThat(this.<Conversation.Command, StatusReply<Conversation.Posted>>ask(conversation, r -> new Conversation.PostMessage(v, "c1", question, true, r)).isSuccess()).isTrue();
    assertThat(this.<Conversation.Command, StatusReply<Conversation.Claimed>>ask(conversation, r -> new Conversation.Claim(agent, r)).isSuccess()).isTrue();
    assertThat(this.<Conversation.Command, StatusReply<Conversation.Posted>>ask(conversation, r -> new Conversation.PostMessage(agent, "a1", answer, r)).isSuccess()).isTrue();
    assertThat(this.<Conversation.Command, StatusReply<Conversation.Ended>>ask(conversation, r -> new Conversation.Close(agent, r)).isSuccess()).isTrue();
    assertThat(this.<Conversation.Command, StatusReply<org.apache.pekko.Done>>ask(conversation, r -> new Conversation.Rate(v, 5, "很好", r)).isSuccess()).isTrue();
    kit.stop(conversation);
    kit.stop(visitor);
    return conversationId;
  }

  private <C, R> R ask(ActorRef<C> ref, Function<ActorRef<R>, C> message) throws Exception {
    return AskPattern.ask(ref, message::apply, ASK, kit.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

}
