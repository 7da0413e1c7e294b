package dev.parley.edge.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The statistics API on a real server: a real chat through WebSockets and projections, rows in a site's zone. */
class StatisticsApiTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aRealChatCountsForItsAgentWithItsFirstResponseAndRating() throws Exception {
    String site = unique("stats");
    server.createSite(adminToken, site);
    String agentToken = server.createAgent(adminToken, site, unique("lan"));
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "发货了吗？");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      String conversation = visitor.ack(first).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String reply = agent.send(conversation, "Shipped today");
      agent.awaitState(c -> c.ack(reply) != null, WAIT);
    }
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonNode report = await("/api/sites/" + site + "/statistics?by=agent&from=" + today + "&to=" + today, adminToken,
        r -> r.path("total").path("agentMessages").asLong() == 1);
    assertThat(report.path("timeZone").asText()).isEqualTo("UTC");
    assertThat(report.path("total").path("conversations").asLong()).isEqualTo(1);
    assertThat(report.path("total").path("visitorMessages").asLong()).isEqualTo(1);
    assertThat(report.path("total").path("firstResponse").path("count").asLong()).isEqualTo(1);
    assertThat(report.path("total").path("firstResponse").path("medianSeconds").asDouble()).isGreaterThanOrEqualTo(0.0);
    assertThat(report.path("rows")).hasSize(1);
    assertThat(report.path("rows").get(0).path("key").asText()).isNotBlank();
    // An agent of the site does not read the site's statistics.
    assertThat(get("/api/sites/" + site + "/statistics", agentToken).status()).isEqualTo(403);

    // Agent activity: the agent had one chat (still open); the admin had none.
    JsonNode activity = await("/api/sites/" + site + "/agent-activity", adminToken,
        r -> r.path("agents").findValues("conversations").stream().anyMatch(n -> n.asLong() == 1));
    assertThat(activity.path("agents")).hasSize(2);
    JsonNode mine = get("/api/sites/" + site + "/agent-activity", agentToken).body();
    assertThat(mine.path("agents")).hasSize(1);
    assertThat(mine.path("agents").get(0).path("conversations").asLong()).isEqualTo(1);
    assertThat(mine.path("agents").get(0).path("peakConcurrent").asLong()).isEqualTo(1);
    String agentId = mine.path("agents").get(0).path("agentId").asText();
    JsonNode other = activity.path("agents").get(0).path("agentId").asText().equals(agentId)
        ? activity.path("agents").get(1) : activity.path("agents").get(0);
    assertThat(get("/api/sites/" + site + "/agent-activity?agent=" + other.path("agentId").asText(), agentToken).status())
        .isEqualTo(403);
  }

  @Test
  void daysAreTheSitesCalendarOnceItsTimeZoneIsSet() throws Exception {
    String site = unique("zone");
    server.createSite(adminToken, site);
    // 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
    insert(site, Instant.parse("2025-03-01T23:30:00Z"), 4);
    insert(site, Instant.parse("2025-03-02T01:00:00Z"), 2);
    String path = "/api/sites/" + site + "/statistics?from=2025-03-02&to=2025-03-02";
    JsonNode utc = get(path, adminToken).body();
    assertThat(utc.path("total").path("conversations").asLong()).isEqualTo(1);

    ObjectNode zone = WireClient.JSON.createObjectNode().put("timeZone", "Asia/Shanghai");
    assertThat(server.request("PUT", "/api/sites/" + site + "/time-zone", adminToken, zone).status()).isEqualTo(200);
    assertThat(get("/api/sites/" + site + "/time-zone", adminToken).body().path("timeZone").asText())
        .isEqualTo("Asia/Shanghai");
    JsonNode shanghai = get(path + "&by=hour", adminToken).body();
    assertThat(shanghai.path("timeZone").asText()).isEqualTo("Asia/Shanghai");
    assertThat(shanghai.path("total").path("conversations").asLong()).isEqualTo(2);
    assertThat(shanghai.path("total").path("ratings").path("average").asDouble()).isEqualTo(3.0);
    assertThat(shanghai.path("total").path("ratings").path("distribution").toString()).isEqualTo("[0,1,0,1,0]");
    assertThat(shanghai.path("rows")).extracting(r -> r.path("key").asText())
        .containsExactly("2025-03-02T07:00", "2025-03-02T09:00");
  }

  @Test
  void badParametersAreRefusedAndChangeNothing() {
    String site = unique("bad");
    server.createSite(adminToken, site);
    for (String query : List.of("by=week", "from=yesterday", "from=2025-03-02&to=2025-03-01", "from=2024-01-01&to=2025-03-01")) {
      TestServer.Response r = get("/api/sites/" + site + "/statistics?" + query, adminToken);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.body().path("error").path("code").asText()).as(query).isNotBlank();
    }
    for (String name : List.of("Mars/Olympus", "+08:00", "")) {
      ObjectNode zone = WireClient.JSON.createObjectNode().put("timeZone", name);
      assertThat(server.request("PUT", "/api/sites/" + site + "/time-zone", adminToken, zone).status()).as(name).isEqualTo(400);
    }
    assertThat(get("/api/sites/" + site + "/time-zone", adminToken).body().path("timeZone").asText()).isEqualTo("UTC");
  }

  @Test
  void anotherSitesAdminSeesNothingOfThisSite() throws Exception {
    String site = unique("mine");
    server.createSite(adminToken, site);
    insert(site, Instant.now(), 5);
    String rival = unique("rival");
    server.createSite(adminToken, rival);
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", unique("boss")).put("role", "admin");
    TestServer.Response created = server.request("POST", "/api/sites/" + rival + "/accounts", adminToken, body);
    String rivalAdmin = server.login(body.path("username").asText(), created.body().path("password").asText());

    for (String path : List.of("/api/sites/" + site + "/statistics", "/api/sites/" + site + "/time-zone",
        "/api/sites/" + site + "/agent-activity")) {
      assertThat(get(path, rivalAdmin).status()).as(path).isEqualTo(404);
    }
    ObjectNode zone = WireClient.JSON.createObjectNode().put("timeZone", "Asia/Tokyo");
    assertThat(server.request("PUT", "/api/sites/" + site + "/time-zone", rivalAdmin, zone).status()).isEqualTo(404);
    assertThat(get("/api/sites/" + site + "/time-zone", adminToken).body().path("timeZone").asText()).isEqualTo("UTC");
    assertThat(get("/api/sites/" + rival + "/statistics", rivalAdmin).body().path("total").path("conversations").asLong())
        .isZero();
    assertThat(get("/api/sites/" + site + "/statistics", null).status()).isEqualTo(401);
  }

  // ---------------------------------------------------------------------------------------------------------

  /** A closed conversation's row as the conversations projection writes it, answered after 30 s. */
  private static void insert(String site, Instant opened, int rating) throws Exception {
    try (Connection c = DriverManager.getConnection(server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
        PreparedStatement s = c.prepareStatement(
            "INSERT INTO read_conversations (conversation_id, site_id, visitor_id, status, agent_id, opened_at,"
                + " first_assigned_at, first_response_at, closed_at, visitor_messages, agent_messages, rating)"
                + " VALUES (?, ?, 'v', 'closed', 'agent-x', ?, ?, ?, ?, 1, 1, ?)")) {
      s.setString(1, UUID.randomUUID().toString());
      s.setString(2, site);
      s.setTimestamp(3, Timestamp.from(opened));
      s.setTimestamp(4, Timestamp.from(opened.plusSeconds(5)));
      s.setTimestamp(5, Timestamp.from(opened.plusSeconds(30)));
      s.setTimestamp(6, Timestamp.from(opened.plusSeconds(300)));
      s.setShort(7, (short) rating);
      s.executeUpdate();
    }
  }

  static TestServer.Response get(String path, String token) {
    return server.request("GET", path, token, null);
  }

  static JsonNode await(String path, String token, Predicate<JsonNode> condition) {
    return server.awaitJson(path, token, condition, WAIT);
  }
}
