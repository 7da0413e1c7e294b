package dev.parley.edge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Floods from one address, bounded in count and time on loopback, against a real server with small limits: the
 * flood is refused with typed answers that say when to retry, nothing accepted is lost, and another address,
 * another site and a signed-in admin are still served. Addresses other than 127.0.0.1 come through
 * X-Forwarded-For with 127.0.0.1 configured as a trusted proxy.
 */
class AdmissionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static TestServer start(Map<String, Object> limits) {
    Map<String, Object> config = new HashMap<>(TestServer.GENEROUS_ADMISSION);
    config.put("parley.edge.admission.trusted-proxies", "127.0.0.1");
    config.putAll(limits);
    return TestServer.start(TestDatabases.freshPostgres(), config);
  }

  private static WireClient visitorFrom(TestServer server, String site, String address) {
    WireClient c = WireClient.connect(server.visitorUri(site), server.origin(), Map.of("X-Forwarded-For", address));
    c.send(WireClient.frame("hello"));
    c.awaitType("welcome", WAIT);
    return c;
  }

  /** Sends one message opening a conversation; returns the answer (ack or error) to it. */
  private static JsonNode open(WireClient visitor, String id) {
    visitor.send(WireClient.frame("send").put("id", id).put("text", "hello"));
    return visitor.await(
        f -> (f.path("type").asText().equals("ack") && id.equals(f.path("id").asText()))
            || (f.path("type").asText().equals("error") && id.equals(f.path("ref").asText())),
        WAIT);
  }

  @Test
  void aFloodOfConversationsFromOneAddressIsRefusedWhileOthersAreServed() {
    try (TestServer server =
        start(
            Map.of(
                "parley.edge.admission.conversations-per-address.burst", 5,
                "parley.edge.admission.conversations-per-address.every", "1h"))) {
      String admin = server.adminToken();
      server.createSite(admin, "other-shop");
      List<WireClient> flood = new ArrayList<>();
      try {
        int accepted = 0;
        JsonNode refused = null;
        for (int i = 0; i < 12; i++) {
          WireClient v = visitorFrom(server, "demo", "198.51.100.7");
          flood.add(v);
          JsonNode answer = open(v, "f-" + i);
          if (answer.path("type").asText().equals("ack")) {
            accepted++;
          } else if (refused == null) {
            refused = answer;
          }
        }
        assertThat(accepted).isEqualTo(5);
        assertThat(refused.path("code").asText()).isEqualTo("rate-limited");
        assertThat(refused.path("ref").asText()).startsWith("f-");
        assertThat(refused.path("retryAfterMs").asLong()).isGreaterThan(60_000L);

        // Another address on the same site, and another site, are served; so is the admin.
        try (WireClient neighbour = visitorFrom(server, "demo", "203.0.113.9");
            WireClient elsewhere = visitorFrom(server, "other-shop", "192.0.2.44")) {
          assertThat(open(neighbour, "n-1").path("type").asText()).isEqualTo("ack");
          assertThat(open(elsewhere, "e-1").path("type").asText()).isEqualTo("ack");
        }
        assertThat(server.request("GET", "/api/sites", admin, null).status()).isEqualTo(200);
      } finally {
        flood.forEach(WireClient::close);
      }
    }
  }

  @Test
  void aRefusedMessageIsSentAgainWithItsIdAndStoredOnce() throws Exception {
    try (TestServer server =
        start(
            Map.of(
                "parley.edge.admission.sends-per-visitor.burst", 3,
                "parley.edge.admission.sends-per-visitor.every", "500ms"));
        WireClient v = visitorFrom(server, "demo", "198.51.100.20")) {
      List<JsonNode> answers = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        answers.add(open(v, "m-" + i));
      }
      JsonNode refused = answers.get(3);
      assertThat(answers.subList(0, 3)).allMatch(a -> a.path("type").asText().equals("ack"));
      assertThat(refused.path("code").asText()).isEqualTo("rate-limited");
      assertThat(refused.path("ref").asText()).isEqualTo("m-4");
      long wait = refused.path("retryAfterMs").asLong();
      assertThat(wait).isBetween(1L, 1_000L);

      // The client waits as told (the wait is the server's instruction under test) and sends m-4 and m-5 again:
      // both are stored, once, in order; a later resend of m-4 is a duplicate of seq 4.
      Thread.sleep(2 * wait + 500);
      JsonNode again4 = open(v, "m-4");
      Thread.sleep(wait + 100);
      JsonNode again5 = open(v, "m-5");
      Thread.sleep(wait + 100);
      JsonNode third4 = open(v, "m-4");
      assertThat(again4.path("seq").asLong()).isEqualTo(4);
      assertThat(again5.path("seq").asLong()).isEqualTo(5);
      assertThat(third4.path("seq").asLong()).isEqualTo(4);
      assertThat(third4.path("duplicate").asBoolean()).isTrue();
    }
  }

  @Test
  void connectionsPerAddressAreCappedAndFreedWhenTheyClose() throws Exception {
    try (TestServer server = start(Map.of("parley.edge.admission.max-connections-per-address", 3))) {
      List<WireClient> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          held.add(visitorFrom(server, "demo", "198.51.100.30"));
        }
        int status = handshakeStatus(server, "198.51.100.30");
        assertThat(status).isEqualTo(503);
        // Another address connects; when one of the three closes, the address may connect again.
        visitorFrom(server, "demo", "198.51.100.31").close();
        held.remove(0).close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        WireClient again = null;
        while (again == null && System.nanoTime() < deadline) {
          try {
            again = visitorFrom(server, "demo", "198.51.100.30");
          } catch (CompletionException refusedStill) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
          }
        }
        assertThat(again).as("a slot freed by the closed connection").isNotNull();
        held.add(again);
      } finally {
        held.forEach(WireClient::close);
      }
    }
  }

  private static int handshakeStatus(TestServer server, String address) {
    try {
      WireClient.connect(server.visitorUri("demo"), server.origin(), Map.of("X-Forwarded-For", address)).close();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  @Test
  void oneAddressMayHaveOnlySoManyConversationsWaiting() {
    try (TestServer server = start(Map.of("parley.edge.admission.max-waiting-per-address", 2))) {
      List<WireClient> visitors = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          visitors.add(visitorFrom(server, "demo", "198.51.100.40"));
        }
        assertThat(open(visitors.get(0), "w-1").path("type").asText()).isEqualTo("ack");
        assertThat(open(visitors.get(1), "w-2").path("type").asText()).isEqualTo("ack");
        JsonNode third = open(visitors.get(2), "w-3");
        assertThat(third.path("code").asText()).isEqualTo("overloaded");
        assertThat(third.path("retryAfterMs").asLong()).isPositive();

        // One leaves the queue (the visitor closes it): the address may open another.
        String first = visitors.get(0).all().stream()
            .filter(f -> "w-1".equals(f.path("id").asText()) && f.path("type").asText().equals("ack"))
            .findFirst().orElseThrow().path("conversationId").asText();
        visitors.get(0).send(WireClient.frame("close").put("id", "c-1").put("conversationId", first));
        visitors.get(0).await(f -> "c-1".equals(f.path("id").asText()), WAIT);
        // The queue learns of the close from the conversation's feed, a moment later: retry as a client does,
        // after the retryAfterMs the refusal names (kept short here), until the deadline.
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode retried = open(visitors.get(2), "w-3");
        while (!retried.path("type").asText().equals("ack") && System.nanoTime() < deadline) {
          LockSupport.parkNanos(Duration.ofMillis(Math.min(200, retried.path("retryAfterMs").asLong(200))).toNanos());
          retried = open(visitors.get(2), "w-3");
        }
        assertThat(retried.path("type").asText()).isEqualTo("ack");
      } finally {
        visitors.forEach(WireClient::close);
      }
    }
  }

  @Test
  void fallbackConnectionsOfOneAddressHaveTheirShareOfTheTable() throws Exception {
    try (TestServer server = start(Map.of("parley.edge.admission.fallback-connections-per-address", 2))) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        statuses.add(openLongPoll(server, "198.51.100.50").statusCode());
      }
      HttpResponse<String> other = openLongPoll(server, "198.51.100.51");
      assertThat(statuses).containsExactly(200, 200, 503);
      assertThat(other.statusCode()).isEqualTo(200);
      HttpResponse<String> refused = openLongPoll(server, "198.51.100.50");
      assertThat(refused.body()).contains("\"code\":\"overloaded\"");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }
  }

  private static HttpResponse<String> openLongPoll(TestServer server, String address) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/lp/visitor?site=demo"))
            .header("Origin", server.origin())
            .header("X-Forwarded-For", address)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUntrustedForwardedForCannotMakeOneAddressMany() {
    Map<String, Object> config = new HashMap<>(TestServer.GENEROUS_ADMISSION);
    config.put("parley.edge.admission.conversations-per-address.burst", 2);
    config.put("parley.edge.admission.conversations-per-address.every", "1h");
    try (TestServer server = TestServer.start(TestDatabases.freshPostgres(), config)) {
      List<JsonNode> answers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        try (WireClient v = visitorFrom(server, "demo", "198.51.100." + (60 + i))) {
          answers.add(open(v, "x-" + i));
        }
      }
      assertThat(answers.get(2).path("code").asText())
          .as("three 'addresses' from one untrusted peer are one address")
          .isEqualTo("rate-limited");
    }
  }

  @Test
  void aClientThatTricklesHeadersIsCutOffAndOthersAreServed() throws Exception {
    try (TestServer server = start(Map.of("parley.edge.admission.header-timeout", "1s"));
        Socket slow = new Socket()) {
      slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
      slow.setSoTimeout(10_000);
      OutputStream out = slow.getOutputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long started = System.nanoTime();
      InputStream in = slow.getInputStream();
      // Keep trickling a header line while waiting for the server to give up on this connection.
      int read;
      do {
        try {
          out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (java.io.IOException closed) {
          break;
        }
        slow.setSoTimeout(300);
        try {
          read = in.read();
        } catch (java.net.SocketTimeoutException notYet) {
          read = 0;
        }
      } while (read == 0 && System.nanoTime() - started < Duration.ofSeconds(8).toNanos());
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(seconds).as("cut off after the header timeout, not after the idle timeout").isLessThan(5.0);
      HttpResponse<String> health =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
    }
  }
}
