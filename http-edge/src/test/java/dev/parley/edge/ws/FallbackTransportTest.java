package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.HttpFallbackClient;
import dev.parley.edge.testing.HttpFallbackClient.Mode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP fallback transports (Server-Sent Events and long polling) over real sockets: the same frames and the
 * same guarantees as the WebSocket, for browsers behind proxies that block it.
 */
class FallbackTransportTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aVisitorTalksWithAnAgentAndResumesAfterReconnecting(Mode mode) {
    String agentToken = server.createAgent(adminToken, "demo", "fb-" + UUID.randomUUID().toString().substring(0, 8));
    String token;
    String conversation;
    try (HttpFallbackClient visitor = HttpFallbackClient.open(mode, base(), "demo", server.origin());
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.send(WireClient.frame("hello"));
      token = visitor.awaitType("welcome", WAIT).path("token").asText();
      visitor.send(WireClient.frame("send").put("id", "v-1").put("text", "Do you ship to Hangzhou?"));
      JsonNode ack = visitor.await(f -> "ack".equals(f.path("type").asText()), WAIT);
      conversation = ack.path("conversationId").asText();
      assertThat(ack.path("seq").asLong()).isEqualTo(1);
      visitor.await(f -> isEvent(f, 1), WAIT);

      agent.awaitState(ChatClient::isReady, WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      agent.send(conversation, "Yes, in two days.");
      JsonNode reply = visitor.await(f -> isEvent(f, 3), WAIT);
      assertThat(reply.path("text").asText()).isEqualTo("Yes, in two days.");

      // A resend of an acknowledged id is answered with its original seq and stores nothing.
      visitor.send(WireClient.frame("send").put("id", "v-1").put("text", "Do you ship to Hangzhou?"));
      JsonNode duplicate = visitor.await(f -> "ack".equals(f.path("type").asText()) && f.has("duplicate"), WAIT);
      assertThat(duplicate.path("seq").asLong()).isEqualTo(1);
    }

    try (HttpFallbackClient again = HttpFallbackClient.open(mode, base(), "demo", server.origin())) {
      again.send(WireClient.frame("hello").put("token", token).set("resume", WireClient.JSON.createObjectNode().put(conversation, 1)));
      JsonNode welcome = again.awaitType("welcome", WAIT);
      assertThat(welcome.path("conversationId").asText()).isEqualTo(conversation);
      JsonNode synced = again.awaitType("synced", WAIT);
      assertThat(synced.path("lastSeq").asLong()).isEqualTo(3);
      List<Long> seqs =
          again.all().stream().filter(f -> "event".equals(f.path("type").asText())).map(f -> f.path("seq").asLong()).toList();
      assertThat(seqs).containsExactly(2L, 3L);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void badFramesGetErrorFramesAndTheConnectionCarriesOn(Mode mode) {
    try (HttpFallbackClient visitor = HttpFallbackClient.open(mode, base(), "demo", server.origin())) {
      assertThat(visitor.post("{not json").statusCode()).isEqualTo(202);
      assertThat(visitor.awaitType("error", WAIT).path("code").asText()).isEqualTo("bad-json");
      assertThat(visitor.post("[{\"type\":\"shout\"}]").statusCode()).isEqualTo(202);
      assertThat(visitor.awaitType("error", WAIT).path("code").asText()).isEqualTo("unknown-type");
      String huge = "[{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}]";
      assertThat(visitor.post(huge).statusCode()).isEqualTo(202);
      assertThat(visitor.awaitType("error", WAIT).path("code").asText()).isEqualTo("frame-too-large");
      StringBuilder many = new StringBuilder("[");
      for (int i = 0; i < 65; i++) {
        many.append(i == 0 ? "" : ",").append("{\"type\":\"ping\"}");
      }
      HttpResponse<String> tooMany = visitor.post(many.append(']').toString());
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("invalid-request");

      visitor.send(WireClient.frame("ping").put("t", 7));
      assertThat(visitor.await(f -> "pong".equals(f.path("type").asText()), WAIT).path("t").asLong()).isEqualTo(7);
    }
  }

  @Test
  void aLostPollResponseIsSentAgainUntilACursorConfirmsIt() {
    HttpResponse<String> opened =
        post("/lp/visitor?site=demo", server.origin(), "");
    assertThat(opened.statusCode()).isEqualTo(200);
    String cid = WireClientJson.parse(opened.body()).path("cid").asText();
    assertThat(post("/rt/" + cid, server.origin(), "[{\"type\":\"ping\",\"t\":1},{\"type\":\"ping\",\"t\":2}]").statusCode())
        .isEqualTo(202);

    JsonNode first = WireClientJson.parse(get("/lp/" + cid + "?cursor=0").body());
    assertThat(first.path("frames").size()).isEqualTo(2);
    // The client never saw that answer and polls from 0 again: it gets the same frames.
    JsonNode repeated = WireClientJson.parse(get("/lp/" + cid + "?cursor=0").body());
    assertThat(repeated.path("frames")).isEqualTo(first.path("frames"));
    assertThat(repeated.path("cursor").asLong()).isEqualTo(2);

    assertThat(post("/rt/" + cid, server.origin(), "[{\"type\":\"ping\",\"t\":3}]").statusCode()).isEqualTo(202);
    JsonNode next = WireClientJson.parse(get("/lp/" + cid + "?cursor=2").body());
    assertThat(next.path("frames")).hasSize(1);
    assertThat(next.path("frames").get(0).path("t").asLong()).isEqualTo(3);
  }

  @Test
  void foreignPagesAndUnknownConnectionsAreRefused() {
    assertThat(post("/lp/visitor?site=demo", "https://evil.example", "").statusCode()).isEqualTo(403);
    assertThat(getWithOrigin("/sse/visitor?site=demo", "https://evil.example").statusCode()).isEqualTo(403);
    assertThat(post("/lp/visitor?site=no-such-site", server.origin(), "").statusCode()).isEqualTo(404);

    HttpResponse<String> unknown = post("/rt/AAAAAAAAAAAAAAAAAAAAAA", server.origin(), "[{\"type\":\"ping\"}]");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("unknown-connection");
    assertThat(get("/lp/AAAAAAAAAAAAAAAAAAAAAA?cursor=0").statusCode()).isEqualTo(404);
    assertThat(get("/lp/AAAAAAAAAAAAAAAAAAAAAA?cursor=-4").statusCode()).isEqualTo(400);

    String cid = WireClientJson.parse(post("/lp/visitor?site=demo", server.origin(), "").body()).path("cid").asText();
    assertThat(post("/rt/" + cid, "https://evil.example", "[{\"type\":\"ping\"}]").statusCode()).isEqualTo(403);
  }

  private static boolean isEvent(JsonNode frame, long seq) {
    return "event".equals(frame.path("type").asText()) && frame.path("seq").asLong() == seq;
  }

  private static HttpResponse<String> post(String path, String origin, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return WireClientJson.send(b);
  }

  private static HttpResponse<String> get(String path) {
    return getWithOrigin(path, null);
  }

  private static HttpResponse<String> getWithOrigin(String path, String origin) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).GET();
    if (origin != null) {
      b.header("Origin", origin);
    }
    return WireClientJson.send(b);
  }

  /** Small HTTP and JSON helpers for the raw requests of this test. */
  private static final class WireClientJson {
    static JsonNode parse(String json) {
      try {
        return WireClient.JSON.readTree(json);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + json);
      }
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
      try {
        return java.net.http.HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }
}
