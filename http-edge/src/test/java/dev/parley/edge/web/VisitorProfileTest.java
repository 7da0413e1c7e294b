package dev.parley.edge.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.auth.IdentitySignatures;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the widget tells the server about a visitor (identity, pages, device) reaches agents live; the site's widget
 * settings and its identity-signature rule are managed by its admins only.
 */
class VisitorProfileTest extends ServerTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String ANDROID_CHROME =
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile"
          + " Safari/537.36";
  @Test
  void agentsSeeTheVisitorsIdentityDeviceCampaignAndPagesLive() {
    String agentToken = server.createAgent(adminToken, "demo", "pv-" + UUID.randomUUID().toString().substring(0, 8));
    try (WireClient visitor =
            WireClient.connect(server.visitorUri("demo"), server.origin(), Map.of("User-Agent", ANDROID_CHROME));
        WireClient agent = WireClient.connect(server.agentUri(), null)) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(
          WireClient.frame("page")
              .put("url", "https://shop.example/tea?utm_source=weibo&utm_campaign=double-11")
              .put("title", "Jasmine tea")
              .put("referrer", "https://weibo.com/post/1"));
      ObjectNode identify = WireClient.frame("identify").put("id", "i-1");
      identify.putObject("user").put("id", "u-42").put("name", "Han Meimei").put("email", "han@example.com")
          .putObject("attributes").put("plan", "gold").put("orders", 7);
      visitor.send(identify);
      assertThat(visitor.await(f -> "i-1".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");
      visitor.send(WireClient.frame("send").put("id", "m-1").put("text", "Is it in stock?"));
      String conversation =
          visitor.await(f -> "ack".equals(f.path("type").asText()) && "m-1".equals(f.path("id").asText()), WAIT)
              .path("conversationId").asText();

      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      JsonNode profile =
          agent.await(
              f -> "visitor".equals(f.path("type").asText()) && conversation.equals(f.path("conversationId").asText()),
              WAIT);
      assertThat(profile.path("name").asText()).isEqualTo("Han Meimei");
      assertThat(profile.path("verified").asBoolean()).isFalse();
      assertThat(profile.path("attributes").path("orders").asText()).isEqualTo("7");
      assertThat(profile.path("device").path("type").asText()).isEqualTo("mobile");
      assertThat(profile.path("device").path("os").asText()).startsWith("Android");
      assertThat(profile.path("device").path("browser").asText()).startsWith("Chrome");
      assertThat(profile.path("referrer").asText()).isEqualTo("https://weibo.com/post/1");
      assertThat(profile.path("utm").path("campaign").asText()).isEqualTo("double-11");
      assertThat(profile.path("online").asBoolean()).isTrue();

      visitor.send(WireClient.frame("page").put("url", "https://shop.example/cart").put("title", "Cart"));
      JsonNode moved =
          agent.await(
              f -> "visitor".equals(f.path("type").asText()) && f.path("pages").size() == 2, WAIT);
      assertThat(moved.path("pages").get(1).path("title").asText()).isEqualTo("Cart");
    }
  }

  @Test
  void badProfileFramesGetTypedErrorsAndChangeNothing() {
    try (WireClient visitor = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("page").put("url", "javascript:alert(1)"));
      assertThat(visitor.awaitType("error", WAIT).path("field").asText()).isEqualTo("url");
      ObjectNode noUser = WireClient.frame("identify").put("id", "i-2");
      visitor.send(noUser);
      assertThat(visitor.awaitType("error", WAIT).path("code").asText()).isEqualTo("missing-field");
      ObjectNode badEmail = WireClient.frame("identify").put("id", "i-3");
      badEmail.putObject("user").put("id", "u-1").put("email", "not-an-address");
      visitor.send(badEmail);
      assertThat(visitor.awaitType("error", WAIT).path("field").asText()).isEqualTo("user.email");
      // A signature is checked even where the site does not demand one: a wrong one is refused.
      ObjectNode forged = WireClient.frame("identify").put("id", "i-4").put("hash", "00ff");
      forged.putObject("user").put("id", "u-1");
      visitor.send(forged);
      assertThat(visitor.awaitType("error", WAIT).path("code").asText()).isEqualTo("identity-rejected");

      int rateLimited = 0;
      for (int i = 0; i < 15; i++) {
        visitor.send(WireClient.frame("page").put("url", "https://shop.example/p/" + i));
      }
      visitor.roundTrip(WAIT);
      for (JsonNode f : visitor.all()) {
        if ("rate-limited".equals(f.path("code").asText())) {
          rateLimited++;
        }
      }
      assertThat(rateLimited).isBetween(4, 5);
    }
  }

  @Test
  void aSiteThatRequiresSignedIdentitiesAcceptsOnlyTheRightSignature() {
    String site = "signed-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    TestServer.Response enabled =
        server.request("PATCH", "/api/sites/" + site + "/widget", adminToken, Map.of("identityRequired", true));
    assertThat(enabled.status()).isEqualTo(200);
    assertThat(enabled.body().path("hasIdentitySecret").asBoolean()).isTrue();
    TestServer.Response rotated = server.request("POST", "/api/sites/" + site + "/identity-secret", adminToken, null);
    String secret = rotated.body().path("secret").asText();
    assertThat(secret).hasSize(64);

    try (WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin())) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      ObjectNode unsigned = WireClient.frame("identify").put("id", "i-1");
      unsigned.putObject("user").put("id", "customer-9");
      visitor.send(unsigned);
      assertThat(visitor.awaitType("error", WAIT).path("code").asText()).isEqualTo("identity-rejected");
      ObjectNode wrong = WireClient.frame("identify").put("id", "i-2").put("hash", IdentitySignatures.sign(secret, "customer-10"));
      wrong.putObject("user").put("id", "customer-9");
      visitor.send(wrong);
      assertThat(visitor.awaitType("error", WAIT).path("ref").asText()).isEqualTo("i-2");
      ObjectNode right = WireClient.frame("identify").put("id", "i-3").put("hash", IdentitySignatures.sign(secret, "customer-9"));
      right.putObject("user").put("id", "customer-9").put("name", "Wang");
      visitor.send(right);
      assertThat(visitor.await(f -> "i-3".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");
    }
    JsonNode config = publicConfig(site);
    assertThat(config.path("identityRequired").asBoolean()).isTrue();
    assertThat(config.toString()).doesNotContain(secret);
  }

  @Test
  void aSignatureOverEveryFieldVouchesForThemAllAndCanExpire() {
    String site = "signed2-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    String secret = server.request("POST", "/api/sites/" + site + "/identity-secret", adminToken, null)
        .body().path("secret").asText();
    long future = java.time.Instant.now().plusSeconds(3600).getEpochSecond();
    Map<String, String> attrs = Map.of("plan", "gold", "city", "杭州");
    String signature =
        IdentitySignatures.sign(
            secret, IdentitySignatures.canonical("customer-7", "王芳", "wang@example.com", future, attrs));
    String agentToken = server.createAgent(adminToken, site, unique("verifier"));

    try (WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin());
        WireClient agent = WireClient.connect(server.agentUri(), null)) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      // The browser changed the name after the shop signed it: refused.
      visitor.send(identify("s-1", "customer-7", "Admin", future, attrs, signature));
      JsonNode tampered = visitor.await(f -> "s-1".equals(f.path("ref").asText()), WAIT);
      assertThat(tampered.path("code").asText()).isEqualTo("identity-rejected");
      // An expired signature, even a right one, is refused.
      long past = java.time.Instant.now().minusSeconds(60).getEpochSecond();
      String old =
          IdentitySignatures.sign(
              secret, IdentitySignatures.canonical("customer-7", "王芳", "wang@example.com", past, attrs));
      visitor.send(identify("s-2", "customer-7", "王芳", past, attrs, old));
      assertThat(visitor.await(f -> "s-2".equals(f.path("ref").asText()), WAIT).path("message").asText())
          .contains("expired");
      visitor.send(identify("s-3", "customer-7", "王芳", future, attrs, signature));
      assertThat(visitor.await(f -> "s-3".equals(f.path("id").asText()), WAIT).path("type").asText())
          .isEqualTo("ack");

      visitor.send(WireClient.frame("send").put("id", "m-1").put("text", "hi"));
      String conversation = visitor.await(f -> "m-1".equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), WAIT)
          .path("conversationId").asText();
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      JsonNode profile =
          agent.await(f -> "visitor".equals(f.path("type").asText()) && f.path("userId").asText().equals("customer-7"), WAIT);
      assertThat(profile.path("verified").asBoolean()).isTrue();
      assertThat(profile.path("verifiedFields").asText()).isEqualTo("all");
      assertThat(profile.path("name").asText()).isEqualTo("王芳");
    }
  }

  @Test
  void theFirstSchemeVouchesForTheUserIdOnly() {
    String site = "signed1-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, site);
    String secret = server.request("POST", "/api/sites/" + site + "/identity-secret", adminToken, null)
        .body().path("secret").asText();
    String agentToken = server.createAgent(adminToken, site, unique("checker"));
    try (WireClient visitor = WireClient.connect(server.visitorUri(site), server.origin());
        WireClient agent = WireClient.connect(server.agentUri(), null)) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      ObjectNode v1 = WireClient.frame("identify").put("id", "h-1").put("hash", IdentitySignatures.sign(secret, "customer-8"));
      v1.putObject("user").put("id", "customer-8").put("name", "Anyone At All");
      visitor.send(v1);
      visitor.await(f -> "h-1".equals(f.path("id").asText()), WAIT);
      visitor.send(WireClient.frame("send").put("id", "m-1").put("text", "hi"));
      String conversation = visitor.await(f -> "m-1".equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), WAIT)
          .path("conversationId").asText();
      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      JsonNode profile =
          agent.await(f -> "visitor".equals(f.path("type").asText()) && f.path("userId").asText().equals("customer-8"), WAIT);
      assertThat(profile.path("verified").asBoolean()).isTrue();
      assertThat(profile.path("verifiedFields").asText()).as("the name is the browser's word").isEqualTo("id");
    }
  }

  private static ObjectNode identify(
      String id, String userId, String name, long expiresAt, Map<String, String> attrs, String signature) {
    ObjectNode frame = WireClient.frame("identify").put("id", id).put("signature", signature);
    ObjectNode user =
        frame.putObject("user").put("id", userId).put("name", name).put("email", "wang@example.com").put("expiresAt", expiresAt);
    ObjectNode a = user.putObject("attributes");
    attrs.forEach(a::put);
    return frame;
  }

  @Test
  void adminsSetTheWidgetAndEveryoneElseIsRefused() throws Exception {
    assertThat(publicConfig("demo").path("color").asText()).isEqualTo("#2563eb");

    ObjectNode widget = WireClient.JSON.createObjectNode().put("color", "#E11D48").put("position", "left");
    widget.putObject("title").put("zh", "茶叶小店");
    widget.putObject("prechat").put("enabled", true);
    assertThat(server.request("PATCH", "/api/sites/demo/widget", adminToken, widget).status()).isEqualTo(200);
    JsonNode config = publicConfig("demo");
    assertThat(config.path("color").asText()).isEqualTo("#e11d48");
    assertThat(config.path("position").asText()).isEqualTo("left");
    assertThat(config.path("title").path("zh").asText()).isEqualTo("茶叶小店");
    assertThat(config.path("title").path("en").asText()).isNotBlank();
    assertThat(config.path("prechat").path("enabled").asBoolean()).isTrue();

    TestServer.Response badColor =
        server.request("PATCH", "/api/sites/demo/widget", adminToken, Map.of("color", "red;}"));
    assertThat(badColor.status()).isEqualTo(400);
    assertThat(badColor.body().path("error").path("field").asText()).isEqualTo("color");
    TestServer.Response badPrechat =
        server.request("PATCH", "/api/sites/demo/widget", adminToken, Map.of("prechat", Map.of("enabled", "yes")));
    assertThat(badPrechat.body().path("error").path("field").asText()).isEqualTo("prechat.enabled");
    assertThat(publicConfig("demo").path("color").asText()).isEqualTo("#e11d48");

    String agentToken = server.createAgent(adminToken, "demo", "w-" + UUID.randomUUID().toString().substring(0, 8));
    assertThat(server.request("PATCH", "/api/sites/demo/widget", agentToken, Map.of("color", "#000000")).status())
        .isEqualTo(403);
    String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(adminToken, other);
    String outsider = server.createAgent(adminToken, other, "o-" + UUID.randomUUID().toString().substring(0, 8));
    assertThat(server.request("GET", "/api/sites/demo/widget", outsider, null).status()).isEqualTo(404);
    assertThat(server.request("POST", "/api/sites/demo/identity-secret", outsider, null).status()).isEqualTo(404);

    HttpResponse<byte[]> gzipped =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/widget/config?site=demo"))
                    .header("Accept-Encoding", "gzip, deflate, br")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(gzipped.headers().firstValue("Content-Encoding")).contains("gzip");

    HttpResponse<String> unknown = get("/widget/config?site=nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(get("/widget/frame.html?site=nope").statusCode()).isEqualTo(404);
    String policy =
        WidgetRoutes.contentSecurityPolicy(
            new dev.parley.persistence.directory.Site(
                "demo", "Demo", java.util.List.of("https://shop.example"), java.time.Instant.now()));
    assertThat(policy).contains("frame-ancestors 'self' https://shop.example").contains("script-src 'self';");
  }

  private static JsonNode publicConfig(String site) {
    try {
      return WireClient.JSON.readTree(get("/widget/config?site=" + site).body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> get(String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
