package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A visitor and agents talking through a running server over real WebSockets. */
class EndToEndTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  @Test
  void visitorAndAgentTalkBothWaysAndSeeTheSameSeqOrder() {
    String agentToken = server.createAgent(adminToken, "demo", "mei-" + UUID.randomUUID().toString().substring(0, 8));
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri("demo"), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "Hi, is the jasmine tea in stock?");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      String conversation = visitor.ack(first).path("conversationId").asText();
      assertThat(visitor.ack(first).path("seq").asLong()).isEqualTo(1);

      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      assertThat(agent.ack(claim).path("seq").asLong()).isEqualTo(2);
      agent.awaitState(c -> !c.queue().contains(conversation), WAIT);

      String reply = agent.send(conversation, "Yes! We have 40 tins left.");
      agent.awaitState(c -> c.ack(reply) != null, WAIT);
      String again = visitor.send(null, "Great, I'll take two.");
      visitor.awaitState(c -> c.lastSeq(conversation) == 4, WAIT);
      agent.awaitState(c -> c.lastSeq(conversation) == 4, WAIT);

      List<String> visitorView = describe(visitor.timeline(conversation));
      List<String> agentView = describe(agent.timeline(conversation));
      assertThat(visitorView)
          .containsExactly(
              "1 message visitor Hi, is the jasmine tea in stock?",
              "2 joined agent null",
              "3 message agent Yes! We have 40 tins left.",
              "4 message visitor Great, I'll take two.");
      assertThat(agentView).isEqualTo(visitorView);
      assertThat(visitor.ack(again).path("seq").asLong()).isEqualTo(4);
      assertThat(visitor.gapsSeen()).isZero();
      assertThat(agent.gapsSeen()).isZero();
    }
  }

  @Test
  void typingAndReadReceiptsReachTheOtherSide() {
    String agentToken = server.createAgent(adminToken, "demo", "li-" + UUID.randomUUID().toString().substring(0, 8));
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri("demo"), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String hello = visitor.send(null, "hello");
      visitor.awaitState(c -> c.ack(hello) != null, WAIT);
      String conversation = visitor.ack(hello).path("conversationId").asText();
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null && c.lastSeq(conversation) == 2, WAIT);
      visitor.awaitState(c -> c.lastSeq(conversation) == 2, WAIT);

      visitor.sendIfConnected(WireClient.frame("typing").put("conversationId", conversation).put("typing", true));
      agent.awaitState(c -> !c.typingFrames().isEmpty(), WAIT);
      agent.sendIfConnected(WireClient.frame("typing").put("conversationId", conversation).put("typing", true));
      visitor.awaitState(c -> !c.typingFrames().isEmpty(), WAIT);
      agent.sendIfConnected(WireClient.frame("read").put("conversationId", conversation).put("seq", 1));
      visitor.awaitState(c -> !c.readFrames().isEmpty(), WAIT);

      JsonNode typing = agent.typingFrames().get(0);
      assertThat(typing.path("author").path("role").asText()).isEqualTo("visitor");
      assertThat(typing.path("typing").asBoolean()).isTrue();
      assertThat(visitor.typingFrames().get(0).path("author").path("role").asText()).isEqualTo("agent");
      JsonNode read = visitor.readFrames().get(0);
      assertThat(read.path("reader").path("role").asText()).isEqualTo("agent");
      assertThat(read.path("seq").asLong()).isEqualTo(1);
    }
  }

  @Test
  void twoAgentsClaimingAtOnceGetOneWinnerAndOneRejection() throws Exception {
    String tokenA = server.createAgent(adminToken, "demo", "a-" + UUID.randomUUID().toString().substring(0, 8));
    String tokenB = server.createAgent(adminToken, "demo", "b-" + UUID.randomUUID().toString().substring(0, 8));
    for (int round = 0; round < 5; round++) {
      try (ChatClient visitor = ChatClient.visitor(server.visitorUri("demo"), server.origin(), null);
          WireClient a = helloAgent(tokenA);
          WireClient b = helloAgent(tokenB)) {
        visitor.awaitState(ChatClient::isReady, WAIT);
        String id = visitor.send(null, "round " + round);
        visitor.awaitState(c -> c.ack(id) != null, WAIT);
        String conversation = visitor.ack(id).path("conversationId").asText();

        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (WireClient agent : List.of(a, b)) {
          Thread t =
              new Thread(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    agent.send(WireClient.frame("claim").put("id", "claim-1").put("conversationId", conversation));
                  });
          t.start();
          threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
          t.join();
        }
        JsonNode answerA = a.await(f -> "claim-1".equals(f.path("id").asText()) || "claim-1".equals(f.path("ref").asText()), WAIT);
        JsonNode answerB = b.await(f -> "claim-1".equals(f.path("id").asText()) || "claim-1".equals(f.path("ref").asText()), WAIT);
        List<String> kinds = new ArrayList<>();
        for (JsonNode answer : List.of(answerA, answerB)) {
          kinds.add(answer.path("type").asText().equals("ack") ? "ack" : answer.path("code").asText());
        }
        assertThat(kinds).as("round %d", round).containsExactlyInAnyOrder("ack", "already-claimed");
      }
    }
  }

  @Test
  void aReturningVisitorWithItsTokenIsTheSameVisitorWithTheSameHistory() {
    String token;
    String conversation;
    try (ChatClient first = ChatClient.visitor(server.visitorUri("demo"), server.origin(), null)) {
      first.awaitState(ChatClient::isReady, WAIT);
      String id = first.send(null, "remember me");
      first.awaitState(c -> c.ack(id) != null, WAIT);
      conversation = first.ack(id).path("conversationId").asText();
      token = first.token();
    }
    try (WireClient again = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      again.send(WireClient.frame("hello").put("token", token));
      JsonNode welcome = again.awaitType("welcome", WAIT);
      JsonNode event = again.awaitType("event", WAIT);

      assertThat(welcome.path("conversationId").asText()).isEqualTo(conversation);
      assertThat(event.path("text").asText()).isEqualTo("remember me");
      assertThat(event.path("seq").asLong()).isEqualTo(1);
    }
  }

  /**
   * The visitor's next message after an agent closed their chat is not refused and does not reopen it: the Visitor
   * entity decides it goes to a new conversation (the edge only forwards it), acknowledged there as seq 1.
   */
  @Test
  void aVisitorsMessageAfterTheCloseOpensANewConversationAndLeavesTheOldClosed() {
    String agentToken = server.createAgent(adminToken, "demo", "close-" + UUID.randomUUID().toString().substring(0, 8));
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri("demo"), server.origin(), null);
        WireClient agent = helloAgent(agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "my order is late");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      String conversation = visitor.ack(first).path("conversationId").asText();
      agent.send(WireClient.frame("claim").put("id", "claim-1").put("conversationId", conversation));
      assertThat(agent.await(f -> "claim-1".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");
      agent.send(WireClient.frame("close").put("id", "close-1").put("conversationId", conversation));
      assertThat(agent.await(f -> "close-1".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");

      String again = visitor.send(null, "one more question");
      visitor.awaitState(c -> c.ack(again) != null, WAIT);
      JsonNode ack = visitor.ack(again);
      assertThat(ack.path("conversationId").asText()).as("a new conversation: %s", ack).isNotEqualTo(conversation);
      assertThat(ack.path("seq").asLong()).isEqualTo(1);
      agent.send(WireClient.frame("send").put("id", "late").put("conversationId", conversation).put("text", "hi?"));
      assertThat(agent.await(f -> "late".equals(f.path("ref").asText()), WAIT).path("code").asText())
          .as("the old conversation stays closed")
          .isEqualTo("conversation-closed");
    }
  }

  private static WireClient helloAgent(String token) {
    WireClient client = WireClient.connect(server.agentUri(), null);
    client.send(WireClient.frame("hello").put("token", token));
    client.awaitType("welcome", WAIT);
    return client;
  }



  private static List<String> describe(List<JsonNode> timeline) {
    return timeline.stream()
        .map(
            e ->
                e.path("seq").asLong()
                    + " "
                    + e.path("kind").asText()
                    + " "
                    + e.path("author").path("role").asText()
                    + " "
                    + (e.hasNonNull("text") ? e.path("text").asText() : "null"))
        .toList();
  }

  @Test
  void aReplySentRightAfterTheClaimWaitsForItInsteadOfBeingRefused() {
    String agentToken = server.createAgent(adminToken, "demo", "quick-" + UUID.randomUUID().toString().substring(0, 8));
    try (WireClient visitor = WireClient.connect(server.visitorUri("demo"), server.origin());
        WireClient agent = WireClient.connect(server.agentUri(), null)) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "v-1").put("text", "Hello?"));
      String conversation = visitor.awaitType("ack", WAIT).path("conversationId").asText();
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);

      // No wait between the two: the claim takes several steps (conversation, dispatcher, conversation).
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      agent.send(WireClient.frame("send").put("id", "a-1").put("conversationId", conversation).put("text", "Hi!"));

      JsonNode claimed = agent.await(f -> "c-1".equals(f.path("id").asText()) && f.has("type"), WAIT);
      JsonNode replied = agent.await(f -> "a-1".equals(f.path("id").asText()) && !"event".equals(f.path("type").asText()), WAIT);
      assertThat(claimed.path("type").asText()).isEqualTo("ack");
      assertThat(replied.path("type").asText()).isEqualTo("ack");
      assertThat(replied.path("seq").asLong()).isGreaterThan(claimed.path("seq").asLong());
      assertThat(visitor.await(f -> "a-1".equals(f.path("id").asText()), WAIT).path("text").asText()).isEqualTo("Hi!");
    }
  }
}
