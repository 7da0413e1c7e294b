package dev.parley.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The conversation rows of the permission table (docs/SECURITY.md) over real WebSockets: an agent closes and
 * transfers only its own conversations and cannot peek into another's, a supervisor closes any, and a transfer
 * goes only to an account of the same site.
 */
class PermissionsEdgeTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static WireClient agent(String token) {
    WireClient a = WireClient.connect(server.agentUri(), null);
    a.send(WireClient.frame("hello").put("token", token));
    a.awaitType("welcome", WAIT);
    return a;
  }

  private static JsonNode answer(WireClient c, String id) {
    return c.await(
        f -> (f.path("type").asText().equals("ack") && id.equals(f.path("id").asText()))
            || (f.path("type").asText().equals("error") && id.equals(f.path("ref").asText())),
        WAIT);
  }

  private static String waitingConversation() {
    try (WireClient visitor = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "v-1").put("text", "hello?"));
      return answer(visitor, "v-1").path("conversationId").asText();
    }
  }

  @Test
  void anAgentClosesAndTransfersOnlyItsOwnAndASupervisorClosesAny() {
    String other = "other-" + unique("s");
    server.createSite(adminToken, other);
    String elsewhere = server.createAgent(adminToken, other, unique("far"));
    String farId;
    try (WireClient far = agent(elsewhere)) {
      farId = far.all().get(0).path("agentId").asText();
    }
    try (WireClient mei = agent(server.createAgent(adminToken, "demo", unique("mei")));
        WireClient lin = agent(server.createAgent(adminToken, "demo", unique("lin")));
        WireClient boss = agent(server.createAccount(adminToken, "demo", unique("boss"), "supervisor"))) {
      String conversation = waitingConversation();
      mei.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      assertThat(answer(mei, "c-1").path("type").asText()).isEqualTo("ack");

      lin.send(WireClient.frame("close").put("id", "x-1").put("conversationId", conversation));
      assertThat(answer(lin, "x-1").path("code").asText()).isIn("not-allowed", "unknown-conversation");
      lin.send(WireClient.frame("sync").put("conversationId", conversation).put("afterSeq", 0));
      assertThat(lin.await(f -> conversation.equals(f.path("conversationId").asText()), WAIT).path("code").asText())
          .as("another agent's conversation cannot be read by an agent")
          .isEqualTo("unknown-conversation");
      lin.send(WireClient.frame("claim").put("id", "x-2").put("conversationId", conversation));
      assertThat(answer(lin, "x-2").path("code").asText()).isEqualTo("already-claimed");

      mei.send(
          WireClient.frame("transfer").put("id", "t-1").put("conversationId", conversation).put("toAgent", farId));
      assertThat(answer(mei, "t-1").path("code").asText()).as("an agent of another site").isEqualTo("unknown-agent");
      mei.send(
          WireClient.frame("transfer").put("id", "t-2").put("conversationId", conversation).put("toAgent", "made-up"));
      assertThat(answer(mei, "t-2").path("code").asText()).isEqualTo("unknown-agent");

      boss.send(WireClient.frame("close").put("id", "b-1").put("conversationId", conversation));
      assertThat(answer(boss, "b-1").path("type").asText()).isEqualTo("ack");
    }
  }
}
