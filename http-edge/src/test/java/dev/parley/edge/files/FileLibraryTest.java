package dev.parley.edge.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The per-site library of common files on a real node (PROTOCOL.md §13): an admin adds a checked upload, agents
 * list it and send it into a conversation with {@code attachment.libraryFileId} (a message with a seq, idempotent on
 * its id, whose file is the conversation's own copy); erasing the conversation leaves the library's file; rename,
 * removal, the site's file limits, and the refusals.
 */
class FileLibraryTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static JsonNode upload(String site, String token, String uploadId, String name, byte[] body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/files/uploads/" + uploadId + "?site=" + site
                        + "&name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    com.fasterxml.jackson.databind.node.ObjectNode answer =
        (com.fasterxml.jackson.databind.node.ObjectNode) WireClient.JSON.readTree(r.body());
    return answer.put("status", r.statusCode());
  }

  private static HttpResponse<byte[]> download(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sendLibraryFile(ChatClient client, String id, String conversationId, String libraryFileId) {
    var frame = WireClient.frame("send").put("id", id).put("conversationId", conversationId);
    frame.putObject("attachment").put("libraryFileId", libraryFileId);
    client.sendIfConnected(frame);
    return id;
  }

  private static JsonNode eventOf(ChatClient client, String conversationId, String messageId) {
    return client.timeline(conversationId).stream()
        .filter(e -> messageId.equals(e.path("id").asText()))
        .findFirst()
        .orElse(null);
  }

  private static long fileRows(String site, String where) throws Exception {
    try (var c = java.sql.DriverManager.getConnection(
            server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
        var ps = c.prepareStatement("SELECT count(*) FROM file_upload WHERE site_id = ? AND " + where)) {
      ps.setString(1, site);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void anAgentSendsALibraryFileOnceAndErasingTheConversationLeavesTheLibrary() throws Exception {
    String site = unique("library");
    server.createSite(adminToken, site);
    String agentToken = server.createAgent(adminToken, site, unique("mei"));
    byte[] chart = SampleFiles.image("png", 300, 200, 4);
    JsonNode uploaded = upload(site, adminToken, "chart-1", "chart.png", chart);
    assertThat(uploaded.path("status").asInt()).as(uploaded.toString()).isEqualTo(200);
    String libraryUrl = uploaded.path("url").asText();

    // An agent may not add; the admin may, and adding the same upload again answers the same entry.
    Map<String, String> add = Map.of("uploadId", "chart-1", "name", "Size chart <b>.png");
    assertThat(server.request("POST", "/api/sites/" + site + "/library", agentToken, add).status()).isEqualTo(403);
    TestServer.Response added = server.request("POST", "/api/sites/" + site + "/library", adminToken, add);
    assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
    String entry = added.body().path("id").asText();
    TestServer.Response again = server.request("POST", "/api/sites/" + site + "/library", adminToken, add);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().path("id").asText()).isEqualTo(entry);

    // Agents list it with their own token.
    TestServer.Response listed = server.request("GET", "/api/sites/" + site + "/library", agentToken, null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body()).hasSize(1);
    assertThat(listed.body().get(0).path("name").asText()).isEqualTo("Size chart <b>.png");
    assertThat(listed.body().get(0).path("type").asText()).isEqualTo("image/png");
    assertThat(listed.body().get(0).path("size").asLong()).isEqualTo(chart.length);

    String conversation;
    String visitorId;
    String sentFileId;
    String copyUrl;
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String hello = visitor.send(null, "which size do I need?");
      visitor.awaitState(c -> c.ack(hello) != null, WAIT);
      conversation = visitor.ack(hello).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);

      String sent = sendLibraryFile(agent, UUID.randomUUID().toString(), conversation, entry);
      agent.awaitState(c -> c.ack(sent) != null, WAIT);
      long seq = agent.ack(sent).path("seq").asLong();
      assertThat(seq).isGreaterThan(visitor.ack(hello).path("seq").asLong());
      // The same frame again (its ack lost): the original seq, and no second copy of the bytes.
      sendLibraryFile(agent, sent, conversation, entry);
      agent.awaitState(c -> c.ack(sent).path("duplicate").asBoolean(false), WAIT);
      assertThat(agent.ack(sent).path("seq").asLong()).isEqualTo(seq);
      assertThat(fileRows(site, "conversation_id = '" + conversation + "'")).isEqualTo(1);

      visitor.awaitState(c -> eventOf(c, conversation, sent) != null, WAIT);
      JsonNode event = eventOf(visitor, conversation, sent);
      assertThat(event.path("seq").asLong()).isEqualTo(seq);
      assertThat(event.path("text").asText()).isEqualTo("Size chart <b>.png");
      JsonNode file = event.path("attachment");
      assertThat(file.path("name").asText()).isEqualTo("Size chart <b>.png");
      assertThat(file.path("type").asText()).isEqualTo("image/png");
      assertThat(file.path("thumbnail").asBoolean()).isTrue();
      sentFileId = file.path("fileId").asText();
      assertThat(sentFileId).isNotEqualTo(uploaded.path("fileId").asText());

      // The visitor, a participant, downloads the conversation's copy: the library's bytes.
      TestServer.Response link =
          server.request("GET", "/files/" + sentFileId + "/link?site=" + site, visitor.token(), null);
      assertThat(link.status()).isEqualTo(200);
      copyUrl = link.body().path("url").asText();
      assertThat(download(copyUrl).body()).isEqualTo(chart);
      assertThat(download(link.body().path("thumbnailUrl").asText()).statusCode()).isEqualTo(200);
      // The visitor may not send from the library, nor by the library's upload id.
      String refused = sendLibraryFile(visitor, UUID.randomUUID().toString(), conversation, entry);
      visitor.awaitState(c -> c.errors().stream().anyMatch(e -> refused.equals(e.path("ref").asText())), WAIT);
      assertThat(visitor.errors().stream().filter(e -> refused.equals(e.path("ref").asText())).findFirst()
          .orElseThrow().path("code").asText()).isEqualTo("not-allowed");
      visitorId = eventOf(visitor, conversation, hello).path("author").path("id").asText();
    }

    // Erasing the visitor erases the conversation's copy, not the library's file.
    TestServer.Response erased =
        server.request("DELETE", "/api/sites/" + site + "/visitors/" + visitorId, adminToken, null);
    assertThat(erased.status()).isEqualTo(202);
    server.awaitJson(erased.body().path("job").asText(), adminToken, j -> "done".equals(j.path("status").asText()), WAIT);
    assertThat(download(copyUrl).statusCode()).isEqualTo(404);
    assertThat(download(libraryUrl).body()).isEqualTo(chart);
    assertThat(server.request("GET", "/api/sites/" + site + "/library", agentToken, null).body()).hasSize(1);

    // Rename, then removal: the entry and its bytes are gone.
    TestServer.Response renamed =
        server.request("PATCH", "/api/sites/" + site + "/library/" + entry, adminToken, Map.of("name", "尺码表.png"));
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(server.request("GET", "/api/sites/" + site + "/library", agentToken, null).body().get(0)
        .path("name").asText()).isEqualTo("尺码表.png");
    assertThat(server.request("DELETE", "/api/sites/" + site + "/library/" + entry, agentToken, null).status())
        .isEqualTo(403);
    assertThat(server.request("DELETE", "/api/sites/" + site + "/library/" + entry, adminToken, null).status())
        .isEqualTo(200);
    assertThat(server.request("GET", "/api/sites/" + site + "/library", agentToken, null).body()).isEmpty();
    assertThat(download(libraryUrl).statusCode()).isEqualTo(404);
    assertThat(fileRows(site, "true")).isZero();
  }

  @Test
  void aLibraryFileOfAnotherSiteOrAnUploadNotCompleteIsRefused() throws Exception {
    String site = unique("libown");
    String other = unique("libother");
    server.createSite(adminToken, site);
    server.createSite(adminToken, other);
    String agentToken = server.createAgent(adminToken, site, unique("ana"));
    upload(other, adminToken, "theirs", "theirs.pdf", SampleFiles.pdf());
    TestServer.Response theirs =
        server.request("POST", "/api/sites/" + other + "/library", adminToken, Map.of("uploadId", "theirs"));
    assertThat(theirs.status()).isEqualTo(201);
    // An upload id with no complete upload behind it, and one refused by content, cannot enter the library.
    assertThat(server.request("POST", "/api/sites/" + site + "/library", adminToken, Map.of("uploadId", "nothing"))
        .body().path("error").path("field").asText()).isEqualTo("uploadId");
    JsonNode html = upload(site, adminToken, "page", "page.png", "<html><script>alert(1)</script></html>".getBytes());
    assertThat(html.path("status").asInt()).isEqualTo(415);
    TestServer.Response refused =
        server.request("POST", "/api/sites/" + site + "/library", adminToken, Map.of("uploadId", "page"));
    assertThat(refused.status()).isEqualTo(400);

    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String hello = visitor.send(null, "hi");
      visitor.awaitState(c -> c.ack(hello) != null, WAIT);
      String conversation = visitor.ack(hello).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);
      String foreign = sendLibraryFile(agent, "f-1", conversation, theirs.body().path("id").asText());
      String bad = "b-1";
      var frame = WireClient.frame("send").put("id", bad).put("conversationId", conversation);
      frame.putObject("attachment").put("libraryFileId", "not-a-uuid");
      agent.sendIfConnected(frame);
      agent.awaitState(c -> c.errors().size() >= 2, WAIT);
      for (String ref : List.of(foreign, bad)) {
        JsonNode error = agent.errors().stream().filter(e -> ref.equals(e.path("ref").asText())).findFirst()
            .orElseThrow();
        assertThat(error.path("code").asText()).isEqualTo("invalid-field");
        assertThat(error.path("field").asText()).isEqualTo("attachment.libraryFileId");
      }
      String after = agent.send(conversation, "let me find it");
      agent.awaitState(c -> eventOf(c, conversation, after) != null, WAIT);
      assertThat(agent.timeline(conversation)).noneMatch(
          e -> foreign.equals(e.path("id").asText()) || bad.equals(e.path("id").asText()));
    }
    assertThat(fileRows(site, "conversation_id IS NOT NULL")).isZero();
  }

  @Test
  void aSitesFileLimitsAreSetByItsAdminsAndApplyToUploads() throws Exception {
    String site = unique("limits");
    server.createSite(adminToken, site);
    String agentToken = server.createAgent(adminToken, site, unique("li"));
    TestServer.Response defaults = server.request("GET", "/api/sites/" + site + "/file-policy", agentToken, null);
    assertThat(defaults.status()).isEqualTo(200);
    assertThat(defaults.body().has("maxFileBytes")).isFalse(); // absent: the server's default
    assertThat(defaults.body().path("effectiveAllowedTypes").toString()).contains("application/pdf");

    Map<String, Object> policy = Map.of("maxFileBytes", 4096, "allowedTypes", List.of("image/png"));
    assertThat(server.request("PUT", "/api/sites/" + site + "/file-policy", agentToken, policy).status())
        .isEqualTo(403);
    assertThat(server.request("PUT", "/api/sites/" + site + "/file-policy", adminToken,
        Map.of("allowedTypes", List.of("image/svg+xml"))).body().path("error").path("field").asText()).isEqualTo("allowedTypes");
    TestServer.Response set = server.request("PUT", "/api/sites/" + site + "/file-policy", adminToken, policy);
    assertThat(set.status()).isEqualTo(200);
    assertThat(set.body().path("effectiveMaxFileBytes").asLong()).isEqualTo(4096);

    JsonNode pdf = upload(site, agentToken, "pdf", "a.pdf", SampleFiles.pdf());
    assertThat(pdf.path("error").path("code").asText()).as(pdf.toString()).isEqualTo("file-type-refused");
    assertThat(upload(site, agentToken, "big", "big.png", SampleFiles.image("png", 400, 400, 9)).path("error").path("code")
        .asText()).isEqualTo("file-too-large");
    assertThat(upload(site, agentToken, "small", "s.png", SampleFiles.image("png", 20, 20, 1)).path("status")
        .asInt()).isEqualTo(200);
  }
}
