package dev.parley.edge.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uploads and downloads over real HTTP on a real node (PostgreSQL, the local blob store): chunks, resume after a
 * cut, idempotent retries, types by content, hostile files, quotas, and signed links that expire.
 */
class FilesHttpTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Short, so that the expiry test waits seconds, yet far longer than a download right after its link. */
  private static final int LINK_TTL_SECONDS = 4;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static TestServer server;
  private static String adminToken;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestDatabases.freshPostgres(), Map.of("parley.edge.files.link-ttl", LINK_TTL_SECONDS + "s"));
    adminToken = server.adminToken();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Answer(int status, JsonNode body, HttpResponse<byte[]> raw) {
    String code() {
      return body.path("error").path("code").asText();
    }
  }

  private static String site() {
    String site = "files-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    return site;
  }

  private static String visitorToken(String site) {
    try (ChatClient visitor = ChatClient.visitor(server.visitorUri(site), server.origin(), null)) {
      visitor.awaitState(ChatClient::isReady, WAIT);
      return visitor.token();
    }
  }

  private static Answer put(String site, String token, String uploadId, String name, byte[] body, int from, int to, Integer total)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/files/uploads/" + uploadId + "?site=" + site + "&name=" + enc(name)))
            .timeout(WAIT)
            .header("Authorization", "Bearer " + token)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body, from, to - from));
    if (total != null) {
      b.header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + total);
    }
    return answer(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
  }

  private static Answer putWhole(String site, String token, String name, byte[] body) throws Exception {
    return put(site, token, "u" + UUID.randomUUID(), name, body, 0, body.length, null);
  }

  private static Answer get(String pathAndQuery, String token, String range) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(WAIT).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (range != null) {
      b.header("Range", range);
    }
    return answer(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
  }

  private static Answer answer(HttpResponse<byte[]> r) throws Exception {
    boolean json = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
    return new Answer(r.statusCode(), json ? WireClient.JSON.readTree(r.body()) : WireClient.JSON.nullNode(), r);
  }

  private static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static long rows(String sql, Object... parameters) throws Exception {
    try (Connection c = DriverManager.getConnection(server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void anImageSentInChunksResumesStoresOnceAndIsServedInlineWithAThumbnail() throws Exception {
    String site = site();
    String token = visitorToken(site);
    byte[] png = SampleFiles.image("png", 900, 700, 5);
    int third = png.length / 3;
    String id = "img-" + UUID.randomUUID();

    Answer first = put(site, token, id, "parcel.png", png, 0, third, png.length);
    assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
    assertThat(first.body().path("received").asLong()).isEqualTo(third);
    assertThat(first.body().path("complete").asBoolean()).isFalse();
    // The answer was lost: the same chunk again is taken as stored, not stored twice.
    assertThat(put(site, token, id, "parcel.png", png, 0, third, png.length).body().path("received").asLong())
        .isEqualTo(third);
    Answer skipped = put(site, token, id, "parcel.png", png, 2 * third, png.length, png.length);
    assertThat(skipped.status()).isEqualTo(409);
    assertThat(skipped.code()).isEqualTo("upload-offset-mismatch");
    assertThat(skipped.body().path("error").path("retry").asBoolean()).isFalse();
    assertThat(get("/files/uploads/" + id + "?site=" + site, token, null).body().path("received").asLong())
        .isEqualTo(third);
    put(site, token, id, "parcel.png", png, third, 2 * third, png.length);
    Answer done = put(site, token, id, "parcel.png", png, 2 * third, png.length, png.length);
    assertThat(done.status()).as(done.body().toString()).isEqualTo(200);
    JsonNode file = done.body();
    assertThat(file.path("complete").asBoolean()).isTrue();
    assertThat(file.path("type").asText()).isEqualTo("image/png");
    assertThat(file.path("width").asInt()).isEqualTo(900);
    assertThat(file.path("height").asInt()).isEqualTo(700);
    // The whole file sent again under the same id: the same file, nothing new stored.
    Answer again = put(site, token, id, "parcel.png", png, 0, png.length, null);
    assertThat(again.body().path("fileId").asText()).isEqualTo(file.path("fileId").asText());
    assertThat(rows("SELECT count(*) FROM file_upload WHERE site_id = ?", site)).isEqualTo(1);
    assertThat(rows("SELECT count(*) FROM file_upload_part")).isZero();

    Answer download = get(file.path("url").asText(), null, null);
    assertThat(download.status()).isEqualTo(200);
    assertThat(download.raw().body()).isEqualTo(png);
    var headers = download.raw().headers();
    assertThat(headers.firstValue("Content-Type")).hasValue("image/png");
    assertThat(headers.firstValue("Content-Disposition").orElseThrow()).startsWith("inline;");
    assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(headers.firstValue("Content-Security-Policy").orElseThrow()).startsWith("default-src 'none'");
    Answer part = get(file.path("url").asText(), null, "bytes=100-199");
    assertThat(part.status()).isEqualTo(206);
    assertThat(part.raw().body()).isEqualTo(Arrays.copyOfRange(png, 100, 200));
    Answer thumbnail = get(file.path("thumbnailUrl").asText(), null, null);
    assertThat(thumbnail.raw().headers().firstValue("Content-Type")).hasValue("image/png");
    var thumb = ImageIO.read(new ByteArrayInputStream(thumbnail.raw().body()));
    assertThat(Math.max(thumb.getWidth(), thumb.getHeight())).isEqualTo(320);
  }

  @Test
  void anUploadCutInTheMiddleOfItsBodyStoresNothingAndTheResentOneStoresOnce() throws Exception {
    String site = site();
    String token = visitorToken(site);
    byte[] pdf = new byte[300_000];
    byte[] head = SampleFiles.pdf();
    System.arraycopy(head, 0, pdf, 0, head.length);
    String id = "cut-" + UUID.randomUUID();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /files/uploads/" + id + "?site=" + site + "&name=invoice.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Authorization: Bearer " + token + "\r\nContent-Length: " + pdf.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(pdf, 0, pdf.length / 2);
      out.flush();
    } // the cable is pulled: half the body, then nothing
    long deadline = System.nanoTime() + WAIT.toNanos();
    Answer status;
    do {
      status = get("/files/uploads/" + id + "?site=" + site, token, null);
    } while (status.status() == 200 && !status.body().path("complete").asBoolean() && status.body().path("received").asLong() != 0
        && System.nanoTime() < deadline);
    assertThat(status.body().path("complete").asBoolean()).isFalse();
    assertThat(status.body().path("received").asLong()).isZero();
    Answer resent = put(site, token, id, "invoice.pdf", pdf, 0, pdf.length, null);
    assertThat(resent.status()).as(resent.body().toString()).isEqualTo(200);
    assertThat(resent.body().path("type").asText()).isEqualTo("application/pdf");
    assertThat(rows("SELECT count(*) FROM file_upload WHERE site_id = ?", site)).isEqualTo(1);
    assertThat(rows("SELECT count(*) FROM file_upload_part")).isZero();
    Answer download = get(resent.body().path("url").asText(), null, null);
    assertThat(download.raw().body()).isEqualTo(pdf);
  }

  @Test
  void aPdfIsOnlyEverADownloadWithItsNameAsText() throws Exception {
    String site = site();
    String agent = server.createAgent(adminToken, site, "ann-" + UUID.randomUUID().toString().substring(0, 6));
    Answer up = putWhole(site, agent, "发票 \"<b>\".pdf", SampleFiles.pdf());
    assertThat(up.status()).as(up.body().toString()).isEqualTo(200);
    assertThat(up.body().path("name").asText()).isEqualTo("发票 \"<b>\".pdf");
    Answer download = get(up.body().path("url").asText(), null, null);
    var headers = download.raw().headers();
    assertThat(headers.firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(headers.firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment; filename=\"")
        .contains("filename*=UTF-8''%E5%8F%91%E7%A5%A8%20%22%3Cb%3E%22.pdf");
    assertThat(headers.firstValue("Content-Security-Policy").orElseThrow()).contains("sandbox");
  }

  @Test
  void hostileFilesAreRefusedWithTypedErrorsAndARetryGetsTheSameAnswer() throws Exception {
    String site = site();
    String token = visitorToken(site);
    Object[][] cases = {
      {"logo.svg", SampleFiles.svgWithScript(), 415, "file-type-refused"},
      {"photo.png", SampleFiles.html(), 415, "file-type-refused"},
      {"photo.jpg", SampleFiles.windowsExecutable(), 415, "file-type-refused"},
      {"receipt.png", SampleFiles.pngHtmlPolyglot(), 415, "image-refused"},
      {"anim.gif", SampleFiles.gifWithScriptInside(), 415, "image-refused"},
      {"huge.png", SampleFiles.pngBomb(100_000), 415, "image-refused"},
    };
    for (Object[] c : cases) {
      String id = "bad-" + UUID.randomUUID();
      byte[] body = (byte[]) c[1];
      Answer refused = put(site, token, id, (String) c[0], body, 0, body.length, null);
      assertThat(refused.status()).as(c[0] + " " + refused.body()).isEqualTo(c[2]);
      assertThat(refused.code()).as((String) c[0]).isEqualTo(c[3]);
      assertThat(refused.body().path("error").path("retry").asBoolean()).isFalse();
      assertThat(put(site, token, id, (String) c[0], body, 0, body.length, null).code()).isEqualTo(c[3]);
    }
    assertThat(rows("SELECT count(*) FROM file_upload WHERE site_id = ? AND state <> 'refused'", site)).isZero();
  }

  @Test
  void aSitesSizeCapAndQuotaAreKept() throws Exception {
    String site = site();
    try (Connection c = DriverManager.getConnection(server.storage().jdbcUrl(), server.storage().user(), server.storage().password());
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO site_file_policy (site_id, max_file_bytes, quota_bytes) VALUES (?, 50000, 100000)")) {
      ps.setString(1, site);
      ps.executeUpdate();
    }
    String token = visitorToken(site);
    byte[] text = "a line of an order log\n".repeat(2_000).getBytes(StandardCharsets.US_ASCII); // 46,000 bytes
    Answer tooLarge = putWhole(site, token, "big.txt", Arrays.copyOf(text, 60_000));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("file-too-large");
    assertThat(putWhole(site, token, "one.txt", text).status()).isEqualTo(200);
    assertThat(putWhole(site, token, "two.txt", text).status()).isEqualTo(200);
    Answer over = putWhole(site, token, "three.txt", text);
    assertThat(over.status()).isEqualTo(403);
    assertThat(over.code()).isEqualTo("quota-exceeded");
    assertThat(over.body().path("error").path("retry").asBoolean()).isFalse();
  }

  @Test
  void linksAreForTheirFileSiteAndTimeOnlyAndOthersGetNone() throws Exception {
    String site = site();
    String other = site();
    String token = visitorToken(site);
    Answer a = putWhole(site, token, "a.pdf", SampleFiles.pdf());
    Answer b = putWhole(site, token, "b.pdf", SampleFiles.pdf());
    String url = a.body().path("url").asText();
    String fileA = a.body().path("fileId").asText();
    String fileB = b.body().path("fileId").asText();

    Answer moved = get(url.replace(fileA, fileB), null, null);
    assertThat(moved.status()).isEqualTo(403);
    assertThat(moved.code()).isEqualTo("link-invalid");
    Answer otherSite = get(url.replace("site=" + site, "site=" + other), null, null);
    assertThat(otherSite.code()).isEqualTo("link-invalid");
    Answer tampered = get(url.replaceAll("exp=\\d+", "exp=99999999999"), null, null);
    assertThat(tampered.code()).isEqualTo("link-invalid");

    // Nobody but the uploader gets a link to a file not attached to a conversation of theirs.
    String stranger = visitorToken(site);
    assertThat(get("/files/" + fileA + "/link?site=" + site, stranger, null).status()).isEqualTo(404);
    String foreignAgent = server.createAgent(adminToken, other, "eve-" + UUID.randomUUID().toString().substring(0, 6));
    assertThat(get("/files/" + fileA + "/link?site=" + site, foreignAgent, null).status()).isEqualTo(404);
    assertThat(get("/files/" + fileA + "/link?site=" + other, foreignAgent, null).status()).isEqualTo(404);
    Answer fresh = get("/files/" + fileA + "/link?site=" + site, token, null);
    assertThat(fresh.status()).isEqualTo(200);

    long deadline = System.nanoTime() + Duration.ofSeconds(LINK_TTL_SECONDS + 20).toNanos();
    Answer expired = get(url, null, null);
    while (expired.status() == 200 && System.nanoTime() < deadline) {
      expired = get(url, null, null);
    }
    assertThat(expired.status()).isEqualTo(403);
    assertThat(expired.code()).isEqualTo("link-expired");
  }
}
