package dev.parley.edge.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.common.CrashPoints;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.Eventually;
import dev.parley.edge.testing.ServerProcess;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node that dies between two persisted steps of a claim comes back right: the node runs as its own process on
 * PostgreSQL with {@code -Dparley.crash-at=<point>} ({@link CrashPoints}), an agent claims through the wire
 * protocol, the node halts right after that step is persisted, and a node started again without the crash point
 * finishes the claim: the conversation is joined exactly once, at the seq the resent claim is acknowledged with,
 * and it no longer waits in the queue. A node that dies right after a close was persisted comes back with the
 * agent's seat freed and the chat gone from the agent's list (the routing feed re-delivers the close). A transfer
 * interrupted at either of its steps is finished by the next start, recorded once.
 */
class CrashWindowTest {

  private static final Duration START_WITHIN = Duration.ofSeconds(40);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @ParameterizedTest
  @ValueSource(strings = {CrashPoints.CLAIM_DECIDED, CrashPoints.JOIN_RECORDED})
  @Timeout(120)
  void aClaimInterruptedByACrashIsFinishedByTheNextStart(String point) throws Exception {
    PersistenceSettings db = TestDatabases.freshPostgres();
    Path dir = Path.of("target", "crash-window", point + "-" + UUID.randomUUID());
    Files.createDirectories(dir);
    Path log = dir.resolve("server.log");
    int port = ServerProcess.freePort();
    Map<String, String> env = env(db);

    ServerProcess doomed =
        ServerProcess.start(dir, port, env, log, START_WITHIN, List.of("-Dparley.crash-at=" + point));
    String agentToken = createAgent(doomed, "crash-" + point.replace('-', '.'));
    String conversation;
    String visitorToken;
    try (ChatClient visitor = ChatClient.visitor(doomed.visitorUri("demo"), doomed.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      visitor.send(null, "is the tea in stock?");
      visitor.awaitState(c -> c.outboxSize() == 0, WAIT);
      conversation = visitor.currentConversationId();
      visitorToken = visitor.token();
    }
    try (WireClient agent = WireClient.connect(doomed.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "claim-1").put("conversationId", conversation));
      awaitDeath(doomed);
    }
    assertThat(Files.readString(log)).contains("Crash point " + point + " reached");

    ServerProcess again = ServerProcess.start(dir, port, env, log, START_WITHIN);
    try (WireClient agent = WireClient.connect(again.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      // The client never saw its ack: it resends the claim with the same id, and is told the join's seq.
      agent.send(WireClient.frame("claim").put("id", "claim-1").put("conversationId", conversation));
      JsonNode ack = agent.await(f -> "claim-1".equals(f.path("id").asText()), WAIT);
      assertThat(ack.path("type").asText()).as("answer to the resent claim: %s", ack).isEqualTo("ack");
      assertThat(ack.path("seq").asLong()).isEqualTo(2);
      List<JsonNode> frames = agent.all();
      JsonNode queue =
          frames.stream().filter(f -> "queue".equals(f.path("type").asText())).reduce((a, b) -> b).orElseThrow();
      assertThat(queue.path("waiting").toString()).as("the claimed conversation no longer waits").doesNotContain(conversation);
      assertThat(frames.stream().filter(f -> "queueChanged".equals(f.path("type").asText())))
          .as("nor comes back to the queue")
          .noneMatch(change -> change.path("added").toString().contains(conversation));
    }

    // The visitor's timeline: the message, then exactly one join, at the acknowledged seq.
    try (WireClient visitor = WireClient.connect(again.visitorUri("demo"), again.origin())) {
      visitor.send(WireClient.frame("hello").put("token", visitorToken));
      visitor.awaitType("welcome", WAIT);
      List<String> timeline = new ArrayList<>();
      for (int seq = 1; seq <= 2; seq++) {
        JsonNode event = visitor.awaitType("event", WAIT);
        timeline.add(event.path("seq").asLong() + ":" + event.path("kind").asText());
      }
      assertThat(timeline).containsExactly("1:message", "2:joined");
      visitor.send(WireClient.frame("send").put("id", "after").put("text", "thanks"));
      JsonNode next = visitor.await(f -> "after".equals(f.path("id").asText()), WAIT);
      assertThat(next.path("seq").asLong()).as("no second join took a seq").isEqualTo(3);
    } finally {
      again.kill(false); // the database is the test's own: only the node goes
    }
  }

  /**
   * The close's window: the conversation persisted its close and the node died before anyone else heard. The next
   * start's routing feed frees the agent's one seat (capacity 1: the next claim is accepted), drops the chat from
   * the agent's list and ends the visitor's current conversation (their next message opens a new one).
   */
  @org.junit.jupiter.api.Test
  @Timeout(120)
  void aCloseInterruptedByACrashStillFreesTheAgentAndEndsTheVisitorsConversation() throws Exception {
    String point = CrashPoints.CLOSE_RECORDED;
    PersistenceSettings db = TestDatabases.freshPostgres();
    Path dir = Path.of("target", "crash-window", point + "-" + UUID.randomUUID());
    Files.createDirectories(dir);
    Path log = dir.resolve("server.log");
    int port = ServerProcess.freePort();
    Map<String, String> env = env(db);

    ServerProcess doomed =
        ServerProcess.start(dir, port, env, log, START_WITHIN, List.of("-Dparley.crash-at=" + point));
    String agentToken = createAgent(doomed, "crash-close");
    request(doomed, "PUT", "/api/sites/demo/routing", adminToken(doomed),
        "{\"policy\":\"manual\",\"defaultCapacity\":1}");
    String first;
    String visitorToken;
    try (ChatClient visitor = ChatClient.visitor(doomed.visitorUri("demo"), doomed.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      visitor.send(null, "where is my parcel?");
      visitor.awaitState(c -> c.outboxSize() == 0, WAIT);
      first = visitor.currentConversationId();
      visitorToken = visitor.token();
    }
    try (WireClient agent = WireClient.connect(doomed.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "claim-1").put("conversationId", first));
      assertThat(agent.await(f -> "claim-1".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");
      agent.send(WireClient.frame("close").put("id", "close-1").put("conversationId", first));
      awaitDeath(doomed);
    }
    assertThat(Files.readString(log)).contains("Crash point " + point + " reached");

    ServerProcess again = ServerProcess.start(dir, port, env, log, START_WITHIN);
    try {
      String second;
      try (WireClient visitor = WireClient.connect(again.visitorUri("demo"), again.origin())) {
        visitor.send(WireClient.frame("hello").put("token", visitorToken));
        visitor.awaitType("welcome", WAIT);
        visitor.send(WireClient.frame("send").put("id", "again-1").put("text", "hello again"));
        JsonNode ack = visitor.await(f -> "again-1".equals(f.path("id").asText()), WAIT);
        assertThat(ack.path("type").asText()).as("%s", ack).isEqualTo("ack");
        second = ack.path("conversationId").asText();
        assertThat(second).as("the closed conversation is not reopened: a new one").isNotEmpty().isNotEqualTo(first);
      }
      // Until the feed has delivered the close, the one seat is taken: the claim is refused, and retried.
      AtomicInteger attempt = new AtomicInteger();
      Eventually.await("the closed chat's seat freed for the next claim", WAIT, () -> {
        try (WireClient agent = WireClient.connect(again.agentUri(), null)) {
          agent.send(WireClient.frame("hello").put("token", agentToken));
          JsonNode welcome = agent.awaitType("welcome", WAIT);
          String id = "claim-2-" + attempt.getAndIncrement();
          agent.send(WireClient.frame("claim").put("id", id).put("conversationId", second));
          JsonNode answer = agent.await(f -> id.equals(f.path("id").asText()), WAIT);
          if ("ack".equals(answer.path("type").asText())) {
            assertThat(welcome.path("conversations").toString()).as("the closed chat left the agent's list")
                .doesNotContain(first);
            return true;
          }
          assertThat(answer.path("code").asText()).as("%s", answer).isEqualTo("at-capacity");
          return false;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      again.kill(false);
    }
  }

  /**
   * The transfer's windows: the dispatcher persisted its decision (capacity and queue moved) and the node died
   * before the conversation recorded it, or the conversation recorded it and the node died before the dispatcher
   * confirmed it. The next start re-drives the decision; the conversation records the transfer exactly once, the
   * resent frame is acknowledged with the seq of that entry, the new holder's one seat is taken and the old
   * holder's free, and the agents' lists follow (the routing feed).
   */
  @ParameterizedTest
  @ValueSource(strings = {CrashPoints.TRANSFER_DECIDED, CrashPoints.TRANSFER_RECORDED})
  @Timeout(150)
  void aTransferInterruptedByACrashIsFinishedByTheNextStart(String point) throws Exception {
    PersistenceSettings db = TestDatabases.freshPostgres();
    Path dir = Path.of("target", "crash-window", point + "-" + UUID.randomUUID());
    Files.createDirectories(dir);
    Path log = dir.resolve("server.log");
    int port = ServerProcess.freePort();
    Map<String, String> env = env(db);

    ServerProcess doomed =
        ServerProcess.start(dir, port, env, log, START_WITHIN, List.of("-Dparley.crash-at=" + point));
    String tag = point.replace('-', '.');
    String fromToken = createAgent(doomed, "from-" + tag);
    String toToken = createAgent(doomed, "to-" + tag);
    request(doomed, "PUT", "/api/sites/demo/routing", adminToken(doomed),
        "{\"policy\":\"manual\",\"defaultCapacity\":1}");
    String toId;
    try (WireClient to = WireClient.connect(doomed.agentUri(), null)) {
      to.send(WireClient.frame("hello").put("token", toToken));
      toId = to.awaitType("welcome", WAIT).path("agentId").asText();
    }
    assertThat(toId).as("the target agent's id from its welcome").isNotEmpty();
    String conversation = visitorWrites(doomed, "is the tea in stock?");
    String other = visitorWrites(doomed, "and the cups?");
    try (WireClient from = WireClient.connect(doomed.agentUri(), null)) {
      from.send(WireClient.frame("hello").put("token", fromToken));
      from.awaitType("welcome", WAIT);
      from.send(WireClient.frame("claim").put("id", "claim-1").put("conversationId", conversation));
      assertThat(from.await(f -> "claim-1".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");
      from.send(WireClient.frame("transfer").put("id", "transfer-1").put("conversationId", conversation)
          .put("toAgent", toId));
      awaitDeath(doomed);
    }
    assertThat(Files.readString(log)).contains("Crash point " + point + " reached");

    ServerProcess again = ServerProcess.start(dir, port, env, log, START_WITHIN);
    try {
      try (WireClient from = WireClient.connect(again.agentUri(), null)) {
        from.send(WireClient.frame("hello").put("token", fromToken));
        from.awaitType("welcome", WAIT);
        // The client never saw its ack: it resends the transfer with the same id, and is told the entry's seq.
        from.send(WireClient.frame("transfer").put("id", "transfer-1").put("conversationId", conversation)
            .put("toAgent", toId));
        JsonNode ack = from.await(f -> "transfer-1".equals(f.path("id").asText()), WAIT);
        assertThat(ack.path("type").asText()).as("answer to the resent transfer: %s", ack).isEqualTo("ack");
        assertThat(ack.path("seq").asLong()).isEqualTo(3);
        // The old holder's one seat is free: it takes the other waiting conversation.
        from.send(WireClient.frame("claim").put("id", "claim-2").put("conversationId", other));
        assertThat(from.await(f -> "claim-2".equals(f.path("id").asText()), WAIT).path("type").asText())
            .as("the old holder's seat was freed").isEqualTo("ack");
      }

      // The visitor's timeline: message, joined, transferred, joined — the transfer recorded exactly once.
      try (WireClient visitor = WireClient.connect(again.visitorUri("demo"), again.origin())) {
        visitor.send(WireClient.frame("hello").put("token", visitorTokenOf(conversation)));
        visitor.awaitType("welcome", WAIT);
        List<String> timeline = new ArrayList<>();
        for (int seq = 1; seq <= 4; seq++) {
          JsonNode event = visitor.awaitType("event", WAIT);
          timeline.add(event.path("seq").asLong() + ":" + event.path("kind").asText());
        }
        assertThat(timeline).containsExactly("1:message", "2:joined", "3:transferred", "4:joined");
        visitor.send(WireClient.frame("send").put("id", "after").put("text", "thanks"));
        JsonNode next = visitor.await(f -> "after".equals(f.path("id").asText()), WAIT);
        assertThat(next.path("seq").asLong()).as("no second transfer took a seq").isEqualTo(5);
      }

      // The new holder's one seat is taken, and the lists follow (the feed may lag a moment: asked again).
      Eventually.await("the new holder's list has the chat and the old holder's does not", WAIT, () -> {
        try (WireClient to = WireClient.connect(again.agentUri(), null);
            WireClient from = WireClient.connect(again.agentUri(), null)) {
          to.send(WireClient.frame("hello").put("token", toToken));
          String toList = to.awaitType("welcome", WAIT).path("conversations").toString();
          from.send(WireClient.frame("hello").put("token", fromToken));
          String fromList = from.awaitType("welcome", WAIT).path("conversations").toString();
          if (!toList.contains(conversation) || fromList.contains(conversation)) {
            return false;
          }
          String third = visitorWrites(again, "one more question");
          to.send(WireClient.frame("claim").put("id", "claim-4").put("conversationId", third));
          JsonNode full = to.await(f -> "claim-4".equals(f.path("ref").asText()), WAIT); // an error's ref
          assertThat(full.path("code").asText()).as("the new holder is at capacity 1: %s", full)
              .isEqualTo("at-capacity");
          return true;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      again.kill(false);
    }
  }

  /** Visitor tokens of the conversations {@link #visitorWrites} opened, by conversation id. */
  private final Map<String, String> visitorTokens = new java.util.HashMap<>();

  private String visitorTokenOf(String conversationId) {
    return visitorTokens.get(conversationId);
  }

  /** A new visitor writes once; returns the conversation's id (its token kept for later). */
  private String visitorWrites(ServerProcess node, String text) throws Exception {
    try (ChatClient visitor = ChatClient.visitor(node.visitorUri("demo"), node.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      visitor.send(null, text);
      visitor.awaitState(c -> c.outboxSize() == 0, WAIT);
      visitorTokens.put(visitor.currentConversationId(), visitor.token());
      return visitor.currentConversationId();
    }
  }

  private static void awaitDeath(ServerProcess server) {
    Eventually.await("the node halted at its crash point", WAIT, () -> !server.isAlive());
  }

  /** Creates an agent of the demo site as the first start's admin; returns the agent's token. */
  private static String createAgent(ServerProcess node, String username) throws Exception {
    String admin = adminToken(node);
    JsonNode created =
        post(node, "/api/sites/demo/accounts", admin, "{\"username\":\"" + username + "\",\"role\":\"agent\"}");
    String login = created.path("username").asText(username);
    return post(node, "/api/auth/login", null,
            "{\"username\":\"" + login + "\",\"password\":\"" + created.path("password").asText() + "\"}")
        .path("token").asText();
  }

  /** Logs in as the first start's admin. */
  private static String adminToken(ServerProcess node) throws Exception {
    Eventually.await("first start credentials printed", WAIT, () -> node.firstStartPassword().isPresent());
    return post(node, "/api/auth/login", null,
            "{\"username\":\"" + node.firstStartUsername().orElseThrow() + "\",\"password\":\""
                + node.firstStartPassword().orElseThrow() + "\"}")
        .path("token").asText();
  }

  private static JsonNode post(ServerProcess node, String path, String token, String json) throws Exception {
    return request(node, "POST", path, token, json);
  }

  private static JsonNode request(ServerProcess node, String method, String path, String token, String json)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.origin() + path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isBetween(200, 201);
    return WireClient.JSON.readTree(r.body());
  }

  private static Map<String, String> env(PersistenceSettings db) {
    return Map.of(
        "PARLEY_DB", "postgresql",
        "PARLEY_DB_URL", db.jdbcUrl(),
        "PARLEY_DB_USER", db.user(),
        "PARLEY_DB_PASSWORD", db.password() == null ? "" : db.password());
  }
}
