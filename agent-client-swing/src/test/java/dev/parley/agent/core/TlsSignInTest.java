package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.SelfSigned;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real server that serves TLS with a certificate no public CA signed, as a company running
 * its own CA (or a self-signed certificate) has: with the operator's PEM file in the client's home it signs in over
 * https and goes online over wss; without it the JVM's trust store alone refuses the server.
 */
class TlsSignInTest {

  @TempDir static Path serverFiles;
  private static SelfSigned certificate;
  private static LiveServer server;
  @TempDir Path home;

  @BeforeAll
  static void start() {
    certificate = SelfSigned.create(serverFiles, "parley-test");
    server =
        LiveServer.start(
            Map.of(
                "parley.edge.tls.cert-file", certificate.certPem().toString(),
                "parley.edge.tls.key-file", certificate.keyPem().toString()),
            trusting(certificate));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static javax.net.ssl.SSLContext trusting(SelfSigned c) {
    Path file = serverFiles.resolve("trusted-by-the-helper.pem");
    try {
      Files.copy(c.certPem(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return TrustedCertificates.load(file).context();
  }

  private static HttpClient client(TrustedCertificates.Trust trust) {
    return HttpClient.newBuilder().sslContext(trust.context()).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void withTheOperatorsCertificateTheAgentSignsInOverHttpsAndGoesOnlineOverWss() throws Exception {
    URI base = server.base();
    assertThat(base.getScheme()).isEqualTo("https");
    Files.copy(certificate.certPem(), home.resolve(TrustedCertificates.FILE_NAME));
    TrustedCertificates.Trust trust = TrustedCertificates.load(TrustedCertificates.location(new AgentHome(home)));
    assertThat(trust.added()).isEqualTo(1);
    assertThat(trust.problem()).isEmpty();

    HttpClient http = client(trust);
    LiveServer.Account account = server.newAgent("tls");
    AuthApi.Login login = (AuthApi.Login) new AuthApi(http, base).login(account.username(), account.password());
    try (AgentClient agent =
        new AgentClient(http, base, login, new Outbox(home.resolve("outbox.json")), Clock.systemUTC())) {
      agent.start();
      Await.until("agent online over wss", () -> agent.workspace().connection() == ConnectionState.ONLINE);
    }
  }

  @Test
  void withoutItTheJvmsTrustStoreRefusesTheServer() {
    TrustedCertificates.Trust trust = TrustedCertificates.load(home.resolve("no-such-file.pem"));
    assertThat(trust.added()).isZero();
    LiveServer.Account account = server.newAgent("untrusted");
    assertThatThrownBy(() -> new AuthApi(client(trust), server.base()).login(account.username(), account.password()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void anUnreadableCertificateFileIsReportedAndTheJvmsTrustStoreStays() throws Exception {
    Path broken = home.resolve(TrustedCertificates.FILE_NAME);
    Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nnot base64 of a certificate\n-----END CERTIFICATE-----\n");
    TrustedCertificates.Trust trust = TrustedCertificates.load(broken);
    assertThat(trust.problem()).isPresent();
    assertThat(trust.added()).isZero();
    assertThat(trust.context()).isSameAs(javax.net.ssl.SSLContext.getDefault());
  }
}
