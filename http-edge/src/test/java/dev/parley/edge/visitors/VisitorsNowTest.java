package dev.parley.edge.visitors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.GeoDatabase;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live visitor list over real WebSockets against a real node with the real city database: visitors come
 * through a trusted proxy (127.0.0.1) that names their address in X-Forwarded-For; an agent's list shows where
 * they are, how they came and from which city, filtered on the server and coalesced to about one update a second.
 */
class VisitorsNowTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String CHROME =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

  private static TestServer server;
  private static String admin;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of(
                "parley.edge.admission.trusted-proxies", "127.0.0.1",
                "parley.geo.city-database", GeoDatabase.cityPath()));
    admin = server.adminToken();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static WireClient agent(String site) {
    String token = server.createAgent(admin, site, "agent-" + UUID.randomUUID().toString().substring(0, 8));
    WireClient c = WireClient.connect(server.agentUri(), null);
    c.send(WireClient.frame("hello").put("token", token));
    c.awaitType("welcome", WAIT);
    return c;
  }

  private static WireClient visitor(String site, String address) {
    WireClient c =
        WireClient.connect(
            server.visitorUri(site), server.origin(), Map.of("X-Forwarded-For", address, "User-Agent", CHROME));
    c.send(WireClient.frame("hello"));
    c.awaitType("welcome", WAIT);
    return c;
  }

  private static String newSite() {
    String site = "shop-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(admin, site);
    return site;
  }

  private static JsonNode watch(WireClient agent, String site, Map<String, Object> filter, String lang) {
    var frame = WireClient.frame("watchVisitors").put("siteId", site);
    if (lang != null) {
      frame.put("lang", lang);
    }
    if (!filter.isEmpty()) {
      frame.set("filter", WireClient.JSON.valueToTree(filter));
    }
    agent.send(frame);
    return agent.await(f -> f.path("type").asText().equals("visitors") && site.equals(f.path("siteId").asText()), WAIT);
  }

  /** The newest state of {@code visitorId} the agent was sent (snapshot or change), or null if none / removed. */
  private static JsonNode latest(WireClient agent, String site, String visitorId) {
    JsonNode found = null;
    for (JsonNode f : agent.all()) {
      String type = f.path("type").asText();
      if (!site.equals(f.path("siteId").asText())) {
        continue;
      }
      if (type.equals("visitors")) {
        found = null;
      }
      for (JsonNode gone : f.path("removed")) {
        if (gone.asText().equals(visitorId)) {
          found = null;
        }
      }
      for (JsonNode v : type.equals("visitors") ? f.path("visitors") : f.path("upserted")) {
        if (v.path("visitorId").asText().equals(visitorId)) {
          found = v;
        }
      }
    }
    return found;
  }

  private static JsonNode awaitVisitor(
      WireClient agent, String site, String visitorId, java.util.function.Predicate<JsonNode> match) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode v = latest(agent, site, visitorId);
      if (v != null && match.test(v)) {
        return v;
      }
      agent.await(f -> f.path("type").asText().startsWith("visitors"), Duration.ofMillis(1500 + 100));
    }
    throw new AssertionError("visitor " + visitorId + " never matched; last: " + latest(agent, site, visitorId));
  }

  @Test
  void aVisitorBrowsingThreePagesAppearsWithPagesPlaceCampaignAndSearchWords() {
    String site = newSite();
    try (WireClient agent = agent(site)) {
      JsonNode empty = watch(agent, site, Map.of(), "zh-CN");
      assertThat(empty.path("total").asInt()).isZero();
      try (WireClient visitor = visitor(site, GeoDatabase.BEIJING)) {
        String visitorId = visitor.all().get(0).path("visitorId").asText();
        visitor.send(
            WireClient.frame("page")
                .put("url", "https://shop.example/?utm_source=newsletter&utm_campaign=spring-tea")
                .put("title", "Tea shop")
                .put("referrer", "https://www.baidu.com/s?wd=%E8%8C%89%E8%8E%89%E8%8A%B1%E8%8C%B6"));
        visitor.send(WireClient.frame("page").put("url", "https://shop.example/jasmine").put("title", "Jasmine"));
        visitor.send(WireClient.frame("page").put("url", "https://shop.example/cart").put("title", "Cart"));

        JsonNode v = awaitVisitor(agent, site, visitorId, x -> x.path("pagesSeen").asInt() == 3);
        assertThat(v.path("pageUrl").asText()).isEqualTo("https://shop.example/cart");
        assertThat(v.path("pageTitle").asText()).isEqualTo("Cart");
        assertThat(v.path("city").asText()).isEqualTo("北京");
        assertThat(v.path("countryCode").asText()).isEqualTo("CN");
        assertThat(v.path("country").asText()).isEqualTo("中国");
        assertThat(v.path("searchKeyword").asText()).isEqualTo("茉莉花茶");
        assertThat(v.path("referrer").asText()).startsWith("https://www.baidu.com/");
        assertThat(v.path("utm").path("campaign").asText()).isEqualTo("spring-tea");
        assertThat(v.path("device").path("browser").asText()).startsWith("Chrome");
        assertThat(v.path("visits").asInt()).isEqualTo(1);
        assertThat(v.path("returning").asBoolean()).isFalse();
        assertThat(v.path("chat").asText()).isEqualTo("none");
        assertThat(v.toString()).doesNotContain(GeoDatabase.BEIJING);

        // Chat state follows the conversation: waiting in the queue, chatting once an agent has it.
        visitor.send(WireClient.frame("send").put("id", "m1").put("text", "Is jasmine tea in stock?"));
        JsonNode ack = visitor.await(f -> f.path("type").asText().equals("ack"), WAIT);
        String conversation = ack.path("conversationId").asText();
        awaitVisitor(agent, site, visitorId, x -> x.path("chat").asText().equals("waiting"));
        agent.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversation));
        JsonNode chatting = awaitVisitor(agent, site, visitorId, x -> x.path("chat").asText().equals("chatting"));
        assertThat(chatting.path("conversationId").asText()).isEqualTo(conversation);
      }
    }
  }

  @Test
  void theServerFiltersByCountryAndTextAndNamesPlacesInTheWatchersLanguage() {
    String site = newSite();
    try (WireClient agent = agent(site);
        WireClient beijing = visitor(site, GeoDatabase.BEIJING);
        WireClient belfast = visitor(site, GeoDatabase.BELFAST)) {
      String belfastId = belfast.all().get(0).path("visitorId").asText();
      beijing.send(WireClient.frame("page").put("url", "https://shop.example/green").put("title", "Green tea"));
      belfast.send(WireClient.frame("page").put("url", "https://shop.example/black").put("title", "Black tea"));
      beijing.roundTrip(WAIT);
      // Each visitor's session told the registry before answering the ping, so the watch below comes after.
      belfast.roundTrip(WAIT);

      JsonNode gb = watch(agent, site, Map.of("country", "gb"), null);
      assertThat(gb.path("total").asInt()).isEqualTo(1);
      assertThat(gb.path("visitors")).hasSize(1);
      assertThat(gb.path("visitors").get(0).path("visitorId").asText()).isEqualTo(belfastId);
      assertThat(gb.path("visitors").get(0).path("city").asText()).isEqualTo("Belfast");

      JsonNode green = watch(agent, site, Map.of("text", "GREEN"), "en");
      assertThat(green.path("total").asInt()).isEqualTo(1);
      assertThat(green.path("visitors").get(0).path("city").asText()).isEqualTo("Beijing");

      JsonNode limited = watch(agent, site, Map.of(), null);
      assertThat(limited.path("total").asInt()).isEqualTo(2);
    }
  }

  @Test
  void manyPagesMakeAtMostAboutOneUpdateASecondAndALeftVisitorIsRemoved() throws Exception {
    String site = newSite();
    try (WireClient agent = agent(site)) {
      watch(agent, site, Map.of(), null);
      WireClient visitor = visitor(site, GeoDatabase.BELFAST);
      String visitorId = visitor.all().get(0).path("visitorId").asText();
      long start = System.nanoTime();
      for (int i = 1; i <= 10; i++) { // the page rate allows a burst of 10
        visitor.send(WireClient.frame("page").put("url", "https://shop.example/p" + i));
      }
      awaitVisitor(agent, site, visitorId, x -> x.path("pagesSeen").asInt() == 10);
      double seconds = (System.nanoTime() - start) / 1e9;
      long updates = agent.all().stream().filter(f -> f.path("type").asText().equals("visitorsChanged")).count();
      // Ten page views in a burst, one arrival: at most one update per tick that saw a change, not one per change.
      assertThat(updates).isLessThanOrEqualTo((long) Math.ceil(seconds) + 1).isLessThan(10);

      visitor.close();
      JsonNode removed =
          agent.await(
              f -> f.path("type").asText().equals("visitorsChanged")
                  && f.path("removed").toString().contains(visitorId),
              VisitorsNow.LINGER.plus(WAIT));
      assertThat(removed.path("total").asInt()).isZero();
    }
  }

  @Test
  void badWatchesGetTypedErrorsAndNoList() {
    String site = newSite();
    String other = newSite();
    try (WireClient agent = agent(site)) {
      agent.send(WireClient.frame("watchVisitors").put("siteId", site).put("limit", 0));
      JsonNode limit = agent.awaitType("error", WAIT);
      assertThat(limit.path("code").asText()).isEqualTo("invalid-field");
      assertThat(limit.path("field").asText()).isEqualTo("limit");
      agent.send(WireClient.frame("watchVisitors").put("siteId", site).set("filter", WireClient.frame("x").put("chat", "maybe")));
      assertThat(agent.await(f -> f.path("field").asText().equals("filter.chat"), WAIT).path("code").asText())
          .isEqualTo("invalid-field");
      agent.send(WireClient.frame("watchVisitors").put("siteId", other));
      JsonNode denied = agent.await(f -> f.path("code").asText().equals("not-allowed"), WAIT);
      assertThat(denied.path("field").asText()).isEqualTo("siteId");
      agent.roundTrip(WAIT);
      List<JsonNode> lists = agent.all().stream().filter(f -> f.path("type").asText().startsWith("visitors")).toList();
      assertThat(lists).isEmpty();
    }
  }
}
