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
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Files inside the delivery contract on a real node: a {@code send} names a complete upload, takes a seq like text,
 * is acknowledged once stored, is idempotent on its id, and reaches the other side as an event with the file;
 * participants get links, others do not.
 */
class FileMessagesTest extends ServerTest {

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
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return WireClient.JSON.readTree(r.body());
  }

  private static int status(String pathAndQuery) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String sendFile(ChatClient client, String conversationId, String uploadId, String text) {
    String id = UUID.randomUUID().toString();
    var frame = WireClient.frame("send").put("id", id);
    if (conversationId != null) {
      frame.put("conversationId", conversationId);
    }
    frame.putObject("attachment").put("uploadId", uploadId);
    if (text != null) {
      frame.put("text", text);
    }
    client.sendIfConnected(frame);
    return id;
  }

  private static JsonNode eventOf(ChatClient client, String conversationId, String messageId) {
    return client.timeline(conversationId).stream()
        .filter(e -> messageId.equals(e.path("id").asText()))
        .findFirst()
        .orElse(null);
  }

  @Test
  void aVisitorSendsAnImageAndAPdfTheAgentSeesBothAndRepliesWithAFile() throws Exception {
    String site = unique("filemsg");
    server.createSite(adminToken, site);
    String agentToken = server.createAgent(adminToken, site, unique("lin"));
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null);
        ChatClient agent = ChatClient.agent(server.agentUri(), agentToken)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String hello = visitor.send(null, "my parcel arrived broken");
      visitor.awaitState(c -> c.ack(hello) != null, WAIT);
      String conversation = visitor.ack(hello).path("conversationId").asText();
      agent.awaitState(c -> c.queue().contains(conversation), WAIT);
      String claim = agent.claim(conversation);
      agent.awaitState(c -> c.ack(claim) != null, WAIT);

      byte[] photo = SampleFiles.image("jpg", 1600, 1200, 11);
      upload(site, visitor.token(), "photo-1", "IMG_2041.jpg", photo);
      upload(site, visitor.token(), "invoice-1", "发票.pdf", SampleFiles.pdf());
      String sentPhoto = sendFile(visitor, conversation, "photo-1", null);
      String sentPdf = sendFile(visitor, conversation, "invoice-1", "the invoice");
      visitor.awaitState(c -> c.ack(sentPhoto) != null && c.ack(sentPdf) != null, WAIT);
      long photoSeq = visitor.ack(sentPhoto).path("seq").asLong();
      assertThat(visitor.ack(sentPdf).path("seq").asLong()).isNotEqualTo(photoSeq).isPositive();
      // The same frame again (the ack was lost): the original seq, nothing new stored.
      var again = WireClient.frame("send").put("id", sentPhoto).put("conversationId", conversation);
      again.putObject("attachment").put("uploadId", "photo-1");
      visitor.sendIfConnected(again);
      visitor.awaitState(c -> c.ack(sentPhoto).path("duplicate").asBoolean(false), WAIT);
      assertThat(visitor.ack(sentPhoto).path("seq").asLong()).isEqualTo(photoSeq);

      agent.awaitState(c -> eventOf(c, conversation, sentPhoto) != null && eventOf(c, conversation, sentPdf) != null, WAIT);
      JsonNode photoEvent = eventOf(agent, conversation, sentPhoto);
      assertThat(photoEvent.path("seq").asLong()).isEqualTo(photoSeq);
      assertThat(photoEvent.path("text").asText()).isEqualTo("IMG_2041.jpg");
      JsonNode file = photoEvent.path("attachment");
      assertThat(file.path("name").asText()).isEqualTo("IMG_2041.jpg");
      assertThat(file.path("type").asText()).isEqualTo("image/jpeg");
      assertThat(file.path("size").asLong()).isEqualTo(photo.length);
      assertThat(file.path("width").asInt()).isEqualTo(1600);
      assertThat(file.path("thumbnail").asBoolean()).isTrue();
      JsonNode pdfEvent = eventOf(agent, conversation, sentPdf);
      assertThat(pdfEvent.path("text").asText()).isEqualTo("the invoice");
      assertThat(pdfEvent.path("attachment").path("type").asText()).isEqualTo("application/pdf");
      assertThat(pdfEvent.path("attachment").path("name").asText()).isEqualTo("发票.pdf");

      // The agent, a participant, gets a link and the bytes; an agent of another site gets nothing.
      TestServer.Response link =
          server.request("GET", "/files/" + file.path("fileId").asText() + "/link?site=" + site, agentToken, null);
      assertThat(link.status()).isEqualTo(200);
      HttpResponse<byte[]> bytes =
          HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + link.body().path("url").asText())).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(bytes.body()).isEqualTo(photo);
      assertThat(link.body().path("thumbnailUrl").asText()).contains("/thumbnail?");
      String elsewhere = unique("other");
      server.createSite(adminToken, elsewhere);
      String stranger = server.createAgent(adminToken, elsewhere, unique("eve"));
      assertThat(server.request("GET", "/files/" + file.path("fileId").asText() + "/link?site=" + site, stranger, null)
          .status()).isEqualTo(404);

      // The agent answers with a file of its own.
      upload(site, agentToken, "size-chart", "sizes.png", SampleFiles.image("png", 300, 200, 4));
      String reply = sendFile(agent, conversation, "size-chart", "our size chart");
      agent.awaitState(c -> c.ack(reply) != null, WAIT);
      visitor.awaitState(c -> eventOf(c, conversation, reply) != null, WAIT);
      assertThat(eventOf(visitor, conversation, reply).path("attachment").path("type").asText()).isEqualTo("image/png");
      String visitorFile = eventOf(visitor, conversation, reply).path("attachment").path("fileId").asText();
      assertThat(server.request("GET", "/files/" + visitorFile + "/link?site=" + site, visitor.token(), null).status())
          .isEqualTo(200);

      long photoEvents = agent.timeline(conversation).stream().filter(e -> sentPhoto.equals(e.path("id").asText())).count();
      assertThat(photoEvents).isEqualTo(1);
    }
  }

  /** A visitor's first message may be a file: the visitor entity names the new conversation, the file goes there. */
  @Test
  void aVisitorsFirstMessageIsAFileAndOpensTheConversation() throws Exception {
    String site = unique("firstfile");
    server.createSite(adminToken, site);
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      upload(site, visitor.token(), "first-1", "receipt.pdf", SampleFiles.pdf());
      String sent = sendFile(visitor, null, "first-1", null);
      visitor.awaitState(c -> c.ack(sent) != null, WAIT);
      JsonNode ack = visitor.ack(sent);
      assertThat(ack.path("type").asText()).as("%s", ack).isEqualTo("ack");
      assertThat(ack.path("seq").asLong()).isEqualTo(1);
      String conversation = ack.path("conversationId").asText();
      assertThat(conversation).isNotEmpty();
      visitor.awaitState(c -> eventOf(c, conversation, sent) != null, WAIT);
      assertThat(eventOf(visitor, conversation, sent).path("text").asText()).isEqualTo("receipt.pdf");
    }
  }

  @Test
  void aSendNamingNoCompleteUploadOfTheSenderIsRefusedAndStoresNothing() throws Exception {
    String site = unique("nofile");
    server.createSite(adminToken, site);
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null);
        ChatClient other = ChatClient.visitor(server.visitorUri(site), server.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      other.awaitState(ChatClient::isReady, WAIT);
      String hello = visitor.send(null, "hello");
      visitor.awaitState(c -> c.ack(hello) != null, WAIT);
      String conversation = visitor.ack(hello).path("conversationId").asText();
      upload(site, other.token(), "theirs", "secret.pdf", SampleFiles.pdf());
      long before = visitor.lastSeq(conversation);

      String missing = sendFile(visitor, conversation, "never-uploaded", null);
      String notMine = sendFile(visitor, conversation, "theirs", null);
      visitor.awaitState(c -> c.errors().size() >= 2, WAIT);
      List<JsonNode> errors = visitor.errors();
      for (String ref : List.of(missing, notMine)) {
        JsonNode error = errors.stream().filter(e -> ref.equals(e.path("ref").asText())).findFirst().orElseThrow();
        assertThat(error.path("code").asText()).isEqualTo("invalid-field");
        assertThat(error.path("field").asText()).isEqualTo("attachment.uploadId");
        assertThat(error.path("retry").asBoolean()).isFalse();
      }
      String after = visitor.send(conversation, "still here");
      visitor.awaitState(c -> c.ack(after) != null, WAIT);
      assertThat(visitor.ack(after).path("seq").asLong()).isEqualTo(before + 1);
    }
  }

  @Test
  void erasingAVisitorDeletesTheFilesOfTheirConversationsAndTheirUnsentUploads() throws Exception {
    String site = unique("erase");
    server.createSite(adminToken, site);
    String fileId;
    String url;
    String visitorId;
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      String hello = visitor.send(null, "see the photo");
      visitor.awaitState(c -> c.ack(hello) != null, WAIT);
      String conversation = visitor.ack(hello).path("conversationId").asText();
      JsonNode uploaded = upload(site, visitor.token(), "p-1", "face.png", SampleFiles.image("png", 200, 200, 8));
      upload(site, visitor.token(), "never-sent", "draft.pdf", SampleFiles.pdf());
      fileId = uploaded.path("fileId").asText();
      url = uploaded.path("url").asText();
      String sent = sendFile(visitor, conversation, "p-1", null);
      visitor.awaitState(c -> c.ack(sent) != null && eventOf(c, conversation, hello) != null, WAIT);
      visitorId = eventOf(visitor, conversation, hello).path("author").path("id").asText();
    }
    assertThat(status(url)).isEqualTo(200);

    TestServer.Response accepted = server.request("DELETE", "/api/sites/" + site + "/visitors/" + visitorId, adminToken, null);
    assertThat(accepted.status()).isEqualTo(202);
    String job = accepted.body().path("job").asText();
    server.awaitJson(job, adminToken, j -> "done".equals(j.path("status").asText()), WAIT);

    assertThat(status(url)).isEqualTo(404);
    assertThat(status(url.replace("/files/" + fileId, "/files/" + fileId + "/thumbnail"))).isEqualTo(404);
    try (var c = java.sql.DriverManager.getConnection(
            server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
        var ps = c.prepareStatement("SELECT count(*) FROM file_upload WHERE site_id = ?")) {
      ps.setString(1, site);
      try (var rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }
}
