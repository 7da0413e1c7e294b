package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stop the server and start a new one on the same database: history, seq continuation, deduplication of a resent
 * id, the visitor's identity and the agent's conversations all survive. On H2 and on PostgreSQL.
 */
class RestartTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void everythingAcknowledgedSurvivesARestartOnTheSameDatabase() {
    PersistenceSettings storage = TestDatabases.freshPostgres();
    String visitorToken;
    String agentToken;
    String adminPassword;
    String conversation;
    String shopOrigin; // the shop page's origin, allowed for the demo site; the same before and after
    String acknowledgedId;
    long acknowledgedSeq;
    List<String> before = new ArrayList<>();

    try (TestServer first = TestServer.start(storage)) {
      adminPassword = first.admin().password();
      shopOrigin = first.origin();
      agentToken = first.createAgent(first.adminToken(), "demo", "night-shift");
      try (ChatClient visitor = ChatClient.visitor(first.visitorUri("demo"), first.origin(), null);
          ChatClient agent = ChatClient.agent(first.agentUri(), agentToken)) {
        visitor.awaitState(ChatClient::isReady, WAIT);
        for (int i = 1; i <= 3; i++) {
          visitor.send(null, "before restart " + i);
        }
        visitor.awaitState(c -> c.outboxSize() == 0, WAIT);
        conversation = visitor.currentConversationId();
        String claim = agent.claim(conversation);
        agent.awaitState(c -> c.ack(claim) != null, WAIT);
        acknowledgedId = agent.send(conversation, "we ship tomorrow");
        agent.awaitState(c -> c.ack(acknowledgedId) != null, WAIT);
        acknowledgedSeq = agent.ack(acknowledgedId).path("seq").asLong();
        visitor.awaitState(c -> c.lastSeq(conversation) == 5, WAIT);
        visitor.timeline(conversation).forEach(e -> before.add(e.path("seq").asLong() + ":" + e.path("text").asText()));
        visitorToken = visitor.token();
      }
    }

    try (TestServer second = TestServer.start(storage)) {
      assertThat(second.server().firstStartCredentials()).as("no second first start").isEmpty();
      assertThat(second.login("admin", adminPassword)).isNotBlank();

      try (WireClient visitor = WireClient.connect(second.visitorUri("demo"), shopOrigin)) {
        visitor.send(WireClient.frame("hello").put("token", visitorToken));
        JsonNode welcome = visitor.awaitType("welcome", WAIT);
        assertThat(welcome.path("conversationId").asText()).isEqualTo(conversation);
        List<String> history = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          JsonNode event = visitor.awaitType("event", WAIT);
          history.add(event.path("seq").asLong() + ":" + event.path("text").asText());
        }
        assertThat(history).isEqualTo(before);

        visitor.send(WireClient.frame("send").put("id", "after-1").put("text", "and the green tea?"));
        JsonNode ack = visitor.await(f -> "after-1".equals(f.path("id").asText()), WAIT);
        assertThat(ack.path("seq").asLong()).isEqualTo(6);
      }

      try (WireClient agent = WireClient.connect(second.agentUri(), null)) {
        agent.send(WireClient.frame("hello").put("token", agentToken).set("resume", WireClient.JSON.createObjectNode().put(conversation, 6)));
        JsonNode welcome = agent.awaitType("welcome", WAIT);
        assertThat(welcome.path("conversations").toString()).contains(conversation);
        agent.send(
            WireClient.frame("send")
                .put("id", acknowledgedId)
                .put("conversationId", conversation)
                .put("text", "we ship tomorrow"));
        JsonNode repeat = agent.await(f -> acknowledgedId.equals(f.path("id").asText()), WAIT);
        assertThat(repeat.path("type").asText()).isEqualTo("ack");
        assertThat(repeat.path("seq").asLong()).isEqualTo(acknowledgedSeq);
        assertThat(repeat.path("duplicate").asBoolean()).isTrue();
        agent.send(
            WireClient.frame("send").put("id", "new-1").put("conversationId", conversation).put("text", "yes, also"));
        JsonNode fresh = agent.await(f -> "new-1".equals(f.path("id").asText()), WAIT);
        assertThat(fresh.path("seq").asLong()).isEqualTo(7);
      }
    }
  }
}
