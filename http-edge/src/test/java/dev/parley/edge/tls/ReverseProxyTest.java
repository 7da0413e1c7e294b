package dev.parley.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.HttpFallbackClient;
import dev.parley.edge.testing.HttpFallbackClient.Mode;
import dev.parley.edge.testing.Nginx;
import dev.parley.edge.testing.TestCertificates;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The documented nginx recipe, {@code ops/nginx/parley.conf} itself with only its addresses and certificate paths
 * replaced, in front of a real node on loopback: nginx terminates TLS, and visitors over WebSocket, Server-Sent
 * Events and long polling get through it; an agent's message reaches an event-stream visitor within a second (no
 * buffering on the way); and the node counts a client by the address nginx forwards, not by nginx's own.
 */
class ReverseProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir static Path dir;
  private static TestCertificates.Issued certificate;
  private static Deployment deployment;
  private static HttpClient https;

  /** One node behind one nginx. */
  private record Deployment(TestServer node, Nginx nginx, int httpsPort, int plainPort) implements AutoCloseable {
    String base() {
      return "https://127.0.0.1:" + httpsPort;
    }

    @Override
    public void close() {
      try {
        nginx.close();
      } finally {
        node.close();
      }
    }
  }

  @BeforeAll
  static void start() throws Exception {
    certificate = TestCertificates.selfSigned(dir.resolve("cert"), "proxy");
    https = HttpClient.newBuilder().sslContext(certificate.trustingIt()).connectTimeout(Duration.ofSeconds(5)).build();
    deployment = deploy(dir.resolve("main"), Map.of());
  }

  @AfterAll
  static void stop() {
    if (deployment != null) {
      deployment.close();
    }
  }

  /** Starts a node as docs/DEPLOY.md says (public URL and trusted proxy), then nginx in front of it. */
  private static Deployment deploy(Path where, Map<String, Object> limits) throws Exception {
    int httpsPort = Nginx.freePort();
    int plainPort = Nginx.freePort();
    Map<String, Object> config = new HashMap<>(limits);
    config.put("parley.edge.public-url", "https://127.0.0.1:" + httpsPort);
    config.put("parley.edge.admission.trusted-proxies", "127.0.0.1");
    TestServer node = TestServer.start(TestDatabases.freshPostgres(), config);
    try {
      Nginx nginx = Nginx.start(where, render(node.port(), httpsPort, plainPort), httpsPort);
      return new Deployment(node, nginx, httpsPort, plainPort);
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
  }

  /** The recipe with test addresses: every replaced line must be found, so a changed recipe fails loudly here. */
  private static String render(int parleyPort, int httpsPort, int plainPort) throws Exception {
    Path recipe = recipe();
    String text = Files.readString(recipe);
    text = replaceOnce(text, "listen 80;", "listen 127.0.0.1:" + plainPort + ";");
    text = replaceOnce(text, "listen 443 ssl http2;", "listen 127.0.0.1:" + httpsPort + " ssl http2;");
    text = replaceOnce(text, "server 127.0.0.1:8080;", "server 127.0.0.1:" + parleyPort + ";");
    text = replaceOnce(text, "/etc/letsencrypt/live/chat.example.com/fullchain.pem", certificate.certPem().toString());
    text = replaceOnce(text, "/etc/letsencrypt/live/chat.example.com/privkey.pem", certificate.keyPem().toString());
    // IPv6 may be missing on a test machine; the IPv4 lines above are the same server.
    List<String> lines = new ArrayList<>(text.lines().filter(l -> !l.strip().startsWith("listen [::]:")).toList());
    return String.join("\n", lines) + "\n";
  }

  private static Path recipe() {
    Path at = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (at != null && !Files.exists(at.resolve("ops/nginx/parley.conf"))) {
      at = at.getParent();
    }
    assertThat(at).as("ops/nginx/parley.conf above " + System.getProperty("user.dir")).isNotNull();
    return at.resolve("ops/nginx/parley.conf");
  }

  private static String replaceOnce(String text, String what, String with) {
    int at = text.indexOf(what);
    assertThat(at).as("ops/nginx/parley.conf contains '" + what + "'").isNotNegative();
    assertThat(text.indexOf(what, at + 1)).as("'" + what + "' only once").isNegative();
    return text.replace(what, with);
  }

  // Tests -------------------------------------------------------------------------------------------------------

  @Test
  void aVisitorTalksOverWebSocketThroughTheProxy() {
    URI wss = URI.create("wss://127.0.0.1:" + deployment.httpsPort() + "/ws/visitor?site=demo");
    try (WireClient visitor = WireClient.connect(https, wss, deployment.base(), Map.of())) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "ws-1").put("text", "Hello through nginx"));
      assertThat(visitor.awaitType("ack", WAIT).path("seq").asLong()).isEqualTo(1);
      visitor.roundTrip(WAIT);
    }
  }

  /** Both HTTP versions a browser may speak to the proxy: nginx buffers them differently. */
  enum Version {
    HTTP_1_1,
    HTTP_2
  }

  @ParameterizedTest
  @CsvSource({"SSE, HTTP_1_1", "SSE, HTTP_2", "LONG_POLL, HTTP_1_1", "LONG_POLL, HTTP_2"})
  void anAgentsMessageReachesAFallbackVisitorWithinASecond(Mode mode, Version version) {
    HttpClient browser =
        HttpClient.newBuilder()
            .sslContext(certificate.trustingIt())
            .version(version == Version.HTTP_2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String agentToken = deployment.node().createAgent(deployment.node().adminToken(), "demo", "px-" + UUID.randomUUID().toString().substring(0, 8));
    try (HttpFallbackClient visitor =
            HttpFallbackClient.open(mode, browser, deployment.base(), "demo", deployment.base());
        WireClient agent =
            WireClient.connect(
                https, URI.create("wss://127.0.0.1:" + deployment.httpsPort() + "/ws/agent"), null, Map.of())) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "v-1").put("text", "Anyone there?"));
      String conversation = visitor.awaitType("ack", WAIT).path("conversationId").asText();

      agent.send(WireClient.frame("hello").put("token", agentToken));
      agent.awaitType("welcome", WAIT);
      agent.send(WireClient.frame("claim").put("id", "c-1").put("conversationId", conversation));
      agent.await(f -> "ack".equals(f.path("type").asText()) && "c-1".equals(f.path("id").asText()), WAIT);
      visitor.await(f -> isMessage(f, "joined"), WAIT);

      // From here on, every hop is live: the message must not wait in a proxy buffer.
      agent.send(WireClient.frame("send").put("id", "a-1").put("conversationId", conversation).put("text", "Yes!"));
      JsonNode reply = visitor.await(f -> "event".equals(f.path("type").asText()) && "Yes!".equals(f.path("text").asText()),
          Duration.ofSeconds(1));
      assertThat(reply.path("conversationId").asText()).isEqualTo(conversation);
    }
  }

  @Test
  void plainHttpAtTheProxyIsRedirectedToHttps() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + deployment.plainPort() + "/widget.js")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(301);
    assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("https://"));
  }

  /**
   * With at most two connections per client address, a third from one address is refused even when it writes its
   * own X-Forwarded-For (nginx replaces it), while another address is still served: the node counts the address
   * nginx forwards. Had it counted nginx's own address, the second client would be refused too.
   */
  @Test
  void limitsApplyToTheForwardedAddressNotToTheProxys(@TempDir Path own) throws Exception {
    // These streams never say hello: give them longer than the test could ever take before the node ends them.
    Map<String, Object> limits =
        Map.of("parley.edge.admission.max-connections-per-address", 2, "parley.edge.hello-timeout", "5m");
    try (Deployment limited = deploy(own, limits)) {
      List<SSLSocket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          SSLSocket s = eventStream(limited, "127.0.0.2", null);
          open.add(s);
          assertThat(status(s)).as("connection %d from 127.0.0.2", i + 1).isEqualTo(200);
        }
        SSLSocket third = eventStream(limited, "127.0.0.2", "198.51.100." + 77);
        open.add(third);
        assertThat(status(third)).as("a third from 127.0.0.2, claiming another address").isEqualTo(503);
        SSLSocket neighbour = eventStream(limited, "127.0.0.3", null);
        open.add(neighbour);
        assertThat(status(neighbour)).as("another client address").isEqualTo(200);
      } finally {
        for (SSLSocket s : open) {
          s.close();
        }
      }
    }
  }

  /** Opens an event stream through nginx from {@code source} (a loopback address), over HTTP/1.1 on TLS. */
  private static SSLSocket eventStream(Deployment target, String source, String spoofedForwardedFor) throws Exception {
    SSLSocket socket =
        (SSLSocket)
            certificate.trustingIt()
                .getSocketFactory()
                .createSocket(InetAddress.getByName("127.0.0.1"), target.httpsPort(), InetAddress.getByName(source), 0);
    socket.setSoTimeout((int) WAIT.toMillis());
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /sse/visitor?site=demo HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + target.httpsPort() + "\r\n"
                + "Origin: " + target.base() + "\r\n"
                + "Accept: text/event-stream\r\n"
                + (spoofedForwardedFor == null ? "" : "X-Forwarded-For: " + spoofedForwardedFor + "\r\n")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private static int status(SSLSocket socket) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    String line = in.readLine();
    assertThat(line).as("status line").startsWith("HTTP/1.1 ");
    return Integer.parseInt(line.split(" ")[1]);
  }

  private static boolean isMessage(JsonNode frame, String kind) {
    return "event".equals(frame.path("type").asText()) && kind.equals(frame.path("kind").asText());
  }
}
