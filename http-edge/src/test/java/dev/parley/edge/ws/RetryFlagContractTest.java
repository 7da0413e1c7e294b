package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.HttpFallbackClient;
import dev.parley.edge.testing.HttpFallbackClient.Mode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code retry} flag on the wire (PROTOCOL.md §8), over real sockets on every transport: a final refusal says
 * {@code false}, a refusal that time can cure says {@code true}, and HTTP error bodies carry it too.
 */
class RetryFlagContractTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  private static boolean errorFor(JsonNode f, String ref) {
    return "error".equals(f.path("type").asText()) && ref.equals(f.path("ref").asText());
  }

  @Test
  void webSocketErrorFramesSayWhetherARetryCanHelp() {
    try (WireClient visitor = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      visitor.send(WireClient.frame("send").put("id", "early").put("text", "before hello"));
      JsonNode early = visitor.await(f -> errorFor(f, "early"), WAIT);
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "long").put("text", "x".repeat(4001)));
      JsonNode tooLong = visitor.await(f -> errorFor(f, "long"), WAIT);

      assertThat(early.path("code").asText()).isEqualTo("not-authenticated");
      assertThat(early.get("retry").booleanValue()).as("sent again after welcome, it goes through").isTrue();
      assertThat(tooLong.path("code").asText()).isEqualTo("text-too-long");
      assertThat(tooLong.get("retry").booleanValue()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void fallbackTransportsCarryTheSameFlag(Mode mode) {
    try (HttpFallbackClient visitor = HttpFallbackClient.open(mode, base(), "demo", server.origin())) {
      visitor.send(WireClient.frame("send").put("id", "early").put("text", "before hello"));
      JsonNode early = visitor.await(f -> errorFor(f, "early"), WAIT);
      visitor.post("{not json");
      JsonNode badJson = visitor.await(f -> "bad-json".equals(f.path("code").asText()), WAIT);

      assertThat(early.get("retry").booleanValue()).isTrue();
      assertThat(badJson.get("retry").isBoolean()).isTrue();
      assertThat(badJson.get("retry").booleanValue()).isFalse();
    }
  }

  @Test
  void httpErrorBodiesCarryTheFlag() {
    TestServer.Response unauthorized = server.request("GET", "/api/auth/me", null, null);
    TestServer.Response notFound = server.request("GET", "/api/no-such-thing", adminToken, null);

    assertThat(unauthorized.status()).isEqualTo(401);
    assertThat(unauthorized.body().path("error").get("retry").booleanValue()).isFalse();
    assertThat(notFound.body().path("error").path("code").asText()).isEqualTo("not-found");
    assertThat(notFound.body().path("error").get("retry").booleanValue()).isFalse();
  }
}
