package dev.parley.edge.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.edge.testing.ServerProcess;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.EventWriter;
import dev.parley.persistence.testing.Journals;
import dev.parley.persistence.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * The read side in a node process of its own, as an operator runs it: killed with SIGKILL while it projects, and
 * streaming an export far larger than its heap.
 */
class ReadSideProcessTest {

  private static final Duration START_WITHIN = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int CONVERSATIONS_PER_ROUND = 150;
  private static final int MESSAGES_PER_CONVERSATION = 40;
  private static final int ROUNDS = 2;

  @Test
  void aNodeKilledWhileProjectingLeavesEveryRowExactlyOnce() throws Exception {
    PersistenceSettings db = TestDatabases.freshPostgres();
    Config config = Journals.migratedLocalConfig(db);
    Path dir = Path.of("target", "read-side-kill", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    int port = ServerProcess.freePort();
    List<String> conversations = new ArrayList<>();
    List<String> kills = new ArrayList<>();
    ActorSystem<Void> writer = ActorSystem.create(Behaviors.empty(), "writer", config);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        // While the node is down, the journal grows; the restarted node projects it and is killed half-way.
        conversations.addAll(writeConversations(writer, CONVERSATIONS_PER_ROUND));
        long expectedRows = (long) conversations.size() * (MESSAGES_PER_CONVERSATION + 3);
        ServerProcess node = ServerProcess.start(dir, port, env(db), dir.resolve("server.log"), START_WITHIN);
        LongSupplier rows = () -> count(db, "SELECT count(*) FROM read_messages");
        long before = rows.getAsLong();
        long deadline = System.nanoTime() + WAIT.toNanos();
        long mid = before + (expectedRows - before) / 3;
        while (rows.getAsLong() < mid && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        node.kill(false);
        long atKill = rows.getAsLong();
        kills.add(before + " -> " + atKill + " of " + expectedRows);
        assertThat(atKill).as("rows when killed (round %d)", round).isLessThan(expectedRows);
      }
    } finally {
      writer.terminate();
      writer.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    System.out.println("ReadSideProcessTest kills: " + kills);

    ServerProcess node = ServerProcess.start(dir, port, env(db), dir.resolve("server.log"), START_WITHIN);
    try {
      long expectedRows = (long) conversations.size() * (MESSAGES_PER_CONVERSATION + 3);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (count(db, "SELECT count(*) FROM read_messages") < expectedRows
          || count(db, "SELECT count(*) FROM read_conversations WHERE status = 'closed'") < conversations.size()) {
        assertThat(System.nanoTime()).as("projections caught up in time").isLessThan(deadline);
        Thread.sleep(100);
      }
    } finally {
      node.stop();
    }
    // Every timeline entry exactly once, and every counter counted each event exactly once.
    assertThat(count(db, "SELECT count(*) FROM read_messages")).isEqualTo((long) conversations.size() * (MESSAGES_PER_CONVERSATION + 3));
    assertThat(count(db, "SELECT count(*) FROM read_conversations")).isEqualTo(conversations.size());
    assertThat(count(db, "SELECT count(*) FROM read_conversations WHERE visitor_messages <> " + (MESSAGES_PER_CONVERSATION / 2)
        + " OR agent_messages <> " + (MESSAGES_PER_CONVERSATION / 2) + " OR last_seq <> " + (MESSAGES_PER_CONVERSATION + 2)
        + " OR status <> 'closed' OR agent_ids <> ARRAY['agent-1']"))
        .as("conversations whose counters are off").isZero();
    assertThat(count(db, "SELECT count(*) FROM (SELECT conversation_id FROM read_messages GROUP BY conversation_id"
        + " HAVING count(*) <> " + (MESSAGES_PER_CONVERSATION + 3) + " OR max(seq) <> " + (MESSAGES_PER_CONVERSATION + 2) + ") x"))
        .as("conversations with missing or extra entries").isZero();
  }

  @Test
  void anExportOfAHundredThousandMessagesStreamsThroughASmallHeap() throws Exception {
    PersistenceSettings db = TestDatabases.freshPostgres();
    Journals.migratedLocalConfig(db);
    Path dir = Path.of("target", "read-side-export", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    // 100,000 messages of 1,000 Chinese characters (~300 MB of CSV) in 1,000 conversations, written as their
    // projection would write them.
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); Statement s = c.createStatement()) {
      s.execute("INSERT INTO read_conversations (conversation_id, site_id, visitor_id, status, opened_at)"
          + " SELECT 'c-' || i, 'demo', 'v-' || i, 'closed', now() - i * interval '1 minute' FROM generate_series(1, 1000) i");
      s.execute("INSERT INTO read_messages (conversation_id, seq, site_id, kind, author_role, author_id, body, at)"
          + " SELECT 'c-' || (i / 100 + 1), i % 100 + 1, 'demo', 'message', 'visitor', 'v', repeat('发货茉莉花茶', 166) || i,"
          + " now() FROM generate_series(0, 99999) i");
    }
    // The heap is far smaller than the export: buffering it would fail with OutOfMemoryError.
    ServerProcess node = ServerProcess.start(dir, ServerProcess.freePort(), env(db), dir.resolve("server.log"), START_WITHIN,
        List.of("-Xmx128m"));
    try {
      String token = login(node);
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/sites/demo/exports/messages.csv"))
          .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5)).build();
      HttpResponse<java.io.InputStream> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("X-Total-Rows")).hasValue("100000");
      long lines = 0;
      long chars = 0;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines++;
          chars += line.length();
        }
      }
      assertThat(lines).isEqualTo(100_001);
      assertThat(chars).as("characters streamed").isGreaterThan(100_000_000L);
      assertThat(node.isAlive()).isTrue();
      assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain("OutOfMemoryError");
    } finally {
      node.stop();
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private static String login(ServerProcess node) throws Exception {
    // Main prints the first start's credentials just after it starts serving.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (node.firstStartPassword().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    String body = "{\"username\":\"" + node.firstStartUsername().orElseThrow() + "\",\"password\":\""
        + node.firstStartPassword().orElseThrow() + "\"}";
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/auth/login"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("token").asText();
  }

  private static Map<String, String> env(PersistenceSettings db) {
    return Map.of(
        "PARLEY_DB", "postgresql",
        "PARLEY_DB_URL", db.jdbcUrl(),
        "PARLEY_DB_USER", db.user(),
        "PARLEY_DB_PASSWORD", db.password() == null ? "" : db.password());
  }

  /** Whole conversations straight into the journal, tagged as the entity tags them: half visitor, half agent. */
  private static List<String> writeConversations(ActorSystem<?> system, int n) {
    List<String> ids = new ArrayList<>();
    Instant at = Instant.now();
    for (int i = 0; i < n; i++) {
      String id = UUID.randomUUID().toString();
      List<Conversation.Event> events = new ArrayList<>();
      events.add(new Conversation.Opened("demo", "v-" + i, at));
      events.add(new Conversation.MessagePosted(1, Participant.visitor("v-" + i), "m-1", "你好，什么时候发货？", at));
      events.add(new Conversation.AgentJoined(2, "agent-1", at));
      for (int m = 2; m <= MESSAGES_PER_CONVERSATION; m++) {
        Participant author = m % 2 == 0 ? Participant.agent("agent-1") : Participant.visitor("v-" + i);
        events.add(new Conversation.MessagePosted(m + 1, author, "m-" + m, "message " + m + " shipping", at));
      }
      events.add(new Conversation.Closed(MESSAGES_PER_CONVERSATION + 2, Participant.agent("agent-1"), at));
      EventWriter.append(system, "Conversation", id, events);
      ids.add(id);
    }
    return ids;
  }

  private static long count(PersistenceSettings db, String sql) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
