package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.TestServer;
import dev.parley.persistence.testing.TestDatabases;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * The visitor's TCP connection is cut again and again, through an in-test TCP proxy, while messages flow both
 * ways. The client resends its unacknowledged messages with the same ids and resumes from its last seq; in the end
 * every acknowledged message appears exactly once on both sides, in the same seq order.
 */
class NetworkCutTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int MESSAGES_EACH_WAY = 120;
  private static final int CUTS = 10;

  @Test
  void everyAcknowledgedMessageAppearsExactlyOnceOnBothSidesDespiteCuts() throws Exception {
    try (TestServer server = TestServer.start(TestDatabases.freshPostgres());
        NioReactor reactor = new NioReactor()) {
      String agentToken = server.createAgent(server.adminToken(), "demo", "cutter");
      int proxyPort = freePort();
      TcpCrusher proxy =
          TcpCrusherBuilder.builder()
              .withReactor(reactor)
              .withBindAddress("127.0.0.1", proxyPort)
              .withConnectAddress("127.0.0.1", server.port())
              .buildAndOpen();
      URI throughProxy = URI.create("ws://127.0.0.1:" + proxyPort + "/ws/visitor?site=demo");
      try (ChatClient visitor = ChatClient.visitor(throughProxy, server.origin(), null);
          ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
        visitor.awaitState(ChatClient::isReady, WAIT);
        String opening = visitor.send(null, "v-0");
        visitor.awaitState(c -> c.ack(opening) != null, WAIT);
        String conversation = visitor.ack(opening).path("conversationId").asText();
        String claim = agent.claim(conversation);
        agent.awaitState(c -> c.ack(claim) != null, WAIT);

        AtomicBoolean cutting = new AtomicBoolean(true);
        Thread cutter =
            new Thread(
                () -> {
                  for (int i = 0; i < CUTS && cutting.get(); i++) {
                    pause(120);
                    proxy.closeAllPairs();
                  }
                });
        Thread visitorWriter = writer(() -> { }, i -> visitor.send(null, "v-" + i));
        Thread agentWriter = writer(() -> { }, i -> agent.send(conversation, "a-" + i));
        cutter.start();
        visitorWriter.start();
        agentWriter.start();
        visitorWriter.join();
        agentWriter.join();
        cutter.join();
        cutting.set(false);

        long total = 1 + 1 + 2L * MESSAGES_EACH_WAY; // opening message, agent joined, both streams
        visitor.awaitState(c -> c.outboxSize() == 0 && c.lastSeq(conversation) == total, WAIT);
        agent.awaitState(c -> c.outboxSize() == 0 && c.lastSeq(conversation) == total, WAIT);

        List<JsonNode> seenByVisitor = visitor.timeline(conversation);
        List<JsonNode> seenByAgent = agent.timeline(conversation);
        assertThat(seqs(seenByVisitor)).isEqualTo(range(total));
        assertThat(texts(seenByAgent)).isEqualTo(texts(seenByVisitor));
        Map<String, Integer> counts = new HashMap<>();
        texts(seenByVisitor).forEach(t -> counts.merge(t, 1, Integer::sum));
        for (int i = 1; i <= MESSAGES_EACH_WAY; i++) {
          assertThat(counts.get("v-" + i)).as("v-%d appears once", i).isEqualTo(1);
          assertThat(counts.get("a-" + i)).as("a-%d appears once", i).isEqualTo(1);
        }
        assertThat(orderOf(seenByVisitor, "v-")).isSorted();
        assertThat(orderOf(seenByVisitor, "a-")).isSorted();
        assertThat(visitor.gapsSeen()).isZero();
        assertThat(agent.gapsSeen()).isZero();
        assertThat(visitor.welcomes()).as("the cuts really happened").isGreaterThan(1);
      } finally {
        proxy.close();
      }
    }
  }

  private interface Step {
    void run(int i);
  }

  private static Thread writer(Runnable before, Step step) {
    return new Thread(
        () -> {
          before.run();
          for (int i = 1; i <= MESSAGES_EACH_WAY; i++) {
            step.run(i);
            pause(8);
          }
        });
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis); // pacing the writers, not waiting for a result
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static List<Long> seqs(List<JsonNode> timeline) {
    return timeline.stream().map(e -> e.path("seq").asLong()).toList();
  }

  private static List<Long> range(long n) {
    List<Long> all = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      all.add(i);
    }
    return all;
  }

  private static List<String> texts(List<JsonNode> timeline) {
    return timeline.stream().map(e -> e.path("kind").asText() + ":" + e.path("text").asText()).map(t -> t.startsWith("message:") ? t.substring(8) : t).toList();
  }

  /** The numbers of one writer's messages in seq order: a writer's own messages keep their order. */
  private static List<Integer> orderOf(List<JsonNode> timeline, String prefix) {
    return texts(timeline).stream()
        .filter(t -> t.startsWith(prefix))
        .map(t -> Integer.parseInt(t.substring(prefix.length())))
        .toList();
  }
}
