package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.common.Limits;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.directory.SecretStore;
import dev.parley.persistence.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input gets a typed error frame, changes nothing, and leaves the connection working (each test
 * ends with a ping round trip on the same connection) and the conversation as it was.
 */
class BadInputTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static TestServer server;
  private static String adminToken;
  private static Tokens serverTokens;

  private WireClient visitor;
  private String conversationId;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestDatabases.freshPostgres());
    adminToken = server.adminToken();
    try (HikariDataSource pool = Databases.configPool(server.storage())) {
      byte[] secret = new SecretStore(pool).getOrCreate("token-signing-key");
      serverTokens = new Tokens(secret, Clock.systemUTC(), Duration.ofHours(12), Duration.ofDays(180));
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void visitorWithAConversation() {
    visitor = WireClient.connect(server.visitorUri("demo"), server.origin());
    visitor.send(WireClient.frame("hello"));
    visitor.awaitType("welcome", WAIT);
    visitor.send(WireClient.frame("send").put("id", "first").put("text", "hello"));
    conversationId = visitor.await(f -> isAck(f, "first"), WAIT).path("conversationId").asText();
  }

  private static boolean isAck(JsonNode f, String id) {
    return f.path("type").asText().equals("ack") && f.path("id").asText().equals(id);
  }

  private static JsonNode awaitError(WireClient client) {
    return client.awaitType("error", WAIT);
  }

  /** The conversation still ends at {@code seq}: a probe message gets the next seq. */
  private void assertConversationUnchangedAt(long seq) {
    String probe = "probe-" + UUID.randomUUID();
    visitor.send(WireClient.frame("send").put("id", probe).put("text", "still here"));
    JsonNode ack = visitor.await(f -> isAck(f, probe), WAIT);
    assertThat(ack.path("seq").asLong()).isEqualTo(seq + 1);
  }

  @Test
  void malformedJsonIsABadJsonError() {
    visitor.send("{\"type\": \"send\", \"id\": ");
    assertThat(awaitError(visitor).path("code").asText()).isEqualTo("bad-json");
    visitor.send("[1, 2, 3]");
    assertThat(awaitError(visitor).path("code").asText()).isEqualTo("bad-json");
    visitor.roundTrip(WAIT);
    assertConversationUnchangedAt(1);
  }

  @Test
  void anUnknownFrameTypeIsNamed() {
    visitor.send(WireClient.frame("shout").put("id", "x1"));
    JsonNode error = awaitError(visitor);
    assertThat(error.path("code").asText()).isEqualTo("unknown-type");
    assertThat(error.path("ref").asText()).isEqualTo("x1");
    visitor.roundTrip(WAIT);
  }

  @Test
  void missingAndMistypedFieldsAreNamed() {
    visitor.send(WireClient.frame("send").put("id", "no-text"));
    JsonNode missing = awaitError(visitor);
    visitor.send(WireClient.frame("send").put("id", "num-text").put("text", 42));
    JsonNode mistyped = awaitError(visitor);
    visitor.send(WireClient.frame("read").put("conversationId", conversationId).put("seq", -3));
    JsonNode negative = awaitError(visitor);

    assertThat(missing.path("code").asText()).isEqualTo("missing-field");
    assertThat(missing.path("field").asText()).isEqualTo("text");
    assertThat(missing.path("ref").asText()).isEqualTo("no-text");
    assertThat(mistyped.path("code").asText()).isEqualTo("invalid-field");
    assertThat(negative.path("field").asText()).isEqualTo("seq");
    visitor.roundTrip(WAIT);
    assertConversationUnchangedAt(1);
  }

  @Test
  void aFrameOverTheSizeLimitIsRefusedAndTheConnectionCarriesOn() {
    String huge = "x".repeat(64 * 1024);
    visitor.send(WireClient.frame("send").put("id", "huge").put("text", huge));
    JsonNode error = awaitError(visitor);

    assertThat(error.path("code").asText()).isEqualTo("frame-too-large");
    visitor.roundTrip(WAIT);
    assertConversationUnchangedAt(1);
  }

  @Test
  void binaryFramesAreRefused() {
    visitor.sendBinary(new byte[] {1, 2, 3});
    assertThat(awaitError(visitor).path("code").asText()).isEqualTo("binary-not-supported");
    visitor.roundTrip(WAIT);
  }

  @Test
  void textOverTheLengthLimitIsRefusedWithoutPersistingAnything() {
    visitor.send(
        WireClient.frame("send").put("id", "long").put("text", "字".repeat(Limits.MAX_TEXT_CHARS + 1)));
    JsonNode error = awaitError(visitor);
    visitor.send(WireClient.frame("send").put("id", "blank").put("text", "   "));
    JsonNode blank = awaitError(visitor);

    assertThat(error.path("code").asText()).isEqualTo("text-too-long");
    assertThat(error.path("ref").asText()).isEqualTo("long");
    assertThat(blank.path("code").asText()).isEqualTo("text-empty");
    assertConversationUnchangedAt(1);
  }

  @Test
  void anUnknownConversationIsRefused() {
    String unknown = UUID.randomUUID().toString();
    visitor.send(WireClient.frame("send").put("id", "u1").put("conversationId", unknown).put("text", "hi"));
    JsonNode error = awaitError(visitor);
    visitor.send(WireClient.frame("sync").put("conversationId", unknown).put("afterSeq", 0));
    JsonNode syncError = awaitError(visitor);

    assertThat(error.path("code").asText()).isEqualTo("unknown-conversation");
    assertThat(error.path("conversationId").asText()).isEqualTo(unknown);
    assertThat(syncError.path("code").asText()).isEqualTo("unknown-conversation");
    visitor.roundTrip(WAIT);
  }

  @Test
  void aVisitorCannotReadOrWriteAnotherVisitorsConversation() {
    try (WireClient stranger = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      stranger.send(WireClient.frame("hello"));
      stranger.awaitType("welcome", WAIT);

      stranger.send(
          WireClient.frame("send").put("id", "s1").put("conversationId", conversationId).put("text", "let me in"));
      JsonNode write = awaitError(stranger);
      stranger.send(WireClient.frame("sync").put("conversationId", conversationId).put("afterSeq", 0));
      JsonNode read = awaitError(stranger);
      stranger.send(WireClient.frame("close").put("id", "c1").put("conversationId", conversationId));
      JsonNode close = awaitError(stranger);

      assertThat(write.path("code").asText()).isEqualTo("unknown-conversation");
      assertThat(read.path("code").asText()).isEqualTo("unknown-conversation");
      assertThat(close.path("code").asText()).isEqualTo("unknown-conversation");
      stranger.roundTrip(WAIT);
      assertThat(stranger.all()).noneMatch(f -> f.path("type").asText().equals("event"));
    }
    assertConversationUnchangedAt(1);
  }

  @Test
  void anAgentOfAnotherSiteCannotTouchTheConversation() {
    String site = "other-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    String outsiderToken = server.createAgent(adminToken, site, "outsider-" + site);
    try (WireClient outsider = WireClient.connect(server.agentUri(), null)) {
      outsider.send(WireClient.frame("hello").put("token", outsiderToken));
      JsonNode welcome = outsider.awaitType("welcome", WAIT);
      assertThat(welcome.path("sites").toString()).doesNotContain("\"demo\"");

      outsider.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversationId));
      JsonNode claim = awaitError(outsider);
      outsider.send(
          WireClient.frame("send").put("id", "m1").put("conversationId", conversationId).put("text", "hi"));
      JsonNode send = awaitError(outsider);
      outsider.send(WireClient.frame("sync").put("conversationId", conversationId).put("afterSeq", 0));
      JsonNode sync = awaitError(outsider);

      assertThat(claim.path("code").asText()).isEqualTo("unknown-conversation");
      assertThat(send.path("code").asText()).isEqualTo("unknown-conversation");
      assertThat(sync.path("code").asText()).isEqualTo("unknown-conversation");
      outsider.roundTrip(WAIT);
    }
    assertConversationUnchangedAt(1);
  }

  @Test
  void eachRoleIsRefusedTheOtherRolesRequests() {
    visitor.send(WireClient.frame("claim").put("id", "v1").put("conversationId", conversationId));
    visitor.send(WireClient.frame("status").put("id", "v2").put("status", "online"));
    visitor.send(
        WireClient.frame("transfer").put("id", "v3").put("conversationId", conversationId).put("toGroup", "sales"));
    visitor.send(WireClient.frame("note").put("id", "v4").put("conversationId", conversationId).put("text", "psst"));
    visitor.send(WireClient.frame("decline").put("id", "v5").put("conversationId", conversationId));
    for (String ref : new String[] {"v1", "v2", "v3", "v4", "v5"}) {
      JsonNode refused = visitor.await(f -> ref.equals(f.path("ref").asText()), WAIT);
      assertThat(refused.path("code").asText()).as(ref).isEqualTo("not-allowed");
    }
    visitor.roundTrip(WAIT);
    assertConversationUnchangedAt(1);

    String agentToken = server.createAgent(adminToken, "demo", "roles-" + UUID.randomUUID().toString().substring(0, 8));
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(
          WireClient.frame("identify").put("id", "a1").set("user", JsonNodeFactory.instance.objectNode().put("id", "u-1")));
      agent.send(WireClient.frame("rate").put("id", "a2").put("conversationId", conversationId).put("score", 5));
      for (String ref : new String[] {"a1", "a2"}) {
        JsonNode refused = agent.await(f -> ref.equals(f.path("ref").asText()), WAIT);
        assertThat(refused.path("code").asText()).as(ref).isEqualTo("not-allowed");
      }
      agent.send(WireClient.frame("page").put("url", "https://shop.example/tea"));
      JsonNode page = agent.await(f -> "error".equals(f.path("type").asText()), WAIT);
      assertThat(page.path("code").asText()).isEqualTo("not-allowed");
      assertThat(page.path("message").asText()).isEqualTo("only visitors report pages");
      agent.roundTrip(WAIT);
    }
    assertConversationUnchangedAt(2);
  }

  @Test
  void framesBeforeHelloAreRefusedAndHelloStillWorks() {
    try (WireClient early = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      early.send(WireClient.frame("send").put("id", "too-early").put("text", "hi"));
      JsonNode error = awaitError(early);
      early.send(WireClient.frame("hello"));

      assertThat(error.path("code").asText()).isEqualTo("not-authenticated");
      assertThat(error.path("ref").asText()).isEqualTo("too-early");
      early.awaitType("welcome", WAIT);
    }
  }

  @Test
  void aForgedVisitorTokenIsRefusedAndChangesNobody() {
    byte[] otherKey = new byte[32];
    new SecureRandom().nextBytes(otherKey);
    Tokens forger = new Tokens(otherKey, Clock.systemUTC(), Duration.ofHours(1), Duration.ofDays(1));
    String forged = forger.issueVisitor("demo", "victim").token();
    try (WireClient client = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      client.send(WireClient.frame("hello").put("token", forged));
      JsonNode error = awaitError(client);
      assertThat(error.path("code").asText()).isEqualTo("invalid-token");

      client.send(WireClient.frame("hello"));
      JsonNode welcome = client.awaitType("welcome", WAIT);
      assertThat(welcome.path("visitorId").asText()).isNotEqualTo("victim");
    }
  }

  @Test
  void anExpiredAgentTokenIsRefusedAsExpired() {
    Tokens past =
        new Tokens(
            serverSecret(),
            Clock.fixed(Instant.now().minus(Duration.ofHours(13)), ZoneOffset.UTC),
            Duration.ofHours(12),
            Duration.ofDays(1));
    String expired =
        past.issueAgent(
                new Tokens.AgentClaims("anyone", 1L, Instant.now().minus(Duration.ofHours(13)), Tokens.Scope.FULL))
            .token();
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", expired));
      JsonNode error = awaitError(agent);
      agent.send(WireClient.frame("hello").put("token", "not.a.token"));
      JsonNode garbage = awaitError(agent);

      assertThat(error.path("code").asText()).isEqualTo("token-expired");
      assertThat(garbage.path("code").asText()).isEqualTo("invalid-token");
      agent.roundTrip(WAIT);
    }
  }

  @Test
  void aVisitorTokenIsNoAgentTokenAndBelongsToItsSite() {
    String visitorToken = serverTokens.issueVisitor("demo", "v-" + UUID.randomUUID()).token();
    String site = "elsewhere-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    try (WireClient agent = WireClient.connect(server.agentUri(), null);
        WireClient otherSite = WireClient.connect(server.visitorUri(site), server.origin())) {
      agent.send(WireClient.frame("hello").put("token", visitorToken));
      otherSite.send(WireClient.frame("hello").put("token", visitorToken));

      assertThat(awaitError(agent).path("code").asText()).isEqualTo("invalid-token");
      assertThat(awaitError(otherSite).path("code").asText()).isEqualTo("invalid-token");
    }
  }

  @Test
  void theUpgradeChecksTheSitesAllowedOrigins() throws Exception {
    assertThat(upgradeStatus("demo", "https://evil.example")).isEqualTo(403);
    assertThat(upgradeStatus("demo", null)).isEqualTo(403);
    assertThat(upgradeStatus("no-such-site", server.origin())).isEqualTo(404);
    assertThat(upgradeStatus("Bad Site!", server.origin())).isEqualTo(404);
    try (WireClient fine = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      fine.roundTrip(WAIT);
    }
  }

  @Test
  void theAgentEndpointRefusesForeignPages() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try {
      http.newWebSocketBuilder()
          .header("Origin", "https://evil.example")
          .buildAsync(server.agentUri(), new java.net.http.WebSocket.Listener() {})
          .join();
      throw new AssertionError("a foreign page opened the agent endpoint");
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
      assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403);
    }
  }

  private static int upgradeStatus(String site, String origin) {
    HttpClient http = HttpClient.newHttpClient();
    var builder = http.newWebSocketBuilder();
    if (origin != null) {
      builder.header("Origin", origin);
    }
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/ws/visitor?site=" + site.replace(" ", "%20").replace("!", "%21"));
    try {
      builder.buildAsync(uri, new java.net.http.WebSocket.Listener() {}).join().abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) {
        return handshake.getResponse().statusCode();
      }
      throw e;
    }
  }

  private static byte[] serverSecret() {
    try (HikariDataSource pool = Databases.configPool(server.storage())) {
      return new SecretStore(pool).getOrCreate("token-signing-key");
    }
  }
}
