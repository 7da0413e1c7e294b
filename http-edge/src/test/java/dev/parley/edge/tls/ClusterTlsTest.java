package dev.parley.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.parley.edge.testing.Eventually;
import dev.parley.edge.testing.TestCertificates;
import dev.parley.edge.testing.TestServer;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster remoting over TLS (Artery {@code tls-tcp}) configured the way docs/OPERATIONS.md says: a node starts
 * with it and serves, a second node holding a certificate of the same cluster CA joins it, and the remoting port
 * answers a stranger (no certificate, or one the cluster does not trust) with a failed handshake.
 */
class ClusterTlsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Map<String, Object> tlsRemoting(TestCertificates.Issued node, Path truststore, String trustPassword) {
    Map<String, Object> config = new HashMap<>();
    config.put("pekko.remote.artery.transport", "tls-tcp");
    config.put("pekko.remote.artery.ssl.config-ssl-engine.key-store", node.keystore().toString());
    config.put("pekko.remote.artery.ssl.config-ssl-engine.key-store-password", node.password());
    config.put("pekko.remote.artery.ssl.config-ssl-engine.key-password", node.password());
    config.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store", truststore.toString());
    config.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store-password", trustPassword);
    return config;
  }

  @Test
  void nodesWithCertificatesOfTheClusterCaFormAClusterAndStrangersAreRefused() throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority(dir.resolve("ca"), "cluster-ca");
    TestCertificates.Issued first = TestCertificates.signedBy(ca, dir.resolve("a"), "node-a");
    TestCertificates.Issued second = TestCertificates.signedBy(ca, dir.resolve("b"), "node-b");
    Path truststore = TestCertificates.truststore(dir.resolve("trust.p12"), "trust-pw", ca.certificate());
    PersistenceSettings storage = TestDatabases.freshPostgres();

    try (TestServer a = TestServer.start(storage, tlsRemoting(first, truststore, "trust-pw"))) {
      Cluster clusterA = Cluster.get(a.server().system());
      Eventually.await("node A is Up", WAIT, () -> clusterA.selfMember().status() == MemberStatus.up());
      assertThat(a.request("GET", "/healthz", null, null).status()).isEqualTo(200);
      Address seed = clusterA.selfMember().address();
      int remotingPort = (Integer) seed.port().get();

      Map<String, Object> joining = tlsRemoting(second, truststore, "trust-pw");
      joining.put("pekko.cluster.seed-nodes", List.of(seed.toString()));
      try (TestServer b = TestServer.start(storage, joining)) {
        Eventually.await("both nodes see two Up members", WAIT, () -> upMembers(a) == 2 && upMembers(b) == 2);
        assertThat(b.request("GET", "/healthz", null, null).status()).isEqualTo(200);
      }

      // The remoting port speaks TLS 1.3 to a holder of a cluster certificate ...
      try (SSLSocket member = handshake(clientContext(second, ca), remotingPort)) {
        assertThat(member.getSession().getProtocol()).isEqualTo("TLSv1.3");
      }
      // ... and refuses a client with no certificate, or with one the cluster does not trust.
      assertThat(stranger(clientContext(null, ca), remotingPort)).startsWith("refused");
      TestCertificates.Issued intruder = TestCertificates.selfSigned(dir.resolve("x"), "intruder");
      assertThat(stranger(clientContext(intruder, ca), remotingPort)).startsWith("refused");
    }
  }

  @Test
  void aMissingKeystorePasswordStopsTheStartByName() {
    var config =
        ConfigFactory.parseMap(
                Map.of(
                    "pekko.remote.artery.transport", "tls-tcp",
                    "pekko.remote.artery.ssl.config-ssl-engine.key-store", dir.resolve("none.p12").toString()))
            .withFallback(ConfigFactory.load())
            .resolve();
    assertThatThrownBy(() -> ClusterTransport.check(config))
        .hasMessageContaining("PARLEY_CLUSTER_KEYSTORE_PASSWORD");
  }

  private static long upMembers(TestServer node) {
    return StreamSupport.stream(Cluster.get(node.server().system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  private static SSLSocket handshake(SSLContext context, int port) throws Exception {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  /**
   * What a client gets from the remoting port: "refused …" when the node ends the connection during or right after
   * the TLS handshake (TLS 1.3: the server checks the client's certificate after the client's side of the handshake
   * ended, so its alert, or the closed connection, comes with the first read); "accepted" when the node waits for
   * the client to speak; "not TLS" when the port does not answer TLS at all.
   */
  private static String stranger(SSLContext context, int port) {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      int first = socket.getInputStream().read();
      return first < 0 ? "refused (closed)" : "accepted (it sent data)";
    } catch (SocketTimeoutException e) {
      return "accepted (it waits for the client)";
    } catch (SSLException e) {
      return String.valueOf(e.getMessage()).contains("alert") ? "refused (" + e.getMessage() + ")" : "not TLS: " + e;
    } catch (IOException e) {
      return "refused (" + e + ")";
    }
  }

  private static SSLContext clientContext(TestCertificates.Issued key, TestCertificates.Issued trusted)
      throws Exception {
    KeyManagerFactory kmf = null;
    if (key != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = java.nio.file.Files.newInputStream(key.keystore())) {
        store.load(in, key.password().toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, key.password().toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trusted.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
