package dev.parley.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.FrameDecoder;
import dev.parley.edge.protocol.FrameEncoder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The desktop client's codec against the server's own: every server frame type of docs/PROTOCOL.md, made by the
 * server's records and encoder, reads into the client's record with every field; every client frame, written by
 * the client, reads into the server's record; and text that is no frame is a typed {@link Decoded.Malformed},
 * never an exception.
 */
class FrameCodecTest {

  private static final Instant AT = Instant.parse("2026-11-23T09:00:01.250Z");
  private static final Instant LATER = Instant.parse("2026-11-23T09:05:00Z");

  private static final dev.parley.edge.protocol.ServerFrame.Author SERVER_AGENT =
      new dev.parley.edge.protocol.ServerFrame.Author("agent", "a-1");
  private static final ServerFrame.Author AGENT = new ServerFrame.Author("agent", "a-1");

  private static ServerFrame decoded(dev.parley.edge.protocol.ServerFrame serverFrame) {
    return decoded(FrameEncoder.encode(serverFrame));
  }

  private static ServerFrame decoded(String text) {
    Decoded<ServerFrame> result = FrameCodec.decode(text);
    assertThat(result).as(text).isInstanceOf(Decoded.Ok.class);
    return ((Decoded.Ok<ServerFrame>) result).frame();
  }

  private static String malformed(String text) {
    Decoded<ServerFrame> result = FrameCodec.decode(text);
    assertThat(result).as(text).isInstanceOf(Decoded.Malformed.class);
    return ((Decoded.Malformed<ServerFrame>) result).reason();
  }

  // Server frames, from the server's encoder ---------------------------------------------------------------------

  @Test
  void welcome() {
    var server =
        new dev.parley.edge.protocol.ServerFrame.AgentWelcome(
            "agent", "a-1", "Lin", List.of(new dev.parley.edge.protocol.ServerFrame.SiteRole("demo", "admin")),
            List.of("c-1", "c-2"), "online", 25_000, 75_000, 65_536, 4000, AT);

    assertThat(decoded(server))
        .isEqualTo(new ServerFrame.Welcome(
            "a-1", "Lin", List.of(new ServerFrame.SiteRole("demo", "admin")), List.of("c-1", "c-2"), "online"));
  }

  @Test
  void ack() {
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Ack("m-1", "c-1", 42L, null)))
        .isEqualTo(new ServerFrame.Ack("m-1", "c-1", 42L, false));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Ack("m-1", "c-1", 42L, true)))
        .isEqualTo(new ServerFrame.Ack("m-1", "c-1", 42L, true));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Ack("s-1", null, null, null)))
        .as("a status ack names no conversation and no seq")
        .isEqualTo(new ServerFrame.Ack("s-1", null, null, false));
  }

  @Test
  void event() {
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Event("c-1", 7, "message", "m-7", SERVER_AGENT, "你好", AT)))
        .isEqualTo(new ServerFrame.Event("c-1", 7, "message", "m-7", AGENT, "你好", AT));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Event("c-1", 8, "closed", null, SERVER_AGENT, null, AT)))
        .isEqualTo(new ServerFrame.Event("c-1", 8, "closed", null, AGENT, null, AT));
  }

  @Test
  void synced() {
    var server =
        new dev.parley.edge.protocol.ServerFrame.Synced(
            "c-1", 42, "assigned", "v-1", "a-1",
            List.of(new dev.parley.edge.protocol.ServerFrame.ReadMarkView(SERVER_AGENT, 40)));

    assertThat(decoded(server))
        .isEqualTo(new ServerFrame.Synced(
            "c-1", 42, "assigned", "v-1", "a-1", List.of(new ServerFrame.ReadMark(AGENT, 40))));
  }

  @Test
  void typingAndRead() {
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Typing("c-1", SERVER_AGENT, true)))
        .isEqualTo(new ServerFrame.Typing("c-1", AGENT, true));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Read("c-1", SERVER_AGENT, 41)))
        .isEqualTo(new ServerFrame.Read("c-1", AGENT, 41));
  }

  @Test
  void queueAndQueueChanged() {
    var waiting = new dev.parley.edge.protocol.ServerFrame.WaitingView("c-1", "v-1", AT, "sales", 1);
    var missed = new dev.parley.edge.protocol.ServerFrame.WaitingView("c-0", "v-0", AT, null, null);
    ServerFrame.Waiting clientWaiting = new ServerFrame.Waiting("c-1", "v-1", AT, "sales", 1);
    ServerFrame.Waiting clientMissed = new ServerFrame.Waiting("c-0", "v-0", AT, null, null);

    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Queue("demo", List.of(waiting), List.of(missed))))
        .isEqualTo(new ServerFrame.Queue("demo", List.of(clientWaiting), List.of(clientMissed)));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.QueueChanged("demo", List.of("c-9"), List.of(waiting), 3, null)))
        .as("missed absent: unchanged")
        .isEqualTo(new ServerFrame.QueueChanged("demo", List.of("c-9"), List.of(clientWaiting), 3, null));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.QueueChanged("demo", List.of(), List.of(), 0, List.of())))
        .as("missed present and empty: now empty")
        .isEqualTo(new ServerFrame.QueueChanged("demo", List.of(), List.of(), 0, List.of()));
  }

  @Test
  void visitor() {
    var server =
        new dev.parley.edge.protocol.ServerFrame.VisitorProfile(
            "c-1", "demo", "v-1", true, "u-42", "Han Meimei", "han@example.com", Map.of("plan", "gold"), true, "all",
            new dev.parley.edge.protocol.ServerFrame.DeviceView("Chrome 131", "Android 14", "mobile"),
            "https://weibo.com/post/1", Map.of("source", "weibo"),
            List.of(new dev.parley.edge.protocol.ServerFrame.PageView("https://shop.example/tea", "Jasmine tea", AT)),
            List.of(new dev.parley.edge.protocol.ServerFrame.PastConversation("c-0", "closed")));

    assertThat(decoded(server))
        .isEqualTo(new ServerFrame.Visitor(
            "c-1", "demo", "v-1", true, "u-42", "Han Meimei", "han@example.com", Map.of("plan", "gold"), true, "all",
            new ServerFrame.Device("Chrome 131", "Android 14", "mobile"), "https://weibo.com/post/1",
            Map.of("source", "weibo"), List.of(new ServerFrame.Page("https://shop.example/tea", "Jasmine tea", AT)),
            List.of(new ServerFrame.PastConversation("c-0", "closed"))));
  }

  @Test
  void errorWithItsRetryFlag() {
    var server =
        dev.parley.edge.protocol.ServerFrame.Error.of(ErrorCode.RATE_LIMITED, "too many messages")
            .withRef("m-1").withConversation("c-1").withRetryAfter(Duration.ofMillis(1500));
    var finalOne = dev.parley.edge.protocol.ServerFrame.Error.of(ErrorCode.TEXT_TOO_LONG, "long").withField("text");

    assertThat(decoded(server))
        .isEqualTo(new ServerFrame.Error("rate-limited", true, "too many messages", "m-1", "c-1", null, 1500L));
    assertThat(decoded(finalOne))
        .isEqualTo(new ServerFrame.Error("text-too-long", false, "long", null, null, "text", null));
  }

  @Test
  void anErrorOfAServerOlderThanTheRetryFlagIsFinal() {
    assertThat(decoded("{\"type\":\"error\",\"code\":\"timeout\",\"ref\":\"m-1\"}"))
        .isEqualTo(new ServerFrame.Error("timeout", false, null, "m-1", null, null, null));
  }

  @Test
  void routingFrames() {
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Offer("c-1", "demo", "v-1", "sales", LATER)))
        .isEqualTo(new ServerFrame.Offer("c-1", "demo", "v-1", "sales", LATER));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.OfferEnded("c-1", "demo", "taken")))
        .isEqualTo(new ServerFrame.OfferEnded("c-1", "demo", "taken"));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Position("c-1", 2)))
        .isEqualTo(new ServerFrame.Position("c-1", 2));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Note("c-1", 3, SERVER_AGENT, "VIP", AT)))
        .isEqualTo(new ServerFrame.Note("c-1", 3, AGENT, "VIP", AT));
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Availability("demo", "no-agents", "Hi!")))
        .isEqualTo(new ServerFrame.Availability("demo", "no-agents", "Hi!"));
  }

  @Test
  void pong() {
    assertThat(decoded(new dev.parley.edge.protocol.ServerFrame.Pong(123L, AT)))
        .isEqualTo(new ServerFrame.Pong(123L, AT));
  }

  @Test
  void anUnknownTypeIsUnknownAndUnknownFieldsAreIgnored() {
    assertThat(decoded("{\"type\":\"fireworks\",\"colour\":\"red\"}")).isEqualTo(new ServerFrame.Unknown("fireworks"));
    assertThat(decoded("{\"type\":\"read\",\"conversationId\":\"c\",\"reader\":{\"role\":\"visitor\",\"id\":\"v\"},"
        + "\"seq\":3,\"shade\":\"blue\"}"))
        .isEqualTo(new ServerFrame.Read("c", new ServerFrame.Author("visitor", "v"), 3));
  }

  @Test
  void anUnreadableTimeIsUnknownRatherThanAFailure() {
    assertThat(decoded("{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":1,\"kind\":\"message\",\"at\":\"yesterday\"}"))
        .isEqualTo(new ServerFrame.Event("c", 1, "message", null, null, null, null));
  }

  // Malformed input ---------------------------------------------------------------------------------------------

  static Stream<String> notFrames() {
    return Stream.of(
        "", "   ", "{not json", "[]", "42", "\"event\"", "null", "{}", "{\"type\":7}", "{\"type\":null}",
        "{\"type\":\"event\",\"seq\":1,\"kind\":\"message\"}", // no conversation
        "{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":\"1\",\"kind\":\"message\"}", // seq as text
        "{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":0,\"kind\":\"message\"}", // seqs start at 1
        "{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":1.5,\"kind\":\"message\"}",
        "{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":99999999999999999999,\"kind\":\"message\"}",
        "{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":1,\"kind\":\"message\",\"author\":\"me\"}",
        "{\"type\":\"ack\",\"seq\":3}", // no id
        "{\"type\":\"ack\",\"id\":\"\"}",
        "{\"type\":\"synced\",\"conversationId\":\"c\"}", // no lastSeq
        "{\"type\":\"synced\",\"conversationId\":\"c\",\"lastSeq\":1,\"reads\":[{\"seq\":1}]}", // a read without reader
        "{\"type\":\"queue\",\"siteId\":\"demo\",\"waiting\":{}}",
        "{\"type\":\"queue\",\"siteId\":\"demo\",\"waiting\":[\"c-1\"]}",
        "{\"type\":\"queueChanged\",\"siteId\":\"demo\",\"removed\":[1],\"added\":[],\"total\":0}",
        "{\"type\":\"welcome\",\"conversations\":[{}]}",
        "{\"type\":\"typing\",\"conversationId\":\"c\"}",
        "{\"type\":\"error\",\"message\":\"no code\"}",
        "{\"type\":\"error\",\"code\":\"timeout\",\"retry\":\"yes\"}",
        "{\"type\":\"visitor\",\"visitorId\":\"v\"}",
        "[".repeat(5000) + "]".repeat(5000),
        "{\"type\":\"event\",\"conversationId\":\"c\"" // cut off
        );
  }

  @ParameterizedTest
  @MethodSource("notFrames")
  void textThatIsNoFrameIsMalformedWithAReasonAndNeverThrows(String text) {
    assertThat(malformed(text)).isNotBlank();
  }

  @Test
  void theReasonNamesTheFrameAndField() {
    assertThat(malformed("{\"type\":\"event\",\"conversationId\":\"c\",\"seq\":\"1\",\"kind\":\"message\"}"))
        .isEqualTo("event.seq: not an integer");
    assertThat(malformed("{\"type\":\"synced\",\"conversationId\":\"c\",\"lastSeq\":1,\"reads\":[{\"seq\":1}]}"))
        .isEqualTo("synced.reads[0].reader: missing");
  }

  // Client frames, read by the server's decoder ------------------------------------------------------------------

  private static dev.parley.edge.protocol.ClientFrame onServer(ClientFrame frame) {
    FrameDecoder.Decoded decoded = FrameDecoder.decode(FrameCodec.encode(frame));
    assertThat(decoded.error()).as("%s", frame).isNull();
    return decoded.frame();
  }

  @Test
  void everyClientFrameReadsOnTheServerAsSent() {
    Map<String, Long> resume = new LinkedHashMap<>();
    resume.put("c-1", 4L);
    resume.put("c-2", 0L);

    assertThat(onServer(new ClientFrame.Hello("tok", resume)))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Hello("tok", resume));
    assertThat(onServer(new ClientFrame.Send("m-1", "c-1", "你好 👋")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Send("m-1", "c-1", "你好 👋"));
    assertThat(onServer(new ClientFrame.Claim("k-1", "c-1")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Claim("k-1", "c-1"));
    assertThat(onServer(new ClientFrame.Close("x-1", "c-1")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Close("x-1", "c-1"));
    assertThat(onServer(new ClientFrame.Status("s-1", "away")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.SetStatus("s-1", "away"));
    assertThat(onServer(new ClientFrame.Decline("d-1", "c-1")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Decline("d-1", "c-1"));
    assertThat(onServer(new ClientFrame.Transfer("t-1", "c-1", null, "sales", "VIP")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Transfer("t-1", "c-1", null, "sales", "VIP"));
    assertThat(onServer(new ClientFrame.Note("n-1", "c-1", "call back")))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Note("n-1", "c-1", "call back"));
    assertThat(onServer(new ClientFrame.Sync("c-1", 0)))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Sync("c-1", 0));
    assertThat(onServer(new ClientFrame.Typing("c-1", true)))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Typing("c-1", true));
    assertThat(onServer(new ClientFrame.Read("c-1", 9)))
        .isEqualTo(new dev.parley.edge.protocol.ClientFrame.Read("c-1", 9));
    assertThat(onServer(new ClientFrame.Ping(123L))).isEqualTo(new dev.parley.edge.protocol.ClientFrame.Ping(123L));
    assertThat(onServer(new ClientFrame.Ping(null))).isEqualTo(new dev.parley.edge.protocol.ClientFrame.Ping(null));
  }

  // The outbox's stored requests --------------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("requests")
  void everyRequestComesBackFromItsStoredForm(ClientFrame.Request request) {
    assertThat(FrameCodec.decodeRequest(FrameCodec.toJson(request))).isEqualTo(new Decoded.Ok<>(request));
  }

  static Stream<ClientFrame.Request> requests() {
    return Stream.of(
        new ClientFrame.Send("m-1", "c-1", "hi"), new ClientFrame.Claim("k-1", "c-1"),
        new ClientFrame.Close("x-1", "c-1"), new ClientFrame.Status("s-1", "online"),
        new ClientFrame.Decline("d-1", "c-1"), new ClientFrame.Transfer("t-1", "c-1", "a-2", null, null),
        new ClientFrame.Note("n-1", "c-1", "note"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"type\":\"ping\"}", "{\"type\":\"send\",\"text\":\"no id\"}", "[]", "{\"id\":\"m\"}"})
  void aStoredEntryThatIsNoRequestIsMalformed(String json) throws Exception {
    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertThat(FrameCodec.decodeRequest(node)).isInstanceOf(Decoded.Malformed.class);
  }
}
