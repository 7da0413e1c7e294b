package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.ScriptedVisitor;
import dev.parley.agent.testing.TappedHttpClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/** The client's model and network code against a real server, headless. */
class AgentClientTest {

  private static LiveServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    server = LiveServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private AgentClient connect(URI base, LiveServer.Account account) throws Exception {
    return connect(HTTP, base, account);
  }

  private AgentClient connect(HttpClient http, URI base, LiveServer.Account account) throws Exception {
    AuthApi.Login login = signIn(account);
    AgentClient client = new AgentClient(
        http, base, login, new Outbox(outboxFile(login.accountId())), Clock.systemUTC());
    client.start();
    return client;
  }

  /** Signs in with the password, as an account without two-factor sign-in does in one step. */
  private static AuthApi.Login signIn(LiveServer.Account account) throws Exception {
    return (AuthApi.Login) new AuthApi(HTTP, server.base()).login(account.username(), account.password());
  }

  private Path outboxFile(String accountId) {
    return dir.resolve("outbox-" + accountId + ".json");
  }

  /** A TCP proxy in front of the server, to cut or freeze the client's network. */
  private static TcpCrusher proxyToServer(NioReactor reactor) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return TcpCrusherBuilder.builder().withReactor(reactor)
        .withBindAddress("127.0.0.1", port).withConnectAddress("127.0.0.1", server.base().getPort())
        .buildAndOpen();
  }

  @Test
  void waitingVisitorShowsInQueueAndAcceptedConversationCarriesRepliesBothWays() throws Exception {
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(server.base(), server.newAgent("queue"))) {
      List<Boolean> newcomers = new CopyOnWriteArrayList<>();
      agent.workspace().addListener(new WorkspaceListener() {
        @Override
        public void queueChanged(List<QueueEntry> waiting, boolean someoneNew) {
          newcomers.add(someoneNew);
        }
      });
      Await.until("agent online", () -> agent.workspace().connection() == ConnectionState.ONLINE);
      String conversation = visitor.say("Do you ship to Lyon?");

      Await.until("visitor in the queue", () -> agent.workspace().queue().stream()
          .anyMatch(q -> q.conversationId().equals(conversation)));
      assertThat(newcomers).contains(true);
      agent.claim(conversation);
      Await.until("conversation assigned with the visitor's message", () -> {
        ConversationView v = agent.workspace().view(conversation);
        return v != null && "assigned".equals(v.status()) && v.lastSeq() >= 2;
      });
      ConversationView view = agent.workspace().view(conversation);
      assertThat(view.timeline().get(0).text()).isEqualTo("Do you ship to Lyon?");
      assertThat(view.visitorId()).isNotBlank();
      Await.until("the server described the visitor", () -> agent.workspace().view(conversation).visitor().hasDetails());

      String reply = agent.send(conversation, "Yes, in 2 days.");
      JsonAssert.eventText(visitor.await(f -> reply.equals(f.path("id").asText())), "Yes, in 2 days.");
      Await.until("outbox drained", () -> agent.workspace().view(conversation).timeline().stream()
          .noneMatch(TimelineEntry::pending));
      assertThat(visitor.messageEvents(reply)).hasSize(1);
    }
  }

  @Test
  void aTransferWithANoteReachesTheOtherAgentAndTheirRepliesCarryTheirNameNotMe() throws Exception {
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient from = connect(server.base(), server.newAgent("from"));
        AgentClient to = connect(server.base(), server.newAgent("to"))) {
      Await.until("both agents online", () -> from.workspace().connection() == ConnectionState.ONLINE
          && to.workspace().connection() == ConnectionState.ONLINE);
      String conversation = visitor.say("Can someone from billing help?");
      from.claim(conversation);
      Await.until("claimed", () -> {
        ConversationView v = from.workspace().view(conversation);
        return v != null && "assigned".equals(v.status()) && v.lastSeq() >= 2;
      });
      from.note(conversation, "Invoice 77 was paid twice.");
      Await.until("the note comes back as a note, not a timeline entry", () ->
          from.workspace().view(conversation).notes().stream()
              .anyMatch(n -> n.text().equals("Invoice 77 was paid twice.")
                  && n.authorId().equals(from.login().accountId())));
      assertThat(from.workspace().view(conversation).timeline())
          .noneMatch(e -> "Invoice 77 was paid twice.".equals(e.text()));

      // A dispatcher learns of accounts created after its last configuration load when a transfer names one: that
      // transfer is refused (unknown-agent, final) and the dispatcher reloads, so the person's second try works.
      // Both accounts here are brand new, so the test tries as a person would, until the server knows the account.
      Map<String, String> refusals = new java.util.concurrent.ConcurrentHashMap<>();
      from.workspace().addListener(new WorkspaceListener() {
        @Override
        public void refused(String c, String ref, String code) {
          refusals.put(ref, code);
        }
      });
      Await.until("the transfer is accepted", () -> {
        String ref = from.transfer(conversation, to.login().accountId(), null, "Refund, please: see the note.");
        Await.until("an answer to the transfer", () -> refusals.containsKey(ref)
            || from.workspace().view(conversation).timeline().stream().anyMatch(e -> "transferred".equals(e.kind())));
        assertThat(refusals.getOrDefault(ref, "unknown-agent")).isEqualTo("unknown-agent");
        return !refusals.containsKey(ref);
      });
      Await.until("the other agent holds the chat with its history, the transfer and both notes", () -> {
        ConversationView v = to.workspace().view(conversation);
        return v != null
            && v.timeline().stream().anyMatch(e -> "Can someone from billing help?".equals(e.text()))
            && v.timeline().stream().anyMatch(e -> "transferred".equals(e.kind()))
            && v.notes().stream().anyMatch(n -> n.text().equals("Invoice 77 was paid twice."))
            && v.notes().stream().anyMatch(n -> n.text().equals("Refund, please: see the note."));
      });

      String reply = to.send(conversation, "Hello, billing here.");
      visitor.await(f -> reply.equals(f.path("id").asText()));
      Texts en = new Texts(Texts.ENGLISH);
      Await.until("the first agent sees the reply under the other agent's name", () ->
          from.workspace().view(conversation).timeline().stream()
              .filter(e -> reply.equals(e.id()))
              .anyMatch(e -> Authors.label(e, from.workspace().agentId(), from::agentName, en)
                  .equals(to.login().displayName())));
      assertThat(to.login().displayName()).isNotBlank().isNotEqualTo("Me");
      TimelineEntry own = to.workspace().view(conversation).timeline().stream()
          .filter(e -> reply.equals(e.id())).findFirst().orElseThrow();
      assertThat(Authors.label(own, to.workspace().agentId(), to::agentName, en)).isEqualTo("Me");
      // Written before the reply the visitor has received: a note that reached the visitor would be here by now.
      assertThat(visitor.first(f -> f.toString().contains("Invoice 77"))).as("the visitor never sees a note").isNull();
    }
  }

  @Test
  void visitorFrameCarriesIdentityDeviceAndPagesAndUpdatesOnANewPage() throws Exception {
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(server.base(), server.newAgent("profile"))) {
      visitor.identify("u-42", "Han Meimei", "han@example.com", Map.of("plan", "gold"));
      visitor.page("https://shop.example/tea?utm_source=weibo", "Jasmine tea", "https://weibo.com/post/1");
      String conversation = visitor.say("Is it fresh?");
      VisitorInfo v = claimAndAwaitVisitor(agent, conversation, "the visitor's page", i -> !i.pages().isEmpty());
      assertThat(v.name()).isEqualTo("Han Meimei");
      assertThat(v.userId()).isEqualTo("u-42");
      assertThat(v.verified()).as("an unsigned identity").isFalse();
      assertThat(v.attributes()).containsEntry("plan", "gold");
      assertThat(v.device().type()).isEqualTo("mobile");
      assertThat(v.device().os()).startsWith("Android");
      assertThat(v.referrer()).isEqualTo("https://weibo.com/post/1");
      assertThat(v.utm()).containsEntry("source", "weibo");
      assertThat(v.pages().get(0).title()).isEqualTo("Jasmine tea");
      assertThat(v.pages().get(0).at()).isNotNull();

      visitor.page("https://shop.example/cart", "Cart", "https://shop.example/tea");
      Await.until("the new page reaches the agent", () -> agent.workspace().view(conversation).visitor().pages()
          .stream().map(VisitorInfo.Page::title).toList().equals(List.of("Jasmine tea", "Cart")));
    }
  }

  @Test
  void anIdentitySignedWithTheSitesSecretReachesTheAgentAsVerified() throws Exception {
    String secret = server.newIdentitySecret();
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String hash = HexFormat.of().formatHex(hmac.doFinal("u-signed".getBytes(StandardCharsets.UTF_8)));
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(server.base(), server.newAgent("signed"))) {
      visitor.identify("u-signed", "Li Lei", "li@example.com", Map.of(), hash);
      String conversation = visitor.say("Where is my order?");
      VisitorInfo v = claimAndAwaitVisitor(agent, conversation, "the identity", VisitorInfo::identified);
      assertThat(v.userId()).isEqualTo("u-signed");
      assertThat(v.verified()).isTrue();
    }
  }

  @Test
  void teamQuickRepliesComeFromTheServerWithTheirVariablesFilled() throws Exception {
    String shortcut = "ship-" + UUID.randomUUID().toString().substring(0, 8);
    server.addTeamQuickReply(shortcut, "Hi {visitor.name}, {agent.name} here: we ship within 48 hours.");
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(server.base(), server.newAgent("team"))) {
      visitor.identify("u-7", "Ana", "ana@example.com", Map.of());
      String conversation = visitor.say("When do you ship?");
      VisitorInfo visitorInfo = claimAndAwaitVisitor(agent, conversation, "the name", i -> "Ana".equals(i.name()));
      QuickReplies.Reply reply = Await.value("the team reply read from the server", () -> teamReply(agent, shortcut));
      assertThat(reply.siteId()).isEqualTo("demo");
      String agentName = agent.login().displayName();
      assertThat(agentName).startsWith("team-");
      List<QuickReplies.Reply> offered =
          QuickReplies.forSite(List.of(), agent.workspace().teamQuickReplies(), visitorInfo.siteId());
      assertThat(offered).contains(reply);
      assertThat(QuickReplies.fill(reply.text(), visitorInfo, agentName))
          .isEqualTo("Hi Ana, " + agentName + " here: we ship within 48 hours.");
    }
  }

  @Test
  void teamQuickRepliesAreReadAgainAfterAReconnect() throws Exception {
    String first = "hours-" + UUID.randomUUID().toString().substring(0, 8);
    String later = "returns-" + UUID.randomUUID().toString().substring(0, 8);
    server.addTeamQuickReply(first, "We are open 9-18.");
    try (NioReactor reactor = new NioReactor()) {
      TcpCrusher proxy = proxyToServer(reactor);
      try (AgentClient agent = connect(
          URI.create("http://127.0.0.1:" + proxy.getBindAddress().getPort()), server.newAgent("reread"))) {
        Await.value("the first reply read after log-in", () -> teamReply(agent, first));
        server.addTeamQuickReply(later, "Returns are free for 30 days.");
        assertThat(teamReply(agent, later)).as("nothing re-reads until a reconnect or the refresh").isNull();
        proxy.closeAllPairs(); // the link drops; the client reconnects and reads the replies again
        Await.value("the reply added meanwhile", () -> teamReply(agent, later));
        assertThat(teamReply(agent, first)).isNotNull();
      }
      proxy.close();
    }
  }

  /** The visitor writes, the agent claims; returns once the agent holds both entries (seqs 1 and 2). */
  private static String claimed(AgentClient agent, ScriptedVisitor visitor, String text) {
    String conversation = visitor.say(text);
    Await.until("queued", () -> agent.workspace().queue().stream()
        .anyMatch(q -> q.conversationId().equals(conversation)));
    agent.claim(conversation);
    Await.until("claimed", () -> agent.workspace().view(conversation) != null
        && agent.workspace().view(conversation).lastSeq() == 2);
    return conversation;
  }

  /** The server's ack and event for the client's message with this text (its id is known once it is sent). */
  private static Predicate<JsonNode> answersTo(TappedHttpClient wire, String text) {
    return f -> wire.sent().stream().anyMatch(s -> "send".equals(s.path("type").asText())
        && text.equals(s.path("text").asText()) && s.path("id").asText().equals(f.path("id").asText()));
  }

  private static boolean syncedFromZero(TappedHttpClient wire, String conversation, int after) {
    List<JsonNode> sent = wire.sent();
    return sent.subList(after, sent.size()).stream().anyMatch(f -> "sync".equals(f.path("type").asText())
        && conversation.equals(f.path("conversationId").asText())
        && f.path("afterSeq").isIntegralNumber() && f.path("afterSeq").asLong() == 0);
  }

  /** The timeline as "seq kind role text" lines, pending and failed entries included. */
  private static List<String> timeline(AgentClient agent, String conversation) {
    return agent.workspace().view(conversation).timeline().stream()
        .map(e -> e.seq() + " " + e.kind() + " " + e.authorRole() + " " + e.text()
            + (e.pending() ? " (pending)" : "") + (e.failedCode() != null ? " (failed)" : ""))
        .toList();
  }

  /** Claims the waiting conversation, then waits until the server has told the agent {@code what} of its visitor. */
  private static VisitorInfo claimAndAwaitVisitor(
      AgentClient agent, String conversation, String what, Predicate<VisitorInfo> told) {
    Await.until("queued", () -> agent.workspace().queue().stream()
        .anyMatch(q -> q.conversationId().equals(conversation)));
    agent.claim(conversation);
    return Await.value(what + " in the agent's view of the visitor", () -> {
      ConversationView view = agent.workspace().view(conversation);
      return view != null && told.test(view.visitor()) ? view.visitor() : null;
    });
  }

  private static QuickReplies.Reply teamReply(AgentClient agent, String shortcut) {
    return agent.workspace().teamQuickReplies().stream()
        .filter(r -> shortcut.equals(r.shortcut())).findFirst().orElse(null);
  }

  @Test
  void readReceiptFromVisitorAndTypingAreShown() throws Exception {
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(server.base(), server.newAgent("read"))) {
      String conversation = visitor.say("Hello?");
      Await.until("queued", () -> !agent.workspace().queue().isEmpty());
      agent.claim(conversation);
      String reply = agent.send(conversation, "Hi there");
      long replySeq = visitor.await(f -> reply.equals(f.path("id").asText())).path("seq").asLong();
      Await.until("agent holds its reply", () -> agent.workspace().view(conversation) != null
          && agent.workspace().view(conversation).lastSeq() >= replySeq);

      visitor.sendFrame(Json.MAPPER.createObjectNode().put("type", "typing")
          .put("conversationId", conversation).put("typing", true));
      Await.until("visitor typing shown", () -> agent.workspace().view(conversation).visitorTyping());
      visitor.sendFrame(Json.MAPPER.createObjectNode().put("type", "read")
          .put("conversationId", conversation).put("seq", replySeq));
      Await.until("visitor's read mark", () -> agent.workspace().view(conversation).visitorReadSeq() == replySeq);

      agent.markRead(conversation);
      Await.until("agent's read reaches the visitor", () -> visitor.first(f -> "read".equals(f.path("type").asText())
          && "agent".equals(f.path("reader").path("role").asText())) != null);
      Await.until("no unread left", () -> agent.workspace().view(conversation).unread() == 0);
    }
  }

  @Test
  void afterTheConnectionIsCutTheClientReconnectsResumesAndShowsEachMessageOnce() throws Exception {
    try (NioReactor reactor = new NioReactor(); ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      TcpCrusher proxy = proxyToServer(reactor);
      int port = proxy.getBindAddress().getPort();
      try (AgentClient agent = connect(URI.create("http://127.0.0.1:" + port), server.newAgent("cut"))) {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        agent.workspace().addListener(new WorkspaceListener() {
          @Override
          public void connectionChanged(ConnectionState state, String detail) {
            states.add(state);
          }
        });
        String conversation = visitor.say("first");
        Await.until("queued", () -> !agent.workspace().queue().isEmpty());
        agent.claim(conversation);
        Await.until("assigned", () -> agent.workspace().view(conversation) != null
            && agent.workspace().view(conversation).lastSeq() == 2);

        proxy.close(); // the network goes away: nothing gets through
        Await.until("client notices", () -> states.contains(ConnectionState.RECONNECTING));
        String whileAway = agent.send(conversation, "typed while offline");
        visitor.say("second");
        visitor.say("third");
        proxy.open();

        Await.until("resumed with everything", () -> agent.workspace().connection() == ConnectionState.ONLINE
            && agent.workspace().view(conversation).lastSeq() == 5);
        visitor.await(f -> whileAway.equals(f.path("id").asText()));
        List<String> texts = agent.workspace().view(conversation).timeline().stream()
            .filter(TimelineEntry::isMessage).map(TimelineEntry::text).toList();
        assertThat(texts).containsExactlyInAnyOrder("first", "second", "third", "typed while offline");
        assertThat(visitor.messageEvents(whileAway)).hasSize(1);
        List<Long> seqs = agent.workspace().view(conversation).timeline().stream().map(TimelineEntry::seq).toList();
        assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
      }
      proxy.close();
    }
  }

  @Test
  void anAckNamingASeqHeldForAnotherEntryMakesTheClientRebuildTheConversationAndKeepItsMessage() throws Exception {
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(wire, server.base(), server.newAgent("ack-resync"))) {
      String conversation = claimed(agent, visitor, "Do you have green tea?");

      // The server stores the reply as seq 3, but its ack and event do not reach the client; an ack naming seq 1,
      // which the client holds as the visitor's message, does: the server contradicts the client's history.
      wire.holdBack(answersTo(wire, "We do."));
      String reply = agent.send(conversation, "We do.");
      Await.until("the server's answers held back", () -> wire.heldBack().size() == 2);
      wire.holdBack(f -> false);
      assertThat(agent.workspace().view(conversation).timeline())
          .anyMatch(e -> e.pending() && "We do.".equals(e.text()));
      int before = wire.sent().size();
      wire.toClient(Json.MAPPER.createObjectNode().put("type", "ack").put("id", reply)
          .put("conversationId", conversation).put("seq", 1).toString());

      Await.until("a sync from seq 0", () -> syncedFromZero(wire, conversation, before));
      Await.until("the history rebuilt with the reply", () -> timeline(agent, conversation).equals(List.of(
          "1 message visitor Do you have green tea?", "2 joined agent null", "3 message agent We do.")));
      assertThat(agent.workspace().view(conversation).lastSeq()).isEqualTo(3);
      Await.until("the reply left the outbox", () -> new Outbox(outboxFile(agent.login().accountId())).size() == 0);
      assertThat(visitor.messageEvents(reply)).hasSize(1);
    }
  }

  @Test
  void aSyncedBelowTheHighestSeqHeldMakesTheClientRebuildWithoutTheBogusEntry() throws Exception {
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(wire, server.base(), server.newAgent("synced-resync"))) {
      String conversation = claimed(agent, visitor, "Is the oolong fresh?");

      // The server stores the reply as seq 3 without the client hearing of it; the client is told of another
      // seq 3 the server does not have, then that the conversation ends at seq 2: a history that shrank.
      wire.holdBack(answersTo(wire, "Picked in May."));
      String reply = agent.send(conversation, "Picked in May.");
      Await.until("the server's answers held back", () -> wire.heldBack().size() == 2);
      wire.holdBack(f -> false);
      ObjectNode bogus = Json.MAPPER.createObjectNode().put("type", "event").put("conversationId", conversation)
          .put("seq", 3).put("kind", "message").put("id", "bogus-1").put("text", "an entry the server lost")
          .put("at", "2026-11-23T09:00:00Z");
      bogus.putObject("author").put("role", "visitor").put("id", agent.workspace().view(conversation).visitorId());
      wire.toClient(bogus.toString());
      Await.until("the bogus entry shown", () -> timeline(agent, conversation).contains(
          "3 message visitor an entry the server lost"));
      int before = wire.sent().size();
      wire.toClient(Json.MAPPER.createObjectNode().put("type", "synced").put("conversationId", conversation)
          .put("lastSeq", 2).put("status", "assigned").toString());

      Await.until("a sync from seq 0", () -> syncedFromZero(wire, conversation, before));
      Await.until("the history rebuilt without the bogus entry", () -> timeline(agent, conversation).equals(List.of(
          "1 message visitor Is the oolong fresh?", "2 joined agent null", "3 message agent Picked in May.")));
      Await.until("the reply left the outbox", () -> new Outbox(outboxFile(agent.login().accountId())).size() == 0);
      assertThat(visitor.messageEvents(reply)).hasSize(1);
    }
  }

  @Test
  void anEventAtAHeldSeqWithAnotherEntryMakesTheClientRebuildAndASameEntryIsDroppedQuietly() throws Exception {
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(wire, server.base(), server.newAgent("event-resync"))) {
      String conversation = claimed(agent, visitor, "Any matcha?");
      JsonNode first = visitor.await(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() == 1);

      int before = wire.sent().size();
      wire.toClient(first.toString()); // an ordinary duplicate: dropped, nothing asked
      ObjectNode other = first.deepCopy();
      other.put("id", "another-message").put("text", "not what seq 1 is");
      wire.toClient(other.toString());

      Await.until("a sync from seq 0", () -> syncedFromZero(wire, conversation, before));
      assertThat(wire.sent().subList(before, wire.sent().size()))
          .as("one resync, for the entry that differs").filteredOn(f -> "sync".equals(f.path("type").asText()))
          .hasSize(1);
      Await.until("the history rebuilt", () -> timeline(agent, conversation).equals(List.of(
          "1 message visitor Any matcha?", "2 joined agent null")));
    }
  }

  @Test
  void anEventThatIsAnotherEntryAtTheSeqAnAckGaveToTheAgentsMessageMakesTheClientRebuild() throws Exception {
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(wire, server.base(), server.newAgent("ack-ahead"))) {
      String conversation = claimed(agent, visitor, "Is the pu-erh aged?");

      // The server stores the reply as seq 3 and its ack reaches the client before its event, as acks may; then an
      // event for seq 3 arrives that is another entry: the seq the ack gave to the reply is taken by something else.
      wire.holdBack(answersTo(wire, "Ten years."));
      String reply = agent.send(conversation, "Ten years.");
      Await.until("the server's answers held back", () -> wire.heldBack().size() == 2);
      wire.holdBack(f -> false);
      JsonNode ack = wire.heldBack().stream().filter(f -> "ack".equals(f.path("type").asText())).findFirst()
          .orElseThrow();
      assertThat(ack.path("seq").asLong()).isEqualTo(3);
      int before = wire.sent().size();
      wire.toClient(ack.toString());
      ObjectNode other = Json.MAPPER.createObjectNode().put("type", "event").put("conversationId", conversation)
          .put("seq", 3).put("kind", "message").put("id", "not-the-reply").put("text", "an entry that is not ours")
          .put("at", "2026-11-23T09:00:00Z");
      other.putObject("author").put("role", "visitor").put("id", agent.workspace().view(conversation).visitorId());
      wire.toClient(other.toString());

      Await.until("a sync from seq 0", () -> syncedFromZero(wire, conversation, before));
      Await.until("the history rebuilt with the reply", () -> timeline(agent, conversation).equals(List.of(
          "1 message visitor Is the pu-erh aged?", "2 joined agent null", "3 message agent Ten years.")));
      Await.until("the reply left the outbox", () -> new Outbox(outboxFile(agent.login().accountId())).size() == 0);
      assertThat(visitor.messageEvents(reply)).hasSize(1);
    }
  }

  @Test
  void aFirstResumeSendsOneReadMarkForTheHighestSeqOnceItsSyncedArrives() throws Exception {
    LiveServer.Account account = server.newAgent("replay-read");
    String conversation;
    try (ScriptedVisitor visitor = new ScriptedVisitor(server); AgentClient before = connect(server.base(), account)) {
      conversation = claimed(before, visitor, "first");
      visitor.say("second");
      visitor.say("third");
      before.send(conversation, "Hello!");
      Await.until("five entries held", () -> before.workspace().view(conversation).lastSeq() == 5);
    }
    // A fresh start of the client with that conversation's tab open: the server replays it from seq 0.
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (AgentClient agent = withOpenTab(wire, account, conversation)) {
      Await.until("the replay held and read", () -> agent.workspace().view(conversation) != null
          && agent.workspace().view(conversation).lastSeq() == 5 && agent.workspace().view(conversation).unread() == 0);
      assertThat(readMarksSent(agent, wire, conversation, 0)).containsExactly(5L);
    }
  }

  @Test
  void aRebuildSendsOneReadMarkForTheHighestSeqOnceItsSyncedArrives() throws Exception {
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = withOpenTab(wire, server.newAgent("rebuild-read"), null)) {
      String conversation = claimed(agent, visitor, "Any oolong?");
      Await.until("read up to the join", () -> agent.workspace().view(conversation).unread() == 0);
      // The visitor's next two messages do not reach the client, then an event contradicts seq 1: the rebuild
      // brings all four entries.
      wire.holdBack(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() > 2);
      visitor.say("Milk oolong?");
      visitor.say("Or Tieguanyin?");
      Await.until("both held back", () -> wire.heldBack().size() == 2);
      wire.holdBack(f -> false);
      int before = wire.sent().size();
      JsonNode first = visitor.await(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() == 1);
      ObjectNode other = first.deepCopy();
      other.put("id", "another-message");
      wire.toClient(other.toString());

      Await.until("a sync from seq 0", () -> syncedFromZero(wire, conversation, before));
      Await.until("rebuilt and read", () -> agent.workspace().view(conversation).lastSeq() == 4
          && agent.workspace().view(conversation).unread() == 0);
      assertThat(readMarksSent(agent, wire, conversation, before)).containsExactly(4L);
    }
  }

  /**
   * A started client whose tab for {@code conversation} (any conversation when null) is on screen: as the workspace
   * window does, it asks for a read mark on every change of that conversation.
   */
  private AgentClient withOpenTab(TappedHttpClient wire, LiveServer.Account account, String conversation)
      throws Exception {
    AuthApi.Login login = signIn(account);
    AgentClient agent =
        new AgentClient(wire, server.base(), login, new Outbox(outboxFile(login.accountId())), Clock.systemUTC());
    agent.workspace().addListener(new WorkspaceListener() {
      @Override
      public void conversationChanged(ConversationView view) {
        if (conversation == null || conversation.equals(view.id())) {
          agent.markRead(view.id());
        }
      }
    });
    agent.start();
    return agent;
  }

  /**
   * The seqs of the read marks the client sent for the conversation after its first {@code after} frames, once every
   * mark it had decided to send is on the wire (a status frame queued behind them has gone out).
   */
  private static List<Long> readMarksSent(AgentClient agent, TappedHttpClient wire, String conversation, int after) {
    agent.status("online");
    Await.until("the status frame sent", () -> wire.sent().stream()
        .anyMatch(f -> "status".equals(f.path("type").asText())));
    List<JsonNode> sent = wire.sent();
    return sent.subList(after, sent.size()).stream()
        .filter(f -> "read".equals(f.path("type").asText()) && conversation.equals(f.path("conversationId").asText()))
        .map(f -> f.path("seq").asLong())
        .toList();
  }

  @Test
  void aMessageOfTheAgentsThatTheRebuiltHistoryLacksIsSentAgainWithItsId() throws Exception {
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient agent = connect(wire, server.base(), server.newAgent("lost-resync"))) {
      String conversation = claimed(agent, visitor, "Do you sell teapots?");

      // The client was shown a reply of its own as seq 3, which the server then lost: it says the history ends at 2.
      String lost = "lost-" + UUID.randomUUID();
      ObjectNode shown = Json.MAPPER.createObjectNode().put("type", "event").put("conversationId", conversation)
          .put("seq", 3).put("kind", "message").put("id", lost).put("text", "Yes, cast iron ones.")
          .put("at", "2026-11-23T09:00:00Z");
      shown.putObject("author").put("role", "agent").put("id", agent.workspace().agentId());
      wire.toClient(shown.toString());
      Await.until("the reply shown", () -> timeline(agent, conversation).contains(
          "3 message agent Yes, cast iron ones."));
      int before = wire.sent().size();
      wire.toClient(Json.MAPPER.createObjectNode().put("type", "synced").put("conversationId", conversation)
          .put("lastSeq", 2).put("status", "assigned").toString());

      Await.until("a sync from seq 0", () -> syncedFromZero(wire, conversation, before));
      Await.until("the reply sent again with its id", () -> wire.sent().stream()
          .anyMatch(f -> "send".equals(f.path("type").asText()) && lost.equals(f.path("id").asText())));
      JsonNode stored =
          visitor.await(f -> "event".equals(f.path("type").asText()) && lost.equals(f.path("id").asText()));
      assertThat(stored.path("seq").asLong()).as("now stored by the server").isEqualTo(3);
      Await.until("the history rebuilt with the reply", () -> timeline(agent, conversation).equals(List.of(
          "1 message visitor Do you sell teapots?", "2 joined agent null", "3 message agent Yes, cast iron ones.")));
      Await.until("the reply left the outbox", () -> new Outbox(outboxFile(agent.login().accountId())).size() == 0);
      assertThat(visitor.messageEvents(lost)).hasSize(1);
    }
  }

  @Test
  void aFrozenLinkIsDetectedByMissingPongsAndTheClientReconnects() throws Exception {
    try (NioReactor reactor = new NioReactor()) {
      TcpCrusher proxy = proxyToServer(reactor);
      int port = proxy.getBindAddress().getPort();
      LiveServer.Account account = server.newAgent("frozen");
      AuthApi.Login login = signIn(account);
      long fastPingMillis = 300;
      try (AgentClient agent = new AgentClient(HTTP, URI.create("http://127.0.0.1:" + port), login,
          new Outbox(dir.resolve("frozen.json")), Clock.systemUTC(), fastPingMillis)) {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        agent.workspace().addListener(new WorkspaceListener() {
          @Override
          public void connectionChanged(ConnectionState state, String detail) {
            states.add(state);
          }
        });
        agent.start();
        Await.until("online", () -> agent.workspace().connection() == ConnectionState.ONLINE);
        // Frozen: the TCP connection stays open but nothing flows, as when a NAT or Wi-Fi silently drops it.
        proxy.freeze();
        Await.until("dead link noticed", () -> states.contains(ConnectionState.RECONNECTING));
        states.clear();
        proxy.unfreeze();
        proxy.closeAllPairs();
        Await.until("back online", () -> states.contains(ConnectionState.ONLINE));
      }
      proxy.close();
    }
  }

  @Test
  void tokenIsRenewedBeforeItExpires() throws Exception {
    LiveServer.Account account = server.newAgent("renew");
    AuthApi.Login real = signIn(account);
    // Pretend the token runs out in 3 s: the client must renew it at once over POST /api/auth/renew.
    AuthApi.Login expiring = new AuthApi.Login(real.token(), java.time.Instant.now().plusSeconds(3),
        real.accountId(), real.displayName());
    try (AgentClient agent = new AgentClient(HTTP, server.base(), expiring, new Outbox(dir.resolve("renew.json")),
        Clock.systemUTC())) {
      agent.start();
      Await.until("renewed for hours", () -> agent.login().expiresAt()
          .isAfter(java.time.Instant.now().plus(java.time.Duration.ofHours(1))));
      assertThat(agent.login().token()).isNotBlank();
    }
  }

  @Test
  void statusChangeIsAcknowledgedByTheServer() throws Exception {
    try (AgentClient agent = connect(server.base(), server.newAgent("status"))) {
      Await.until("online with the server's status", () -> "online".equals(agent.workspace().agentStatus()));
      agent.status("away");
      Await.until("status acknowledged", () -> "away".equals(agent.workspace().agentStatus()));
    }
  }

  @Test
  void aClaimLostToAnotherAgentIsRefusedForGoodAndLeavesTheOutbox() throws Exception {
    try (ScriptedVisitor visitor = new ScriptedVisitor(server);
        AgentClient first = connect(server.base(), server.newAgent("first"));
        AgentClient second = connect(server.base(), server.newAgent("second"))) {
      List<String> refusals = new CopyOnWriteArrayList<>();
      second.workspace().addListener(new WorkspaceListener() {
        @Override
        public void refused(String conversationId, String ref, String code) {
          refusals.add(conversationId + " " + code);
        }
      });
      String conversation = visitor.say("Anyone there?");
      Await.until("both see the visitor waiting", () -> first.workspace().queue().stream()
          .anyMatch(q -> q.conversationId().equals(conversation)) && second.workspace().queue().stream()
          .anyMatch(q -> q.conversationId().equals(conversation)));
      first.claim(conversation);
      Await.until("first agent has it", () -> first.workspace().view(conversation) != null
          && "assigned".equals(first.workspace().view(conversation).status()));
      second.claim(conversation);
      Await.until("second agent told it was taken", () -> refusals.contains(conversation + " already-claimed"));
      Path secondOutbox = dir.resolve("outbox-" + second.login().accountId() + ".json");
      assertThat(new Outbox(secondOutbox).size()).as("a final refusal is not retried").isZero();
    }
  }
}
