package dev.parley.edge.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The history, search and export APIs on a real server with real WebSocket clients and real projections. */
class HistoryApiTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aChatThroughTheWebSocketsAppearsInTheListTranscriptsAndSearch() throws Exception {
    String agentName = unique("mei");
    String agentToken = server.createAgent(adminToken, "demo", agentName);
    String conversation;
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri("demo"), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String first = visitor.send(null, "请问茉莉花茶什么时候发货？ <script>alert(1)</script>");
      visitor.awaitState(c -> c.ack(first) != null, WAIT);
      conversation = visitor.ack(first).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String reply = agent.send(conversation, "=HYPERLINK(\"http://evil\") Shipping today");
      agent.awaitState(c -> c.ack(reply) != null, WAIT);
    }
    JsonNode row = await("/api/sites/demo/conversations/" + conversation, adminToken,
        r -> r.path("agentMessages").asInt() == 1);
    assertThat(row.path("status").asText()).isEqualTo("assigned");
    assertThat(row.path("visitorMessages").asInt()).isEqualTo(1);
    assertThat(row.path("firstResponseAt").isNull()).isFalse();

    // Messages are another read model than the conversation row: each catches up on its own.
    JsonNode transcript = await("/api/sites/demo/conversations/" + conversation + "/transcript", adminToken,
        r -> r.path("entries").size() >= 3);
    assertThat(transcript.path("entries")).hasSize(3);
    assertThat(transcript.path("entries").get(0).path("body").asText()).startsWith("请问茉莉花茶");

    Raw html = raw("/api/sites/demo/conversations/" + conversation + "/transcript.html", adminToken);
    assertThat(html.status()).isEqualTo(200);
    assertThat(html.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
    assertThat(html.header("content-security-policy")).contains("default-src 'none'");
    Raw text = raw("/api/sites/demo/conversations/" + conversation + "/transcript.txt", adminToken);
    assertThat(text.body()).contains("visitor").contains("Shipping today");

    JsonNode hits = await("/api/sites/demo/search?q=" + enc("发货"), adminToken, r -> r.path("hits").size() > 0);
    JsonNode hit = hits.path("hits").get(0);
    assertThat(hit.path("conversationId").asText()).isEqualTo(conversation);
    JsonNode mark = hit.path("snippet").path("marks").get(0);
    assertThat(hit.path("snippet").path("text").asText().substring(mark.path("start").asInt(), mark.path("end").asInt()))
        .isEqualTo("发货");
    assertThat(get("/api/sites/demo/search?q=ship", adminToken).body().path("hits")).hasSize(1);

    // The agent sees the chat they took part in; another agent of the site does not.
    assertThat(get("/api/sites/demo/conversations/" + conversation, agentToken).status()).isEqualTo(200);
    String other = server.createAgent(adminToken, "demo", unique("other"));
    assertThat(get("/api/sites/demo/conversations/" + conversation, other).status()).isEqualTo(404);
    assertThat(get("/api/sites/demo/search?q=" + enc("发货"), other).body().path("hits")).isEmpty();
    assertThat(raw("/api/sites/demo/exports/conversations.csv", agentToken).status()).isEqualTo(403);

    // The export is CSV-injection safe, and says how many rows follow and where to follow progress.
    Raw csv = raw("/api/sites/demo/exports/messages.csv?visitor=" + enc(row.path("visitorId").asText()), adminToken);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("content-disposition")).matches("attachment; filename=\"parley-demo-messages-[0-9-]+\\.csv\"");
    assertThat(csv.header("x-total-rows")).isEqualTo("3");
    assertThat(csv.body()).contains("'=HYPERLINK(\"\"http://evil\"\") Shipping today").doesNotContain(",=HYPERLINK");
    JsonNode job = await("/api/sites/demo/exports/" + csv.header("x-export-id"), adminToken,
        r -> r.path("state").asText().equals("done"));
    assertThat(job.path("rowsWritten").asLong()).isEqualTo(3);
  }

  @Test
  void anotherSitesAdminSeesNothingOfThisSite() throws Exception {
    String rival = unique("rival");
    server.createSite(adminToken, rival);
    ObjectNode body = WireClient.JSON.createObjectNode().put("username", unique("boss")).put("role", "admin");
    TestServer.Response created = server.request("POST", "/api/sites/" + rival + "/accounts", adminToken, body);
    assertThat(created.status()).isEqualTo(201);
    String rivalAdmin = server.login(body.path("username").asText(), created.body().path("password").asText());
    String conversation = insertConversations("demo", 1, Instant.now()).get(0);

    for (String path :
        List.of(
            "/api/sites/demo/conversations",
            "/api/sites/demo/conversations/" + conversation,
            "/api/sites/demo/conversations/" + conversation + "/transcript",
            "/api/sites/demo/conversations/" + conversation + "/transcript.txt",
            "/api/sites/demo/conversations/" + conversation + "/transcript.html",
            "/api/sites/demo/search?q=hello",
            "/api/sites/demo/exports/conversations.csv",
            "/api/sites/demo/exports/messages.csv",
            "/api/sites/demo/exports/" + UUID.randomUUID())) {
      Raw r = raw(path, rivalAdmin);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).doesNotContain(conversation);
    }
    // Through its own site, the rival admin cannot reach this site's rows either.
    assertThat(get("/api/sites/" + rival + "/conversations/" + conversation, rivalAdmin).status()).isEqualTo(404);
    assertThat(get("/api/sites/" + rival + "/conversations", rivalAdmin).body().path("items")).isEmpty();
    assertThat(raw("/api/sites/demo/conversations", null).status()).isEqualTo(401);
  }

  @Test
  void pagesNeitherRepeatNorSkipWhileNewConversationsArrive() throws Exception {
    String site = unique("paging");
    server.createSite(adminToken, site);
    Instant base = Instant.parse("2025-01-01T00:00:00Z");
    // 25 conversations, several opened at the very same microsecond (ties are broken by id).
    List<String> original = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      original.addAll(insertConversations(site, 5, base.plusSeconds(i)));
    }
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path = "/api/sites/" + site + "/conversations?limit=7" + (cursor == null ? "" : "&cursor=" + enc(cursor));
      JsonNode page = get(path, adminToken).body();
      for (JsonNode item : page.path("items")) {
        String id = item.path("conversationId").asText();
        assertThat(seen.add(id)).as("repeated " + id).isTrue();
        order.add(id);
      }
      // New conversations arrive between pages.
      insertConversations(site, 3, Instant.now());
      cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
      pages++;
    } while (cursor != null && pages < 20);
    // Exactly the 25 that existed when paging began: none of the 12 that arrived meanwhile, none twice or missing.
    assertThat(pages).isEqualTo(4);
    assertThat(order).containsExactlyInAnyOrderElementsOf(original);
    assertThat(get("/api/sites/" + site + "/conversations?cursor=bm9wZQ", adminToken).status()).isEqualTo(400);
    assertThat(get("/api/sites/" + site + "/conversations?status=lost", adminToken).status()).isEqualTo(400);
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Rows straight into the read model (what its projection would write), for paging without a real chat. */
  private static List<String> insertConversations(String site, int n, Instant openedAt) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
        PreparedStatement s = c.prepareStatement(
            "INSERT INTO read_conversations (conversation_id, site_id, visitor_id, status, opened_at) VALUES (?, ?, ?, 'waiting', ?)")) {
      for (int i = 0; i < n; i++) {
        String id = UUID.randomUUID().toString();
        s.setString(1, id);
        s.setString(2, site);
        s.setString(3, "v-" + id.substring(0, 6));
        s.setTimestamp(4, Timestamp.from(openedAt));
        s.addBatch();
        ids.add(id);
      }
      s.executeBatch();
    }
    return ids;
  }

  record Raw(int status, String body, java.net.http.HttpHeaders headers) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  static Raw raw(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Raw(r.statusCode(), r.body(), r.headers());
  }

  static TestServer.Response get(String path, String token) {
    return server.request("GET", path, token, null);
  }

  static JsonNode await(String path, String token, Predicate<JsonNode> condition) {
    return server.awaitJson(path, token, condition, WAIT);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
