package dev.parley.edge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: a real node, real WebSocket clients, the projection that fills the outbox, the sender, and a
 * real HTTP receiver (the JDK's server) that is down for a while and then up again. Every delivery must arrive,
 * signed with the hook's secret, in order per conversation.
 */
class WebhooksTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static TestServer server;
  private static String adminToken;

  @BeforeAll
  static void start() {
    server = TestServer.start(
        TestDatabases.freshPostgres(),
        Map.of(
            "parley.webhooks.allow-private-addresses", true,
            "parley.webhooks.poll-interval", "100ms",
            "parley.webhooks.backoff-min", "200ms",
            "parley.webhooks.backoff-max", "1s"));
    adminToken = server.adminToken();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** What the receiver got: each request's headers and body, in arrival order. */
  record Received(String event, String delivery, String signature, String body) {}

  static final class Receiver implements AutoCloseable {
    final List<Received> received = new ArrayList<>();
    /** 0 until first bound; then the receiver comes back on the same port. */
    private int port;
    private HttpServer http;

    Receiver(int port) throws IOException {
      this.port = port;
      up();
    }

    void up() throws IOException {
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      http.createContext("/hook", exchange -> {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        synchronized (received) {
          received.add(new Received(
              exchange.getRequestHeaders().getFirst("Parley-Event"),
              exchange.getRequestHeaders().getFirst("Parley-Delivery"),
              exchange.getRequestHeaders().getFirst("Parley-Signature"),
              body));
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
      http.start();
      port = http.getAddress().getPort();
    }

    void down() {
      http.stop(0);
    }

    int port() {
      return http.getAddress().getPort();
    }

    List<Received> snapshot() {
      synchronized (received) {
        return List.copyOf(received);
      }
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  @Test
  void deliveriesSurviveTheReceiverBeingDownArriveSignedAndInOrderPerConversation() throws Exception {
    String site = "hooks-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    String agentToken = server.createAgent(adminToken, site, site + "-ann");
    try (Receiver receiver = new Receiver(0)) {
      int port = receiver.port();
      ObjectNode body = WireClient.JSON.createObjectNode().put("url", "http://127.0.0.1:" + port + "/hook");
      WebhookModelTypes.all().forEach(body.putArray("events")::add);
      TestServer.Response created = server.request("POST", "/api/sites/" + site + "/webhooks", adminToken, body);
      assertThat(created.status()).isEqualTo(201);
      String hookId = created.body().path("id").asText();
      String secret = created.body().path("secret").asText();
      assertThat(secret).hasSize(64);
      assertThat(server.request("GET", "/api/sites/" + site + "/webhooks", adminToken, null).body().toString())
          .contains(hookId).doesNotContain(secret);

      // The test button.
      assertThat(server.request("POST", "/api/sites/" + site + "/webhooks/" + hookId + "/test", adminToken, null).status())
          .isEqualTo(202);
      await(() -> receiver.snapshot().stream().anyMatch(r -> "webhook.test".equals(r.event())), "the test delivery");

      // The receiver goes down; a whole chat happens meanwhile, and a visitor leaves a message nobody answers.
      receiver.down();
      String conversation;
      String unanswered;
      try (WireClient agent = WireClient.connect(server.agentUri(), null);
          WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin());
          WireClient leaver = WireClient.connect(server.visitorUri(site), server.origin())) {
        agent.send(WireClient.frame("hello").put("token", agentToken));
        agent.awaitType("welcome", WAIT);
        visitor.send(WireClient.frame("hello"));
        visitor.awaitType("welcome", WAIT);
        for (int i = 1; i <= 3; i++) {
          visitor.send(WireClient.frame("send").put("id", "m" + i).put("text", "第" + i + "条 message " + i));
          String id = "m" + i;
          visitor.await(f -> id.equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), WAIT);
        }
        conversation = visitor.all().stream().filter(f -> "ack".equals(f.path("type").asText())).findFirst()
            .orElseThrow().path("conversationId").asText();
        agent.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversation));
        agent.await(f -> "c1".equals(f.path("id").asText()), WAIT);
        agent.send(WireClient.frame("send").put("id", "a1").put("conversationId", conversation).put("text", "Shipped"));
        agent.await(f -> "a1".equals(f.path("id").asText()), WAIT);
        agent.send(WireClient.frame("close").put("id", "x1").put("conversationId", conversation));
        agent.await(f -> "x1".equals(f.path("id").asText()), WAIT);
        visitor.send(WireClient.frame("rate").put("id", "r1").put("conversationId", conversation).put("score", 4));
        visitor.await(f -> "r1".equals(f.path("id").asText()), WAIT);

        leaver.send(WireClient.frame("hello"));
        leaver.awaitType("welcome", WAIT);
        leaver.send(WireClient.frame("send").put("id", "l1").put("text", "please call me back"));
        unanswered = leaver.await(f -> "l1".equals(f.path("id").asText()), WAIT).path("conversationId").asText();
        leaver.send(WireClient.frame("close").put("id", "l2").put("conversationId", unanswered));
        leaver.await(f -> "l2".equals(f.path("id").asText()), WAIT);
      }
      // Attempts fail while the receiver is down, and the log says so.
      String log = "/api/sites/" + site + "/webhooks/" + hookId + "/deliveries";
      await(() -> server.request("GET", log, adminToken, null).body().path("deliveries").findValues("lastError")
          .stream().anyMatch(n -> !n.isNull()), "a failed attempt in the delivery log");

      receiver.up();
      await(() -> delivered(receiver, conversation).contains("conversation.rated")
              && delivered(receiver, unanswered).contains("visitor.left-message"),
          () -> "every event after the receiver came back; got " + receiver.snapshot() + "; log "
              + server.request("GET", log, adminToken, null).body());

      // Every request is signed with the hook's secret.
      for (Received r : receiver.snapshot()) {
        assertThat(WebhookSignature.verify(secret, r.signature(), r.body())).as(r.body()).isTrue();
        assertThat(WebhookSignature.verify("another-secret", r.signature(), r.body())).isFalse();
      }
      // The conversation's events, first arrival of each delivery, in the order they happened.
      assertThat(delivered(receiver, conversation)).containsExactly(
          "conversation.opened", "message.created", "message.created", "message.created", "conversation.assigned",
          "message.created", "conversation.closed", "conversation.rated");
      List<Long> seqs = new ArrayList<>();
      for (JsonNode event : events(receiver, conversation)) {
        if (event.path("data").has("seq")) {
          seqs.add(event.path("data").path("seq").asLong());
        }
      }
      assertThat(seqs).isSorted().doesNotHaveDuplicates().hasSize(6);
      JsonNode first = events(receiver, conversation).get(1);
      assertThat(first.path("siteId").asText()).isEqualTo(site);
      assertThat(first.path("data").path("text").asText()).isEqualTo("第1条 message 1");
      assertThat(delivered(receiver, unanswered))
          .containsExactly("conversation.opened", "message.created", "conversation.closed", "visitor.left-message");

      JsonNode deliveries = server.request("GET", log + "?limit=200", adminToken, null).body().path("deliveries");
      assertThat(deliveries).hasSize(13);
      assertThat(deliveries).allMatch(d -> d.path("state").asText().equals("delivered"));
      assertThat(deliveries).anyMatch(d -> d.path("attempts").asInt() > 1);
    }
  }

  @Test
  void badHooksAreRefusedAndAnotherSitesAdminSeesNothing() throws Exception {
    String site = "hooks-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    String path = "/api/sites/" + site + "/webhooks";
    ObjectNode good = WireClient.JSON.createObjectNode().put("url", "https://example.com/hook");
    good.putArray("events").add("message.created");
    String hookId = server.request("POST", path, adminToken, good).body().path("id").asText();

    for (String bad : List.of("{\"url\":\"ftp://example.com\",\"events\":[\"message.created\"]}",
        "{\"url\":\"https://example.com\",\"events\":[\"nope\"]}",
        "{\"url\":\"https://example.com\",\"events\":[]}",
        "{\"url\":\"https://user:pw@example.com\",\"events\":[\"message.created\"]}")) {
      TestServer.Response r = server.request("POST", path, adminToken, bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
    }
    assertThat(server.request("GET", path, adminToken, null).body().path("webhooks")).hasSize(1);
    String agent = server.createAgent(adminToken, site, site + "-bo");
    assertThat(server.request("GET", path, agent, null).status()).isEqualTo(403);

    String rival = "rival-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, rival);
    ObjectNode account = WireClient.JSON.createObjectNode().put("username", rival + "-boss").put("role", "admin");
    TestServer.Response created = server.request("POST", "/api/sites/" + rival + "/accounts", adminToken, account);
    String rivalAdmin = server.login(rival + "-boss", created.body().path("password").asText());
    assertThat(server.request("GET", path, rivalAdmin, null).status()).isEqualTo(404);
    assertThat(server.request("POST", path, rivalAdmin, good).status()).isEqualTo(404);
    assertThat(server.request("GET", path + "/" + hookId + "/deliveries", rivalAdmin, null).status()).isEqualTo(404);
    assertThat(server.request("POST", path + "/" + hookId + "/test", rivalAdmin, null).status()).isEqualTo(404);
    assertThat(server.request("DELETE", path + "/" + hookId, rivalAdmin, null).status()).isEqualTo(404);
    // Through its own site, the rival cannot reach this site's hook either.
    assertThat(server.request("DELETE", "/api/sites/" + rival + "/webhooks/" + hookId, rivalAdmin, null).status())
        .isEqualTo(404);
    assertThat(server.request("GET", path, adminToken, null).body().path("webhooks")).hasSize(1);
    assertThat(server.request("DELETE", path + "/" + hookId, adminToken, null).status()).isEqualTo(200);
    assertThat(server.request("GET", path, adminToken, null).body().path("webhooks")).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Event types of a conversation, first arrival of each delivery id, in arrival order. */
  private static List<String> delivered(Receiver receiver, String conversationId) {
    return events(receiver, conversationId).stream().map(e -> e.path("type").asText()).toList();
  }

  private static List<JsonNode> events(Receiver receiver, String conversationId) {
    Map<String, JsonNode> firstArrivals = new LinkedHashMap<>();
    for (Received r : receiver.snapshot()) {
      try {
        JsonNode event = WireClient.JSON.readTree(r.body());
        if (conversationId.equals(event.path("conversationId").asText())) {
          firstArrivals.putIfAbsent(r.delivery(), event);
        }
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + r.body(), e);
      }
    }
    return List.copyOf(firstArrivals.values());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    await(condition, () -> what);
  }

  private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what.get() + " within " + WAIT);
      }
      Thread.sleep(100);
    }
  }

  /** The event types a hook may subscribe to, as the server lists them. */
  static final class WebhookModelTypes {
    static List<String> all() {
      return dev.parley.persistence.webhook.WebhookModel.TYPES;
    }
  }
}
