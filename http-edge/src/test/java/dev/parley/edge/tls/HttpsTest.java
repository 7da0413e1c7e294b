package dev.parley.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.Eventually;
import dev.parley.edge.testing.HttpFallbackClient;
import dev.parley.edge.testing.TestCertificates;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A node that serves TLS itself, with a certificate generated for the test, over real sockets: health, a visitor
 * over WSS and over an event stream on HTTPS, plain HTTP refused on the TLS port and redirected on the redirect
 * port, weak TLS refused, and a PKCS#12 keystore renewed while the node runs, without its passwords in any log.
 */
class HttpsTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir static Path dir;
  private static TestCertificates.Issued certificate;
  private static TestServer server;
  private static HttpClient https;

  @BeforeAll
  static void start() {
    certificate = TestCertificates.selfSigned(dir, "node");
    server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of(
                "parley.edge.tls.cert-file", certificate.certPem().toString(),
                "parley.edge.tls.key-file", certificate.keyPem().toString(),
                "parley.edge.tls.redirect-port", "0"));
    https = client(certificate.trustingIt());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpClient client(SSLContext trust) {
    return HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static String base() {
    return "https://127.0.0.1:" + server.port();
  }

  @Test
  void healthAnswersOverHttpsAndThePublicUrlSaysHttps() throws Exception {
    HttpResponse<String> health =
        https.send(HttpRequest.newBuilder(URI.create(base() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.sslSession()).isPresent();
    assertThat(health.sslSession().get().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(server.server().publicUrl()).isEqualTo(base());
  }

  @Test
  void aVisitorSaysHelloAndSendsOverWss() {
    URI wss = URI.create("wss://127.0.0.1:" + server.port() + "/ws/visitor?site=demo");
    try (WireClient visitor = WireClient.connect(https, wss, base(), Map.of())) {
      visitor.send(WireClient.frame("hello"));
      assertThat(visitor.awaitType("welcome", WAIT).path("token").asText()).isNotEmpty();
      visitor.send(WireClient.frame("send").put("id", "wss-1").put("text", "Hello over TLS"));
      JsonNode ack = visitor.awaitType("ack", WAIT);
      assertThat(ack.path("id").asText()).isEqualTo("wss-1");
      assertThat(ack.path("seq").asLong()).isEqualTo(1);
    }
  }

  @Test
  void aVisitorTalksOverAnEventStreamOnHttps() {
    try (HttpFallbackClient visitor =
        HttpFallbackClient.open(HttpFallbackClient.Mode.SSE, https, base(), "demo", base())) {
      visitor.send(WireClient.frame("hello"));
      visitor.awaitType("welcome", WAIT);
      visitor.send(WireClient.frame("send").put("id", "sse-1").put("text", "Hello over an event stream"));
      assertThat(visitor.awaitType("ack", WAIT).path("seq").asLong()).isEqualTo(1);
      JsonNode event = visitor.await(f -> "event".equals(f.path("type").asText()) && f.path("seq").asLong() == 1, WAIT);
      assertThat(event.path("text").asText()).isEqualTo("Hello over an event stream");
    }
  }

  @Test
  void plainHttpToTheTlsPortGetsNoHttpAnswer() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] answer = readSome(socket.getInputStream());
      // A TLS alert or nothing at all, never "HTTP/1.1 200": the plain request is not served.
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/");
    }
  }

  @Test
  void theRedirectPortSendsReadsToHttpsAndRefusesWrites() throws Exception {
    int plain = server.server().redirectPort().orElseThrow();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain + "/healthz?probe=1")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(308);
    assertThat(get.headers().firstValue("Location")).hasValue(base() + "/healthz?probe=1");

    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain + "/api/auth/login"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(400);
    assertThat(post.body()).contains("https only");
  }

  @Test
  void tls12WithoutForwardSecrecyAndAeadIsRefused() throws Exception {
    try (SSLSocket weak = socket()) {
      weak.setEnabledProtocols(new String[] {"TLSv1.2"});
      // Offered by the JDK's client by default, and not in the node's list (CBC).
      weak.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"});
      assertThatThrownBy(weak::startHandshake).isInstanceOf(SSLHandshakeException.class);
    }
    try (SSLSocket strong = socket()) {
      strong.setEnabledProtocols(new String[] {"TLSv1.2"});
      strong.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"});
      strong.startHandshake();
      assertThat(strong.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    }
  }

  private static SSLSocket socket() throws Exception {
    SSLSocket socket =
        (SSLSocket) certificate.trustingIt().getSocketFactory().createSocket("127.0.0.1", server.port());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  /**
   * A node on a password-protected PKCS#12 keystore whose password is in a file: it serves; when the keystore and
   * its password are replaced (first the keystore, a moment later the password, as a renewal script would), new
   * connections get the new certificate without a restart; and neither password appears in any log line.
   */
  @Test
  void aRenewedKeystoreServesNewConnectionsAndNoPasswordIsLogged(@TempDir Path own) throws Exception {
    TestCertificates.Issued first = TestCertificates.selfSigned(own.resolve("first"), "first");
    TestCertificates.Issued second = TestCertificates.selfSigned(own.resolve("second"), "second");
    Path keystore = own.resolve("served.p12");
    Path passwordFile = own.resolve("served.password");
    Files.copy(first.keystore(), keystore);
    Files.writeString(passwordFile, first.password() + "\n");

    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    root.setLevel(Level.DEBUG);
    try (TestServer node =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of(
                "parley.edge.tls.keystore-file", keystore.toString(),
                "parley.edge.tls.keystore-password-file", passwordFile.toString(),
                "parley.edge.tls.reload-interval", "100ms"))) {
      SSLContext trustsBoth = TestCertificates.trusting(first.certificate(), second.certificate());
      assertThat(servedCertificate(trustsBoth, node.port())).isEqualTo(first.certificate());
      HttpResponse<String> health =
          client(trustsBoth)
              .send(
                  HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.port() + "/healthz")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      Files.copy(second.keystore(), keystore, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Eventually.await(
          "a reload attempt with the new keystore and the old password",
          WAIT,
          () -> {
            synchronized (log) { // the appender adds under its own lock, from the node's threads
              return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains("cannot be used"));
            }
          });
      assertThat(servedCertificate(trustsBoth, node.port())).isEqualTo(first.certificate());
      Files.writeString(passwordFile, second.password() + "\n");
      Eventually.await(
          "new connections served with the renewed certificate",
          WAIT,
          () -> second.certificate().equals(servedCertificate(trustsBoth, node.port())));
    } finally {
      root.detachAppender(log);
      root.setLevel(before);
    }
    assertThat(log.list).isNotEmpty();
    for (ILoggingEvent event : log.list) {
      String text =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      assertThat(text).doesNotContain(first.password()).doesNotContain(second.password());
    }
  }

  private static Certificate servedCertificate(SSLContext trust, int port) {
    try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.startHandshake();
      return socket.getSession().getPeerCertificates()[0];
    } catch (Exception e) {
      throw new AssertionError("handshake with the node failed", e);
    }
  }

  private static byte[] readSome(InputStream in) {
    byte[] buffer = new byte[64];
    try {
      int n = in.read(buffer);
      return n <= 0 ? new byte[0] : java.util.Arrays.copyOf(buffer, n);
    } catch (java.io.IOException closed) {
      return new byte[0];
    }
  }
}
