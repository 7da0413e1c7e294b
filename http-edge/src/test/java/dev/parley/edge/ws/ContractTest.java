package dev.parley.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.HttpFallbackClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.WireClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loose ends of docs/PROTOCOL.md that an independent client found (issue 9): each rule as the document states
 * it, checked against the real server over real sockets.
 */
class ContractTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private WireClient visitor;
  private String visitorToken;
  private String conversationId;

  @BeforeEach
  void visitorWithAConversation() {
    visitor = WireClient.connect(server.visitorUri("demo"), server.origin());
    visitor.send(WireClient.frame("hello"));
    visitorToken = visitor.awaitType("welcome", WAIT).path("token").asText();
    visitor.send(WireClient.frame("send").put("id", "first").put("text", "hello"));
    conversationId = visitor.await(f -> isAck(f, "first"), WAIT).path("conversationId").asText();
  }

  @AfterEach
  void closeVisitor() {
    visitor.close();
  }

  private static boolean isAck(JsonNode f, String id) {
    return f.path("type").asText().equals("ack") && f.path("id").asText().equals(id);
  }

  /** The answer to the client frame {@code id}: its ack or its error. */
  private static boolean answers(JsonNode f, String id) {
    return isAck(f, id) || (f.path("type").asText().equals("error") && id.equals(f.path("ref").asText()));
  }

  /** The conversation still ends at {@code seq}: a probe message gets the next seq. */
  private void assertConversationEndsAt(long seq) {
    String probe = "probe-" + UUID.randomUUID();
    visitor.send(WireClient.frame("send").put("id", probe).put("text", "still here"));
    assertThat(visitor.await(f -> isAck(f, probe), WAIT).path("seq").asLong()).isEqualTo(seq + 1);
  }

  private WireClient agent(String token) {
    WireClient agent = WireClient.connect(server.agentUri(), null);
    agent.send(WireClient.frame("hello").put("token", token));
    agent.awaitType("welcome", WAIT);
    return agent;
  }

  // Claims ------------------------------------------------------------------------------------------------------

  @Test
  void aRepeatedClaimIsAcknowledgedWithTheSeqOfItsJoinedEvent() {
    String token = server.createAgent(adminToken, "demo", unique("claimer"));
    try (WireClient agent = agent(token)) {
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversationId));
      long joined = agent.await(f -> answers(f, "c-1"), WAIT).path("seq").asLong();
      assertThat(joined).isEqualTo(2);
      visitor.send(WireClient.frame("send").put("id", "after-1").put("text", "are you there?"));
      visitor.await(f -> isAck(f, "after-1"), WAIT);
      visitor.send(WireClient.frame("send").put("id", "after-2").put("text", "hello?"));
      visitor.await(f -> isAck(f, "after-2"), WAIT);

      // The same claim resent after a reconnect, and a new claim by the same agent: both name the join.
      try (WireClient again = agent(token)) {
        again.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversationId));
        JsonNode repeat = again.await(f -> answers(f, "c-1"), WAIT);
        again.send(WireClient.frame("claim").put("id", "c-2").put("conversationId", conversationId));
        JsonNode other = again.await(f -> answers(f, "c-2"), WAIT);
        assertThat(repeat.path("type").asText()).isEqualTo("ack");
        assertThat(repeat.path("seq").asLong()).isEqualTo(joined);
        assertThat(other.path("seq").asLong()).isEqualTo(joined);
      }
    }
  }

  // Ids and text ------------------------------------------------------------------------------------------------

  @Test
  void anEmptyOrTooLongIdIsAnInvalidMessageId() {
    visitor.send(WireClient.frame("send").put("id", "").put("text", "x"));
    JsonNode empty = visitor.awaitType("error", WAIT);
    visitor.send(WireClient.frame("send").put("id", "x".repeat(65)).put("text", "x"));
    JsonNode tooLong = visitor.awaitType("error", WAIT);
    visitor.send(WireClient.frame("close").put("id", "  ").put("conversationId", conversationId));
    JsonNode blankClose = visitor.awaitType("error", WAIT);
    visitor.send(WireClient.frame("send").put("id", 17).put("text", "x"));
    JsonNode number = visitor.awaitType("error", WAIT);

    assertThat(empty.path("code").asText()).isEqualTo("invalid-message-id");
    assertThat(empty.path("field").asText()).isEqualTo("id");
    assertThat(tooLong.path("code").asText()).isEqualTo("invalid-message-id");
    assertThat(blankClose.path("code").asText()).isEqualTo("invalid-message-id");
    assertThat(number.path("code").asText()).as("a wrong type is a wrong field").isEqualTo("invalid-field");
    assertConversationEndsAt(1);
  }

  @Test
  void aLoneSurrogateIsAFinalInvalidFieldEverywhereAndStoresNothing() {
    visitor.send("{\"type\":\"send\",\"id\":\"s-1\",\"text\":\"\\udc00\"}");
    JsonNode inText = visitor.await(f -> answers(f, "s-1"), WAIT);
    visitor.send("{\"type\":\"send\",\"id\":\"s-2\",\"text\":\"tea \\ud83c\"}");
    JsonNode highAtEnd = visitor.await(f -> answers(f, "s-2"), WAIT);
    visitor.send("{\"type\":\"identify\",\"id\":\"s-3\",\"user\":{\"id\":\"u-1\",\"name\":\"Li\\udc00\"}}");
    JsonNode inName = visitor.await(f -> answers(f, "s-3"), WAIT);
    visitor.send(
        "{\"type\":\"rate\",\"id\":\"s-4\",\"conversationId\":\"" + conversationId
            + "\",\"score\":5,\"comment\":\"\\udc00\"}");
    JsonNode inComment = visitor.await(f -> answers(f, "s-4"), WAIT);

    assertThat(inText.path("code").asText()).isEqualTo("invalid-field");
    assertThat(inText.path("field").asText()).isEqualTo("text");
    assertThat(highAtEnd.path("code").asText()).isEqualTo("invalid-field");
    assertThat(inName.path("code").asText()).isEqualTo("invalid-field");
    assertThat(inName.path("field").asText()).isEqualTo("user.name");
    assertThat(inComment.path("code").asText()).isEqualTo("invalid-field");
    assertThat(inComment.path("field").asText()).isEqualTo("comment");
    // A real emoji (a surrogate pair) is text like any other.
    visitor.send("{\"type\":\"send\",\"id\":\"s-5\",\"text\":\"tea \\ud83c\\udf75\"}");
    assertThat(visitor.await(f -> answers(f, "s-5"), WAIT).path("seq").asLong()).isEqualTo(2);
    assertConversationEndsAt(2);
  }

  @Test
  void controlCharactersFollowTheDocumentedRule() {
    visitor.send(WireClient.frame("send").put("id", "nul").put("text", "a\u0000b"));
    JsonNode nul = visitor.await(f -> answers(f, "nul"), WAIT);
    visitor.send(WireClient.frame("send").put("id", "esc").put("text", "a\u001b[31mred"));
    JsonNode escape = visitor.await(f -> answers(f, "esc"), WAIT);
    visitor.send(WireClient.frame("send").put("id", "lines").put("text", "line one\r\n\tline two"));
    JsonNode lines = visitor.await(f -> answers(f, "lines"), WAIT);
    visitor.send(WireClient.frame("send").put("id", "rtl").put("text", "\u202bשלום\u202c"));
    JsonNode rtlText = visitor.await(f -> answers(f, "rtl"), WAIT);
    ObjectNode identify = WireClient.frame("identify").put("id", "rlo");
    identify.putObject("user").put("id", "u-2").put("name", "Ann\u202egpj.exe");
    visitor.send(identify);
    JsonNode rloName = visitor.await(f -> answers(f, "rlo"), WAIT);

    assertThat(nul.path("code").asText()).isEqualTo("invalid-field");
    assertThat(escape.path("code").asText()).isEqualTo("invalid-field");
    assertThat(lines.path("type").asText()).as("tab and line breaks in text").isEqualTo("ack");
    assertThat(rtlText.path("type").asText()).as("bidi controls in text").isEqualTo("ack");
    assertThat(rloName.path("code").asText()).as("bidi override in a name").isEqualTo("invalid-field");
    assertThat(rloName.path("field").asText()).isEqualTo("user.name");
    assertConversationEndsAt(3);
  }

  // Resume and sync ---------------------------------------------------------------------------------------------

  @Test
  void aResumeBeyondTheStoredHistoryIsAnsweredWithTheStoredLastSeq() {
    try (WireClient again = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      ObjectNode hello = WireClient.frame("hello").put("token", visitorToken);
      hello.putObject("resume").put(conversationId, 57);
      again.send(hello);
      JsonNode synced =
          again.await(f -> f.path("type").asText().equals("synced") && f.path("conversationId").asText().equals(conversationId), WAIT);
      assertThat(synced.path("lastSeq").asLong()).as("never the client's own position").isEqualTo(1);

      // The client then resyncs from 0 and gets the stored history.
      again.send(WireClient.frame("sync").put("conversationId", conversationId).put("afterSeq", 0));
      JsonNode event = again.awaitType("event", WAIT);
      JsonNode resynced = again.awaitType("synced", WAIT);
      assertThat(event.path("seq").asLong()).isEqualTo(1);
      assertThat(event.path("id").asText()).isEqualTo("first");
      assertThat(resynced.path("lastSeq").asLong()).isEqualTo(1);
    }
  }

  @Test
  void syncOfAFollowedConversationSendsEverythingAfterItsSeqAgain() {
    visitor.awaitType("event", WAIT); // the follow after the first send delivers seq 1
    visitor.send(WireClient.frame("sync").put("conversationId", conversationId).put("afterSeq", 0));
    JsonNode again = visitor.awaitType("event", WAIT);
    JsonNode synced = visitor.awaitType("synced", WAIT);
    assertThat(again.path("seq").asLong()).isEqualTo(1);
    assertThat(synced.path("lastSeq").asLong()).isEqualTo(1);
  }

  // Frames before hello and pings -------------------------------------------------------------------------------

  @Test
  void aNonJsonFrameBeforeHelloIsBadJsonAndHelloStillWorks() {
    try (WireClient fresh = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      fresh.send("hello?");
      assertThat(fresh.awaitType("error", WAIT).path("code").asText()).isEqualTo("bad-json");
      fresh.send(WireClient.frame("hello"));
      assertThat(fresh.awaitType("welcome", WAIT).path("role").asText()).isEqualTo("visitor");
    }
  }

  @Test
  void aPingWithANonIntegerTIsAnInvalidFieldAndGetsNoPong() {
    visitor.send("{\"type\":\"ping\",\"t\":\"soon\"}");
    JsonNode text = visitor.await(f -> f.path("type").asText().matches("error|pong"), WAIT);
    visitor.send("{\"type\":\"ping\",\"t\":1.5}");
    JsonNode fraction = visitor.await(f -> f.path("type").asText().matches("error|pong"), WAIT);
    assertThat(text.path("code").asText()).isEqualTo("invalid-field");
    assertThat(text.path("field").asText()).isEqualTo("t");
    assertThat(fraction.path("code").asText()).isEqualTo("invalid-field");
    visitor.roundTrip(WAIT);
  }

  // The HTTP fallback's POST ------------------------------------------------------------------------------------

  @Test
  void aPostOfFramesAnswersBadBodiesAndResentHellosAsDocumented() {
    try (HttpFallbackClient client =
        HttpFallbackClient.open(HttpFallbackClient.Mode.LONG_POLL, "http://127.0.0.1:" + server.port(), "demo", server.origin())) {
      client.send(WireClient.frame("hello"));
      client.awaitType("welcome", WAIT);

      HttpResponse<String> notJson = client.post("this is not json");
      assertThat(notJson.statusCode()).isEqualTo(202);
      assertThat(client.awaitType("error", WAIT).path("code").asText()).isEqualTo("bad-json");

      HttpResponse<String> resent = client.post("[{\"type\":\"hello\"},{\"type\":\"ping\",\"t\":7}]");
      assertThat(resent.statusCode()).isEqualTo(202);
      assertThat(client.awaitType("error", WAIT).path("code").asText()).isEqualTo("already-authenticated");
      assertThat(client.awaitType("pong", WAIT).path("t").asLong()).isEqualTo(7);

      HttpResponse<String> huge = client.post("[\"" + "x".repeat(5 * 65536) + "\"]");
      assertThat(huge.statusCode()).isEqualTo(413);
      assertThat(huge.body()).contains("\"code\":\"request-too-large\"");
    }
  }
}
