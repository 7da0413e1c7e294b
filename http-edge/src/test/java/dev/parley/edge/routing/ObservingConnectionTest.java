package dev.parley.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * An agent connection whose hello says {@code observe} (the web console's dashboard) watches the queue like any
 * agent connection but is never offered chats: with least-busy routing, every offer goes to the working agent even
 * though the watcher has fewer chats.
 */
class ObservingConnectionTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void anObservingConnectionSeesTheQueueButIsNeverOffered() {
    String site = unique("obs");
    server.createSite(adminToken, site);
    String watcherToken = server.createAccount(adminToken, site, site + "-watcher", "supervisor");
    String workerToken = server.createAgent(adminToken, site, site + "-worker");
    TestServer.Response configured =
        server.request(
            "PUT", "/api/sites/" + site + "/routing", adminToken,
            WireClient.JSON.createObjectNode().put("policy", "least-busy").put("defaultCapacity", 5));
    assertThat(configured.status()).as(configured.toString()).isEqualTo(200);

    try (WireClient watcher = WireClient.connect(server.agentUri(), null);
        WireClient worker = WireClient.connect(server.agentUri(), null)) {
      watcher.send(WireClient.frame("hello").put("token", watcherToken).put("observe", true));
      worker.send(WireClient.frame("hello").put("token", workerToken));
      watcher.awaitType("welcome", WAIT);
      worker.awaitType("welcome", WAIT);
      watcher.awaitType("queue", WAIT);

      List<String> conversations = new ArrayList<>();
      List<WireClient> visitors = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin());
          visitors.add(visitor);
          visitor.send(WireClient.frame("hello"));
          visitor.awaitType("welcome", WAIT);
          visitor.send(WireClient.frame("send").put("id", "m" + i).put("text", "hello " + i));
          conversations.add(visitor.awaitType("ack", WAIT).path("conversationId").asText());
        }
        for (String conversation : conversations) {
          seen(worker, f -> isOffer(f, conversation));
          seen(
              watcher,
              f -> "queueChanged".equals(f.path("type").asText()) && f.path("added").toString().contains(conversation));
        }
        watcher.roundTrip(WAIT);
        assertThat(watcher.all()).noneMatch(f -> "offer".equals(f.path("type").asText()));
      } finally {
        visitors.forEach(WireClient::close);
      }
    }
  }

  @Test
  void observeMustBeABoolean() {
    try (WireClient client = WireClient.connect(server.agentUri(), null)) {
      client.send(WireClient.frame("hello").put("token", adminToken).put("observe", "yes"));
      JsonNode error = client.awaitType("error", WAIT);
      assertThat(error.path("code").asText()).isEqualTo("invalid-field");
      assertThat(error.path("field").asText()).isEqualTo("observe");
    }
  }

  /**
   * Waits until some frame the client received matches, whatever came before or after it: frames already received
   * are looked at first, then the inbox waits for the next match.
   */
  private static void seen(WireClient client, Predicate<JsonNode> match) {
    if (client.all().stream().noneMatch(match)) {
      client.await(match, WAIT);
    }
  }

  private static boolean isOffer(JsonNode frame, String conversation) {
    return "offer".equals(frame.path("type").asText()) && conversation.equals(frame.path("conversationId").asText());
  }
}
