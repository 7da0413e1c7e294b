package dev.parley.edge.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The audit log API on a real server: sign-ins, account and configuration changes, exports and transfers (the
 * last from the journal, by a projection) appear with who, what, when and from where; filters and pages work; admins
 * only; another site's admin sees nothing.
 */
class AuditApiTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void signInsChangesExportsAndTransfersAreInTheSitesAuditLog() throws Exception {
    String site = unique("audited");
    server.createSite(adminToken, site);
    String adaName = site + "-ada";
    String ada = server.createAgent(adminToken, site, adaName);
    String ben = server.createAgent(adminToken, site, site + "-ben");
    TestServer.Response wrong =
        server.request("POST", "/api/auth/login", null, Map.of("username", adaName, "password", "nope-nope-nope"));
    assertThat(wrong.status()).isEqualTo(401);
    ObjectNode zone = WireClient.JSON.createObjectNode().put("timeZone", "Asia/Shanghai");
    assertThat(server.request("PUT", "/api/sites/" + site + "/time-zone", adminToken, zone).status()).isEqualTo(200);
    java.net.http.HttpResponse<String> csv = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/sites/" + site + "/exports/conversations.csv"))
            .header("Authorization", "Bearer " + adminToken).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(200);

    String conversation;
    String benId;
    try (WireClient one = agent(ada);
        WireClient two = agent(ben);
        WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin())) {
      one.awaitType("welcome", WAIT);
      benId = two.awaitType("welcome", WAIT).path("agentId").asText();
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "m1").put("text", "refund please"));
      conversation = visitor.awaitType("ack", WAIT).path("conversationId").asText();
      one.send(WireClient.frame("claim").put("id", "c1").put("conversationId", conversation));
      one.await(f -> "c1".equals(f.path("id").asText()), WAIT);
      one.send(WireClient.frame("transfer").put("id", "t1").put("conversationId", conversation).put("toAgent", benId));
      assertThat(one.await(f -> "t1".equals(f.path("id").asText()), WAIT).path("type").asText()).isEqualTo("ack");
    }

    JsonNode log = await("/api/sites/" + site + "/audit", adminToken,
        r -> actions(r).contains("conversation.transfer"));
    Set<String> actions = actions(log);
    assertThat(actions).contains(
        "site.create", "accounts.create", "auth.sign-in", "auth.sign-in-failed", "time-zone.set", "exports.download",
        "conversation.transfer");
    JsonNode transfer = entry(log, "conversation.transfer");
    assertThat(transfer.path("target").asText()).isEqualTo(conversation);
    assertThat(transfer.path("detail").asText()).isEqualTo("to agent:" + benId);
    JsonNode created = entry(log, "accounts.create");
    assertThat(created.path("actor").asText()).isNotBlank();
    assertThat(created.path("address").asText()).isEqualTo("127.0.0.1");
    assertThat(created.path("at").asText()).isNotBlank();
    JsonNode signIn = entry(log, "auth.sign-in");
    assertThat(signIn.path("address").asText()).isEqualTo("127.0.0.1");
    // No request body (passwords) is ever recorded.
    assertThat(log.toString()).doesNotContain("nope-nope-nope");

    // Filters: by action prefix and by actor; pages by `before`.
    JsonNode auth = get("/api/sites/" + site + "/audit?action=auth.", adminToken).body();
    assertThat(actions(auth)).allMatch(a -> a.startsWith("auth."));
    String actor = signIn.path("actor").asText();
    assertThat(get("/api/sites/" + site + "/audit?actor=" + actor, adminToken).body().path("entries"))
        .allMatch(e -> e.path("actor").asText().equals(actor));
    List<Long> ids = new ArrayList<>();
    String path = "/api/sites/" + site + "/audit?limit=2";
    for (int page = 0; page < 50; page++) {
      JsonNode body = get(path, adminToken).body();
      body.path("entries").forEach(e -> ids.add(e.path("id").asLong()));
      if (body.path("nextBefore").isNull()) {
        break;
      }
      path = "/api/sites/" + site + "/audit?limit=2&before=" + body.path("nextBefore").asLong();
    }
    assertThat(ids).hasSize(log.path("entries").size()).doesNotHaveDuplicates();
    assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a));

    assertThat(get("/api/sites/" + site + "/audit?limit=0", adminToken).status()).isEqualTo(400);
    assertThat(get("/api/sites/" + site + "/audit?from=yesterday", adminToken).status()).isEqualTo(400);
    // Agents do not read the audit log.
    assertThat(get("/api/sites/" + site + "/audit", ada).status()).isEqualTo(403);
  }

  @Test
  void anotherSitesAdminSeesNothingOfThisSitesAuditLog() {
    String site = unique("mine");
    server.createSite(adminToken, site);
    server.createAgent(adminToken, site, site + "-cai");
    String rival = unique("rival");
    server.createSite(adminToken, rival);
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", unique("boss")).put("role", "admin");
    TestServer.Response created = server.request("POST", "/api/sites/" + rival + "/accounts", adminToken, body);
    String rivalAdmin = server.login(body.path("username").asText(), created.body().path("password").asText());

    assertThat(get("/api/sites/" + site + "/audit", rivalAdmin).status()).isEqualTo(404);
    JsonNode own = get("/api/sites/" + rival + "/audit", rivalAdmin).body();
    assertThat(own.toString()).doesNotContain(site);
    assertThat(actions(own)).doesNotContain("auth.sign-in-failed");
    // The operator who created both sites works for both: the rival's log shows its own creation, once, and
    // nothing of the other site's (nor of any other site the operator ever created).
    List<JsonNode> creations = new ArrayList<>();
    own.path("entries").forEach(e -> {
      if (e.path("action").asText().equals("site.create")) {
        creations.add(e);
      }
    });
    assertThat(creations).hasSize(1);
  }

  private static WireClient agent(String token) {
    WireClient c = WireClient.connect(server.agentUri(), null);
    c.send(WireClient.frame("hello").put("token", token));
    return c;
  }

  private static Set<String> actions(JsonNode log) {
    Set<String> actions = new HashSet<>();
    log.path("entries").forEach(e -> actions.add(e.path("action").asText()));
    return actions;
  }

  private static JsonNode entry(JsonNode log, String action) {
    for (JsonNode e : log.path("entries")) {
      if (e.path("action").asText().equals(action)) {
        return e;
      }
    }
    throw new AssertionError("no " + action + " in " + log);
  }

  static TestServer.Response get(String path, String token) {
    return server.request("GET", path, token, null);
  }

  static JsonNode await(String path, String token, Predicate<JsonNode> condition) {
    return server.awaitJson(path, token, condition, WAIT);
  }
}
