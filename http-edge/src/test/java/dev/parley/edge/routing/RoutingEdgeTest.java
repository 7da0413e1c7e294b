package dev.parley.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.QueueMirror;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Routing through a running server on H2 over real WebSockets: a rush of visitors against agents of limited
 * capacity, and the routing configuration API.
 */
class RoutingEdgeTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int VISITORS = 100;
  private static final int AGENTS = 10;
  private static final int CAPACITY = 3;

  private static String newSite() {
    String site = "rt-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    return site;
  }

  private static WireClient agent(String token) {
    WireClient c = WireClient.connect(server.agentUri(), null);
    c.send(WireClient.frame("hello").put("token", token));
    return c;
  }

  /** Each agent's own view, kept by its thread; read after the threads are joined. */
  private static final class AgentLog {
    String agentId;
    int held;
    int maxHeld;
    final Set<String> claimed = new HashSet<>();
    int atCapacityRefusals;
    int alreadyClaimedRefusals;
    final List<String> queueProblems = new ArrayList<>();
    final List<String> unexpected = new ArrayList<>();
  }

  @Test
  void aRushOfVisitorsIsServedOnceEachWithinCapacityAndFairQueuePositions() throws Exception {
    String site = newSite();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      tokens.add(server.createAgent(adminToken, site, site + "-agent-" + i));
    }
    ObjectNode routing = WireClient.JSON.createObjectNode().put("policy", "least-busy").put("defaultCapacity", CAPACITY);
    TestServer.Response configured = server.request("PUT", "/api/sites/" + site + "/routing", adminToken, routing);
    assertThat(configured.status()).as(configured.toString()).isEqualTo(200);

    ExecutorService pool = Executors.newFixedThreadPool(VISITORS + AGENTS);
    AtomicBoolean done = new AtomicBoolean();
    Map<String, String> joinedBy = new ConcurrentHashMap<>(); // conversation -> agent named in "joined"
    List<WireClient> clients = new ArrayList<>();
    try {
      List<WireClient> agents = new ArrayList<>();
      for (String token : tokens) {
        WireClient a = agent(token);
        clients.add(a);
        agents.add(a);
      }
      List<AgentLog> logs = new ArrayList<>();
      List<Future<?>> agentRuns = new ArrayList<>();
      for (WireClient a : agents) {
        String agentId = a.awaitType("welcome", WAIT).path("agentId").asText();
        AgentLog log = new AgentLog();
        log.agentId = agentId;
        logs.add(log);
        agentRuns.add(pool.submit(() -> runAgent(a, log, done)));
      }
      // Every agent is known to the dispatcher before the rush: a visitor's availability says "open".
      WireClient probe = WireClient.connect(server.visitorUri(site), server.origin());
      clients.add(probe);
      probe.send(WireClient.frame("hello"));
      probe.await(f -> "availability".equals(f.path("type").asText()) && "open".equals(f.path("status").asText()), WAIT);

      List<WireClient> visitors = new ArrayList<>();
      for (int i = 0; i < VISITORS; i++) {
        WireClient v = WireClient.connect(server.visitorUri(site), server.origin());
        clients.add(v);
        visitors.add(v);
      }
      List<Future<List<Integer>>> visitorRuns = new ArrayList<>();
      for (int i = 0; i < VISITORS; i++) {
        WireClient v = visitors.get(i);
        int n = i;
        visitorRuns.add(pool.submit(() -> runVisitor(v, n, joinedBy)));
      }

      List<List<Integer>> positionsSeen = new ArrayList<>();
      for (Future<List<Integer>> run : visitorRuns) {
        try {
          positionsSeen.add(run.get(60, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          StringBuilder agentsSaw = new StringBuilder();
          logs.forEach(l -> agentsSaw.append("\n").append(l.agentId).append(" held=").append(l.held)
              .append(" unexpected=").append(l.unexpected));
          throw new AssertionError("a visitor was not served; agents:" + agentsSaw, e.getCause());
        }
      }
      done.set(true);
      for (Future<?> run : agentRuns) {
        run.get(30, TimeUnit.SECONDS);
      }

      // Served once each: every conversation joined by exactly one agent, and claimed by that agent only.
      assertThat(joinedBy).hasSize(VISITORS);
      Map<String, List<String>> claimers = new HashMap<>();
      for (AgentLog log : logs) {
        log.claimed.forEach(c -> claimers.computeIfAbsent(c, k -> new ArrayList<>()).add(log.agentId));
      }
      assertThat(claimers).hasSize(VISITORS);
      claimers.forEach((conversation, agentsOf) -> {
        assertThat(agentsOf).as("agents granted %s", conversation).hasSize(1);
        assertThat(joinedBy.get(conversation)).isEqualTo(agentsOf.get(0));
      });
      // Capacity: no agent ever held more than CAPACITY chats at once; the rush filled them all.
      for (AgentLog log : logs) {
        assertThat(log.maxHeld).as("most chats held by %s", log.agentId).isLessThanOrEqualTo(CAPACITY);
        assertThat(log.queueProblems).as("queue frames seen by %s", log.agentId).isEmpty();
        assertThat(log.unexpected).as("unexpected frames seen by %s", log.agentId).isEmpty();
      }
      assertThat(logs.stream().mapToInt(l -> l.maxHeld).max().orElseThrow()).isEqualTo(CAPACITY);
      // Positions a visitor sees never increase while waiting, and start within the queue's length.
      int sawAPosition = 0;
      for (List<Integer> seen : positionsSeen) {
        for (int i = 1; i < seen.size(); i++) {
          assertThat(seen.get(i)).as("positions %s", seen).isLessThanOrEqualTo(seen.get(i - 1));
        }
        if (!seen.isEmpty()) {
          sawAPosition++;
          assertThat(seen.get(0)).isBetween(1, VISITORS);
        }
      }
      assertThat(sawAPosition).as("visitors who saw a queue position").isGreaterThan(VISITORS - AGENTS * CAPACITY);
    } finally {
      done.set(true);
      pool.shutdownNow();
      clients.forEach(WireClient::close);
    }
  }

  /**
   * A visitor writes, follows its position until an agent joins, answers the agent's greeting and waits for the
   * close. Returns the positions it was shown while waiting (before the "0").
   */
  private static List<Integer> runVisitor(WireClient v, int n, Map<String, String> joinedBy) {
    v.send(WireClient.frame("hello"));
    v.awaitType("welcome", WAIT);
    v.send(
        WireClient.frame("send")
            .put("id", "m-" + n)
            .put("text", "Is my order " + n + " on its way?")
            .put("pageUrl", "https://shop.example/orders/" + n));
    String conversation = null;
    List<Integer> positions = new ArrayList<>();
    boolean left = false;
    while (true) {
      JsonNode f = v.await(x -> true, Duration.ofSeconds(45));
      String type = f.path("type").asText();
      if (type.equals("ack") && f.path("id").asText().equals("m-" + n)) {
        conversation = f.path("conversationId").asText();
      } else if (type.equals("position")) {
        int p = f.path("position").asInt();
        if (p == 0) {
          left = true;
        } else {
          assertThat(left).as("a position after leaving the queue").isFalse();
          positions.add(p);
        }
      } else if (type.equals("event") && f.path("kind").asText().equals("joined")) {
        String agentId = f.path("author").path("id").asText();
        String before = joinedBy.putIfAbsent(f.path("conversationId").asText(), agentId);
        assertThat(before).as("a second agent joined").isNull();
      } else if (type.equals("event")
          && f.path("kind").asText().equals("message")
          && f.path("author").path("role").asText().equals("agent")) {
        v.send(WireClient.frame("send").put("id", "thanks-" + n).put("text", "Thanks!"));
      } else if (type.equals("event") && f.path("kind").asText().equals("closed")) {
        assertThat(f.path("conversationId").asText()).isEqualTo(conversation);
        return positions;
      } else if (type.equals("error")) {
        throw new AssertionError("visitor " + n + " got " + f);
      }
    }
  }

  /**
   * An agent takes what it is offered, and also grabs from the queue by hand while it has room (to race the
   * offers and the other agents on the single decision point). It greets each visitor and closes the chat when
   * the visitor answers.
   */
  private static void runAgent(WireClient a, AgentLog log, AtomicBoolean done) {
    Set<String> pendingClaims = new HashSet<>();
    Set<String> thanked = new HashSet<>();
    QueueMirror queue = new QueueMirror();
    int queueLength = -1;
    while (!done.get()) {
      // Hold chats while visitors wait, so capacity is really reached; finish them when full or the queue is empty.
      if (!thanked.isEmpty() && (log.held >= CAPACITY || queueLength == 0)) {
        for (String conversation : thanked) {
          a.send(WireClient.frame("close").put("id", "close-" + conversation).put("conversationId", conversation));
        }
        thanked.clear();
      }
      JsonNode f;
      try {
        f = a.await(x -> true, Duration.ofMillis(500));
      } catch (AssertionError quiet) {
        continue; // nothing for now; look at done again
      }
      String type = f.path("type").asText();
      String id = f.path("id").asText();
      switch (type) {
        case "offer" -> claim(a, f.path("conversationId").asText(), pendingClaims);
        case "queue", "queueChanged" -> {
          if (type.equals("queue")) {
            checkPositions(f, log);
          }
          queue.apply(f);
          queueLength = queue.ids().size();
          if (queueLength > 0 && log.held + pendingClaims.size() < CAPACITY) {
            claim(a, queue.ids().get(0), pendingClaims);
          }
        }
        case "ack" -> {
          if (id.startsWith("claim-")) {
            String conversation = id.substring("claim-".length());
            pendingClaims.remove(conversation);
            if (log.claimed.add(conversation)) {
              log.held++;
              log.maxHeld = Math.max(log.maxHeld, log.held);
              a.send(
                  WireClient.frame("send")
                      .put("id", "hello-" + conversation)
                      .put("conversationId", conversation)
                      .put("text", "Hello, let me check."));
            }
          } else if (id.startsWith("close-")) {
            log.held--;
          }
        }
        case "event" -> {
          String conversation = f.path("conversationId").asText();
          if (f.path("kind").asText().equals("message")
              && f.path("author").path("role").asText().equals("visitor")
              && f.path("text").asText().equals("Thanks!")
              && log.claimed.contains(conversation)) {
            thanked.add(conversation);
          }
        }
        case "error" -> {
          String ref = f.path("ref").asText();
          if (ref.startsWith("claim-")) {
            pendingClaims.remove(ref.substring("claim-".length()));
            switch (f.path("code").asText()) {
              case "at-capacity" -> log.atCapacityRefusals++;
              case "already-claimed", "conversation-closed" -> log.alreadyClaimedRefusals++;
              default -> log.unexpected.add(f.toString());
            }
          } else {
            log.unexpected.add(f.toString());
          }
        }
        default -> {}
      }
    }
  }

  private static void claim(WireClient a, String conversation, Set<String> pending) {
    if (pending.add(conversation)) {
      a.send(WireClient.frame("claim").put("id", "claim-" + conversation).put("conversationId", conversation));
    }
  }

  /** Every queue frame is a snapshot: its positions are exactly 1..n in order, ids distinct. */
  private static void checkPositions(JsonNode queue, AgentLog log) {
    Set<String> ids = new HashSet<>();
    int expected = 1;
    for (JsonNode w : queue.path("waiting")) {
      if (w.path("position").asInt() != expected++ || !ids.add(w.path("conversationId").asText())) {
        log.queueProblems.add(queue.toString());
        return;
      }
    }
  }

  // Configuration API ------------------------------------------------------------------------------------------

  private static ObjectNode validRouting(String memberId) {
    ObjectNode body =
        WireClient.JSON.createObjectNode()
            .put("policy", "round-robin")
            .put("defaultCapacity", 2)
            .put("welcomeMessage", "Hi! How can we help?")
            .put("autoCloseAfterSeconds", 900);
    body.putObject("capacities").put(memberId, 4);
    body.put("timeZone", "Europe/Berlin");
    body.putArray("hours").addObject().put("day", "monday").put("opens", "09:00").put("closes", "17:00");
    body.putArray("holidays").add("2026-12-25");
    ArrayNode groups = body.putArray("groups");
    ObjectNode sales = groups.addObject().put("id", "sales").put("name", "Sales");
    sales.putArray("members").add(memberId);
    sales.put("overflowGroup", "support").put("overflowAfterSeconds", 120);
    groups.addObject().put("id", "support").put("name", "Support").put("policy", "least-busy");
    body.putArray("urlRules").addObject().put("contains", "/pricing").put("group", "sales");
    return body;
  }

  private static String agentIdOf(String token) {
    WireClient a = agent(token);
    try {
      return a.awaitType("welcome", WAIT).path("agentId").asText();
    } finally {
      a.close();
    }
  }

  @Test
  void theRoutingApiStoresAValidConfigurationAndRejectsInvalidOnesWithTypedErrors() {
    String site = newSite();
    String agentToken = server.createAgent(adminToken, site, site + "-ann");
    String member = agentIdOf(agentToken);
    String path = "/api/sites/" + site + "/routing";

    TestServer.Response unconfigured = server.request("GET", path, adminToken, null);
    assertThat(unconfigured.body().path("configured").asBoolean()).isFalse();
    TestServer.Response stored = server.request("PUT", path, adminToken, validRouting(member));
    assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
    TestServer.Response read = server.request("GET", path, agentToken, null);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().path("policy").asText()).isEqualTo("round-robin");
    assertThat(read.body().path("groups").get(0).path("overflowGroup").asText()).isEqualTo("support");
    assertThat(read.body().path("capacities").path(member).asInt()).isEqualTo(4);
    assertThat(read.body().path("autoCloseAfterSeconds").asInt()).isEqualTo(900);
    // The site's dispatcher reloads after the change; each new visitor asks it afresh.
    long deadline = System.nanoTime() + WAIT.toNanos();
    String welcome = null;
    while (!"Hi! How can we help?".equals(welcome) && System.nanoTime() < deadline) {
      try (WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin())) {
        visitor.send(WireClient.frame("hello"));
        welcome = visitor.awaitType("availability", WAIT).path("welcomeMessage").asText();
      }
    }
    assertThat(welcome).isEqualTo("Hi! How can we help?");

    record Bad(String code, String field, java.util.function.Consumer<ObjectNode> change) {}
    List<Bad> bad =
        List.of(
            new Bad("unknown-group", "urlRules[0].group",
                b -> ((ObjectNode) b.path("urlRules").get(0)).put("group", "nope")),
            new Bad("unknown-group", "groups[0].overflowGroup",
                b -> ((ObjectNode) b.path("groups").get(0)).put("overflowGroup", "nope")),
            new Bad("invalid-request", "capacities." + member,
                b -> ((ObjectNode) b.path("capacities")).put(member, -1)),
            new Bad("invalid-request", "defaultCapacity", b -> b.put("defaultCapacity", -3)),
            new Bad("unknown-agent", "groups[0].members[1]",
                b -> ((ArrayNode) b.path("groups").get(0).path("members")).add("someone-else")),
            new Bad("overlapping-hours", "hours",
                b -> ((ArrayNode) b.path("hours")).addObject().put("day", "monday").put("opens", "16:00").put("closes", "18:00")),
            new Bad("invalid-request", "policy", b -> b.put("policy", "fastest")),
            new Bad("invalid-request", "autoCloseAfterSeconds", b -> b.put("autoCloseAfterSeconds", 5)),
            new Bad("invalid-request", "timeZone", b -> b.put("timeZone", "Mars/Olympus")),
            new Bad("invalid-request", "hours[0].opens",
                b -> ((ObjectNode) b.path("hours").get(0)).put("opens", "25:00")),
            new Bad("invalid-request", "holidays[0]", b -> ((ArrayNode) b.path("holidays")).set(0, "christmas")),
            new Bad("conflict", "groups[1].id", b -> ((ObjectNode) b.path("groups").get(1)).put("id", "sales")));
    for (Bad b : bad) {
      ObjectNode body = validRouting(member);
      b.change().accept(body);
      TestServer.Response r = server.request("PUT", path, adminToken, body);
      assertThat(r.body().path("error").path("code").asText()).as(r.toString()).isEqualTo(b.code());
      assertThat(r.body().path("error").path("field").asText()).as(r.toString()).isEqualTo(b.field());
      assertThat(r.status()).isIn(400, 409);
    }
    // Nothing of the rejected documents was stored.
    assertThat(server.request("GET", path, adminToken, null).body()).isEqualTo(read.body());
  }

  @Test
  void noOneChangesTheRoutingOfASiteTheyDoNotAdminister() {
    String site = newSite();
    String other = newSite();
    String agentToken = server.createAgent(adminToken, site, site + "-bo");
    String member = agentIdOf(agentToken);
    String otherAgent = server.createAgent(adminToken, other, other + "-carl");
    TestServer.Response peek =
        server.request("GET", "/api/sites/" + site + "/routing", otherAgent, null);
    assertThat(peek.status()).isEqualTo(404);

    ObjectNode body = validRouting(member);
    TestServer.Response byAgent = server.request("PUT", "/api/sites/" + site + "/routing", agentToken, body);
    TestServer.Response byStranger = server.request("PUT", "/api/sites/" + site + "/routing", otherAgent, body);
    TestServer.Response anonymous = server.request("PUT", "/api/sites/" + site + "/routing", null, body);

    assertThat(byAgent.status()).isEqualTo(403);
    assertThat(byAgent.body().path("error").path("code").asText()).isEqualTo("forbidden");
    assertThat(byStranger.status()).isEqualTo(404);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(server.request("GET", "/api/sites/" + site + "/routing", adminToken, null).body().path("configured").asBoolean())
        .isFalse();
  }

  @Test
  void theOpenApiDocumentDescribesTheRoutingApi() {
    TestServer.Response r = server.request("GET", "/api/openapi.json", null, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("openapi").asText()).startsWith("3.");
    assertThat(r.body().path("paths").has("/api/sites/{siteId}/routing")).isTrue();
  }

  @Test
  void anAgentDeclinesAnOfferAndItGoesToAnotherAgent() {
    String site = newSite();
    String t1 = server.createAgent(adminToken, site, site + "-one");
    String t2 = server.createAgent(adminToken, site, site + "-two");
    server.request(
        "PUT", "/api/sites/" + site + "/routing", adminToken,
        WireClient.JSON.createObjectNode().put("policy", "round-robin").put("defaultCapacity", 1));
    try (WireClient one = agent(t1);
        WireClient two = agent(t2);
        WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin())) {
      one.awaitType("welcome", WAIT);
      two.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("hello"));
      visitor.await(f -> "availability".equals(f.path("type").asText()) && "open".equals(f.path("status").asText()), WAIT);
      visitor.send(WireClient.frame("send").put("id", "m1").put("text", "hello?"));
      String conversation = visitor.awaitType("ack", WAIT).path("conversationId").asText();

      // Whoever gets the offer first declines; the other one is offered it and accepts.
      JsonNode offer = awaitEither(one, two, "offer");
      WireClient first = offer.path("_by").asInt() == 1 ? one : two;
      WireClient second = first == one ? two : one;
      assertThat(offer.path("conversationId").asText()).isEqualTo(conversation);
      first.send(WireClient.frame("decline").put("id", "d1").put("conversationId", conversation));
      first.await(f -> "offerEnded".equals(f.path("type").asText()) && "declined".equals(f.path("reason").asText()), WAIT);
      second.awaitType("offer", WAIT);
      second.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversation));
      assertThat(second.await(f -> "c1".equals(f.path("id").asText()), WAIT).path("type").asText()).isEqualTo("ack");
      visitor.await(f -> "position".equals(f.path("type").asText()) && f.path("position").asInt() == 0, WAIT);
    }
  }

  private static JsonNode awaitEither(WireClient one, WireClient two, String type) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 1; i <= 2; i++) {
        WireClient c = i == 1 ? one : two;
        for (JsonNode f : c.all()) {
          if (type.equals(f.path("type").asText())) {
            ObjectNode copy = f.deepCopy();
            copy.put("_by", i);
            return copy;
          }
        }
      }
      one.roundTrip(WAIT); // yields until more frames may have arrived, without a fixed sleep
    }
    throw new AssertionError("no " + type + " within " + WAIT);
  }

  @Test
  void aTransferWithANoteReachesTheNewAgentAndTheVisitorSeesNoNoteAndNoGap() {
    String site = newSite();
    String t1 = server.createAgent(adminToken, site, site + "-ada");
    String t2 = server.createAgent(adminToken, site, site + "-ben");
    try (WireClient one = agent(t1);
        WireClient two = agent(t2);
        WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin())) {
      one.awaitType("welcome", WAIT);
      String twoId = two.awaitType("welcome", WAIT).path("agentId").asText();
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "m1").put("text", "refund please"));
      String conversation = visitor.awaitType("ack", WAIT).path("conversationId").asText();
      one.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversation));
      assertThat(one.await(f -> "c1".equals(f.path("id").asText()), WAIT).path("seq").asLong()).isEqualTo(2);

      one.send(
          WireClient.frame("transfer")
              .put("id", "t1")
              .put("conversationId", conversation)
              .put("toAgent", twoId)
              .put("note", "VIP customer, approve the refund"));
      assertThat(one.await(f -> "t1".equals(f.path("id").asText()), WAIT).path("type").asText()).isEqualTo("ack");
      JsonNode note = two.awaitType("note", WAIT);
      assertThat(note.path("text").asText()).isEqualTo("VIP customer, approve the refund");
      assertThat(note.path("noteSeq").asLong()).isEqualTo(1);
      two.send(WireClient.frame("note").put("id", "n2").put("conversationId", conversation).put("text", "refunded"));
      two.await(f -> "note".equals(f.path("type").asText()) && f.path("noteSeq").asLong() == 2, WAIT);
      two.send(WireClient.frame("send").put("id", "s1").put("conversationId", conversation).put("text", "Done!"));
      assertThat(two.await(f -> "s1".equals(f.path("id").asText()), WAIT).path("seq").asLong()).isEqualTo(5);

      visitor.await(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() == 5, WAIT);
      visitor.roundTrip(WAIT);
      List<Long> seqs = new ArrayList<>();
      for (JsonNode f : visitor.all()) {
        assertThat(f.path("type").asText()).isNotEqualTo("note");
        assertThat(f.toString()).doesNotContain("VIP").doesNotContain("refunded");
        if ("event".equals(f.path("type").asText())) {
          seqs.add(f.path("seq").asLong());
        }
      }
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(visitor.all().stream().filter(f -> f.path("seq").asLong() == 3).findFirst().orElseThrow()
              .path("kind").asText())
          .isEqualTo("transferred");
    }
  }

  @Test
  void aVisitorWhoLeavesUnansweredBecomesAReminderAndAServedVisitorRates() {
    String site = newSite();
    String token = server.createAgent(adminToken, site, site + "-cy");
    try (WireClient agent = agent(token);
        WireClient gone = WireClient.connect(server.visitorUri(site), server.origin());
        WireClient served = WireClient.connect(server.visitorUri(site), server.origin())) {
      agent.awaitType("welcome", WAIT);
      gone.send(WireClient.frame("hello"));
      gone.awaitType("welcome", WAIT);
      gone.send(WireClient.frame("send").put("id", "g1").put("text", "anyone?"));
      String missed = gone.awaitType("ack", WAIT).path("conversationId").asText();
      gone.send(WireClient.frame("close").put("id", "g2").put("conversationId", missed));
      gone.await(f -> "g2".equals(f.path("id").asText()), WAIT);

      agent.await(
          f -> QueueMirror.isQueueFrame(f)
              && f.path("missed").size() == 1
              && f.path("missed").get(0).path("conversationId").asText().equals(missed),
          WAIT);

      served.send(WireClient.frame("hello"));
      served.awaitType("welcome", WAIT);
      served.send(WireClient.frame("send").put("id", "s1").put("text", "hello"));
      String conversation = served.awaitType("ack", WAIT).path("conversationId").asText();
      agent.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversation));
      agent.await(f -> "c1".equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), WAIT);
      agent.send(WireClient.frame("close").put("id", "c2").put("conversationId", conversation));
      served.await(f -> "event".equals(f.path("type").asText()) && "closed".equals(f.path("kind").asText()), WAIT);

      served.send(WireClient.frame("rate").put("id", "r0").put("conversationId", conversation).put("score", 9));
      JsonNode bad = served.await(f -> "r0".equals(f.path("ref").asText()), WAIT);
      assertThat(bad.path("code").asText()).isEqualTo("invalid-field");
      served.send(
          WireClient.frame("rate").put("id", "r1").put("conversationId", conversation).put("score", 5).put("comment", "fast"));
      assertThat(served.await(f -> "r1".equals(f.path("id").asText()), WAIT).path("type").asText()).isEqualTo("ack");
      agent.send(WireClient.frame("rate").put("id", "r2").put("conversationId", conversation).put("score", 1));
      assertThat(agent.await(f -> "r2".equals(f.path("ref").asText()), WAIT).path("code").asText()).isEqualTo("not-allowed");
    }
  }
}
