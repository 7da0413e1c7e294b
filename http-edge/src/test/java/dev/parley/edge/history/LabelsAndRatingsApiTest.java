package dev.parley.edge.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Labels and ratings over HTTP on a real server, with real WebSocket clients and real projections. */
class LabelsAndRatingsApiTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void anAgentLabelsTheirChatTheListFiltersOnItAndTheRatingIsListedWithItsComment() throws Exception {
    String site = unique("labels");
    server.createSite(adminToken, site);
    String agentToken = server.createAgent(adminToken, site, unique("jun"));
    String conversation;
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "我要退货");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      conversation = visitor.ack(first).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String rate = UUID.randomUUID().toString();
      visitor.sendIfConnected(WireClient.frame("rate").put("id", rate).put("conversationId", conversation)
          .put("score", 2).put("comment", "太慢了"));
      visitor.awaitState(c -> c.ack(rate) != null, WAIT);
    }
    String labels = "/api/sites/" + site + "/conversations/" + conversation + "/labels/";
    TestServer.Response vip = server.request("PUT", labels + "VIP", agentToken, null);
    assertThat(vip.status()).isEqualTo(200);
    assertThat(vip.body().path("labels").toString()).isEqualTo("[\"vip\"]");
    TestServer.Response refund = server.request("PUT", labels + enc("退货"), agentToken, null);
    assertThat(refund.body().path("labels").toString()).isEqualTo("[\"vip\",\"退货\"]");
    assertThat(server.request("PUT", labels + "vip", agentToken, null).body().path("labels")).hasSize(2);
    TestServer.Response removed = server.request("DELETE", labels + "Vip", adminToken, null);
    assertThat(removed.body().path("labels").toString()).as(removed.toString()).isEqualTo("[\"退货\"]");
    assertThat(server.request("DELETE", labels + "vip", agentToken, null).body().path("labels")).hasSize(1);
    TestServer.Response tooLong = server.request("PUT", labels + "x".repeat(41), agentToken, null);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.body().path("error").path("code").asText()).isEqualTo("invalid-label");
    assertThat(server.request("PUT", "/api/sites/" + site + "/conversations/" + UUID.randomUUID() + "/labels/vip",
        agentToken, null).status()).isEqualTo(404);

    JsonNode list = await("/api/sites/" + site + "/conversations?label=" + enc("退货"), adminToken,
        r -> r.path("items").size() == 1 && r.path("items").get(0).path("labels").size() == 1);
    assertThat(list.path("items").get(0).path("labels").toString()).isEqualTo("[\"退货\"]");
    assertThat(get("/api/sites/" + site + "/conversations?label=vip", adminToken).body().path("items")).isEmpty();

    JsonNode ratings = await("/api/sites/" + site + "/ratings?maxScore=3", adminToken, r -> r.path("items").size() == 1);
    JsonNode rating = ratings.path("items").get(0);
    assertThat(rating.path("conversationId").asText()).isEqualTo(conversation);
    assertThat(rating.path("score").asInt()).isEqualTo(2);
    assertThat(rating.path("comment").asText()).isEqualTo("太慢了");
    assertThat(get("/api/sites/" + site + "/ratings?score=5", adminToken).body().path("items")).isEmpty();
    assertThat(get("/api/sites/" + site + "/ratings?commented=true", agentToken).body().path("items")).hasSize(1);
    String other = server.createAgent(adminToken, site, unique("other"));
    assertThat(get("/api/sites/" + site + "/ratings", other).body().path("items")).isEmpty();
    assertThat(get("/api/sites/" + site + "/ratings?score=9", adminToken).status()).isEqualTo(400);
    assertThat(get("/api/sites/" + site + "/ratings?commented=maybe", adminToken).status()).isEqualTo(400);
  }

  @Test
  void anotherSitesAdminSeesNothingOfThisSitesRatingsAndCannotLabelItsConversations() throws Exception {
    String site = unique("mine");
    server.createSite(adminToken, site);
    String rival = unique("rival");
    server.createSite(adminToken, rival);
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", unique("boss")).put("role", "admin");
    TestServer.Response created = server.request("POST", "/api/sites/" + rival + "/accounts", adminToken, body);
    String rivalAdmin = server.login(body.path("username").asText(), created.body().path("password").asText());
    String conversation;
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "hello");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      conversation = visitor.ack(first).path("conversationId").asText();
    }
    assertThat(get("/api/sites/" + site + "/ratings", rivalAdmin).status()).isEqualTo(404);
    assertThat(server.request("PUT", "/api/sites/" + site + "/conversations/" + conversation + "/labels/x", rivalAdmin, null)
        .status()).isEqualTo(404);
    // Through its own site's path, the conversation of this site is unknown.
    assertThat(server.request("PUT", "/api/sites/" + rival + "/conversations/" + conversation + "/labels/x", rivalAdmin, null)
        .status()).isEqualTo(404);
    assertThat(server.request("PUT", "/api/sites/" + site + "/conversations/" + conversation + "/labels/x", null, null)
        .status()).isEqualTo(401);
    for (String path : List.of("/api/sites/" + site + "/conversations/" + conversation)) {
      JsonNode row = await(path, adminToken, r -> true);
      assertThat(row.path("labels")).isEmpty();
    }
  }

  static TestServer.Response get(String path, String token) {
    return server.request("GET", path, token, null);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static JsonNode await(String path, String token, Predicate<JsonNode> condition) {
    return server.awaitJson(path, token, condition, WAIT);
  }
}
