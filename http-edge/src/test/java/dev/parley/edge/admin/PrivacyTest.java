package dev.parley.edge.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Erasure for privacy, end to end on a real server and its real journal: an erased visitor's words, identity and
 * pages are gone from the journal's stored bytes, the snapshots and the entities; a site's retention period erases
 * its old closed conversations; a job cut short is resumed; every erasure is in the audit log; and another site's
 * admin can do none of it.
 */
class PrivacyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static TestServer start(PersistenceSettings storage) {
    return TestServer.start(storage, Map.of("parley.privacy.retention-sweep-every", "500ms"));
  }

  private record Chat(String visitorId, String token, String closedConversation, String openConversation) {}

  /** A visitor who identifies, browses, writes in a conversation that closes and in one that stays open. */
  private static Chat chat(TestServer server, String agentToken) {
    try (WireClient visitor = WireClient.connect(server.visitorUri("demo"), server.origin());
        WireClient agent = WireClient.connect(server.agentUri(), null)) {
      visitor.send(WireClient.frame("hello"));
      JsonNode welcome = visitor.awaitType("welcome", WAIT);
      ObjectNode identify = WireClient.frame("identify").put("id", "i-1");
      identify.putObject("user").put("id", "cust-77").put("name", "王芳").put("email", "wang.fang@example.com");
      visitor.send(identify);
      visitor.await(f -> "i-1".equals(f.path("id").asText()), WAIT);
      visitor.send(WireClient.frame("page").put("url", "https://shop.example/orders/secret-order-991"));
      String first = send(visitor, "m-1", null, "My address is 12 Jasmine Road");
      visitor.send(WireClient.frame("close").put("id", "c-1").put("conversationId", first));
      visitor.await(f -> "c-1".equals(f.path("id").asText()), WAIT);
      String second = send(visitor, "m-2", null, "Call me on 13800138000");
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "a-1").put("conversationId", second));
      agent.await(f -> "a-1".equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), WAIT);
      send(agent, "a-2", second, "我们明天发货到茉莉路");
      return new Chat(welcome.path("visitorId").asText(), welcome.path("token").asText(), first, second);
    }
  }

  private static String send(WireClient client, String id, String conversationId, String text) {
    ObjectNode frame = WireClient.frame("send").put("id", id).put("text", text);
    if (conversationId != null) {
      frame.put("conversationId", conversationId);
    }
    client.send(frame);
    return client.await(f -> id.equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), WAIT)
        .path("conversationId").asText();
  }

  /** How many stored journal events and snapshots of these persistence ids still contain {@code text}. */
  private static int storedCopies(PersistenceSettings storage, List<String> persistenceIds, String text)
      throws Exception {
    try (HikariDataSource ds = Databases.configPool(storage);
        Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT (SELECT count(*) FROM event_journal WHERE persistence_id = ANY(?) AND position(? in"
                    + " event_payload) > 0) + (SELECT count(*) FROM snapshot WHERE persistence_id = ANY(?) AND"
                    + " position(? in snapshot_payload) > 0)")) {
      ps.setArray(1, c.createArrayOf("varchar", persistenceIds.toArray()));
      ps.setBytes(2, text.getBytes(StandardCharsets.UTF_8));
      ps.setArray(3, c.createArrayOf("varchar", persistenceIds.toArray()));
      ps.setBytes(4, text.getBytes(StandardCharsets.UTF_8));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  @Test
  void anErasedVisitorsWordsIdentityAndPagesAreGoneFromJournalSnapshotsAndEntities() throws Exception {
    PersistenceSettings storage = TestDatabases.freshPostgres();
    try (TestServer server = start(storage)) {
      String admin = server.adminToken();
      Chat chat = chat(server, server.createAgent(admin, "demo", "eraser-" + UUID.randomUUID().toString().substring(0, 6)));
      List<String> pids =
          List.of(
              "Visitor|demo:" + chat.visitorId(),
              "Conversation|" + chat.closedConversation(),
              "Conversation|" + chat.openConversation());
      List<String> words =
          List.of("Jasmine Road", "13800138000", "王芳", "wang.fang@example.com", "发货", "secret-order-991");
      for (String w : words) {
        assertThat(storedCopies(storage, pids, w)).as("stored before erasure: %s", w).isPositive();
      }

      // Another site's admin cannot erase this site's visitor (the site does not exist for them).
      server.createSite(admin, "elsewhere");
      String outsider = server.createAgent(admin, "elsewhere", "outsider-" + UUID.randomUUID().toString().substring(0, 6));
      assertThat(server.request("DELETE", "/api/sites/demo/visitors/" + chat.visitorId(), outsider, null).status())
          .isIn(403, 404);

      TestServer.Response accepted =
          server.request("DELETE", "/api/sites/demo/visitors/" + chat.visitorId(), admin, null);
      assertThat(accepted.status()).isEqualTo(202);
      String job = accepted.body().path("job").asText();
      await(() -> "done".equals(server.request("GET", job, admin, null).body().path("status").asText()), "the job");
      assertThat(server.request("GET", job, admin, null).body().path("conversations").asInt()).isEqualTo(2);

      for (String w : words) {
        assertThat(storedCopies(storage, pids, w)).as("stored after erasure: %s", w).isZero();
      }

      // The visitor's own connection sees both conversations without words, the open one closed.
      try (WireClient again = WireClient.connect(server.visitorUri("demo"), server.origin())) {
        ObjectNode hello = WireClient.frame("hello").put("token", chat.token());
        hello.putObject("resume").put(chat.closedConversation(), 0).put(chat.openConversation(), 0);
        again.send(hello);
        await(
            () -> again.all().stream().filter(f -> "synced".equals(f.path("type").asText())).count() == 2,
            "both conversations synced");
        List<JsonNode> messages =
            again.all().stream()
                .filter(f -> "event".equals(f.path("type").asText()) && "message".equals(f.path("kind").asText()))
                .toList();
        assertThat(messages).hasSizeGreaterThanOrEqualTo(3).allMatch(m -> m.path("text").asText().isEmpty());
        assertThat(again.all().stream().filter(f -> "synced".equals(f.path("type").asText())))
            .allMatch(f -> "closed".equals(f.path("status").asText()));
      }

      JsonNode audit = server.request("GET", "/api/sites/demo/audit", admin, null).body();
      assertThat(audit.path("entries").toString()).contains("visitor.erase").contains(chat.visitorId());
    }
  }

  @Test
  void aSitesRetentionErasesItsOldClosedConversationsAndNothingElse() throws Exception {
    PersistenceSettings storage = TestDatabases.freshPostgres();
    try (TestServer server = start(storage)) {
      String admin = server.adminToken();
      Chat chat = chat(server, server.createAgent(admin, "demo", "keeper-" + UUID.randomUUID().toString().substring(0, 6)));
      assertThat(server.request("PUT", "/api/sites/demo/retention", admin, Map.of("days", -1)).status()).isEqualTo(400);
      assertThat(server.request("PUT", "/api/sites/demo/retention", admin, Map.of("days", 0)).status()).isEqualTo(200);
      assertThat(server.request("GET", "/api/sites/demo/retention", admin, null).body().path("days").asInt()).isZero();

      List<String> closed = List.of("Conversation|" + chat.closedConversation());
      List<String> open = List.of("Conversation|" + chat.openConversation());
      await(() -> copies(storage, closed, "Jasmine Road") == 0, "the closed conversation erased by the sweep");
      assertThat(storedCopies(storage, open, "13800138000")).as("an open conversation is kept").isPositive();
      assertThat(storedCopies(storage, List.of("Visitor|demo:" + chat.visitorId()), "王芳"))
          .as("the visitor's profile is not the retention's business")
          .isPositive();
      String log = server.request("GET", "/api/sites/demo/audit", admin, null).body().path("entries").toString();
      assertThat(log).contains("site.retention").contains("conversation.erase");
    }
  }

  @Test
  void anErasureCutShortByAStopIsFinishedAtTheNextStart() throws Exception {
    PersistenceSettings storage = TestDatabases.freshPostgres();
    Chat chat;
    try (TestServer first = start(storage)) {
      chat = chat(first, first.createAgent(first.adminToken(), "demo", "first-" + UUID.randomUUID().toString().substring(0, 6)));
    }
    // The job was recorded, then the node stopped before any step ran.
    try (HikariDataSource ds = Databases.configPool(storage);
        Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO erasure_job (site_id, kind, target_id, reason, requested_at)"
                    + " VALUES ('demo', 'visitor', ?, 'request', ?)")) {
      ps.setString(1, chat.visitorId());
      ps.setTimestamp(2, Timestamp.from(Instant.now()));
      ps.executeUpdate();
    }
    try (TestServer second = start(storage)) {
      List<String> pids = List.of("Visitor|demo:" + chat.visitorId(), "Conversation|" + chat.openConversation());
      await(() -> copies(storage, pids, "13800138000") == 0 && copies(storage, pids, "王芳") == 0, "the resumed job");
    }
  }

  @Test
  void theServedApiDocumentDescribesThePrivacyRoutes() {
    try (TestServer server = start(TestDatabases.freshPostgres())) {
      JsonNode doc = server.request("GET", "/api/openapi.json", null, null).body();
      assertThat(doc.path("paths").has("/api/sites/{siteId}/visitors/{visitorId}")).isTrue();
      assertThat(doc.path("paths").has("/api/sites/{siteId}/retention")).isTrue();
      assertThat(doc.path("paths").has("/api/sites/{siteId}/routing")).as("the base document is kept").isTrue();
      assertThat(doc.path("components").path("schemas").path("Error").toString()).contains("rate-limited");
    }
  }

  private static int copies(PersistenceSettings storage, List<String> pids, String text) {
    try {
      return storedCopies(storage, pids, text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
