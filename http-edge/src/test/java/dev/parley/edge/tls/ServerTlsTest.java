package dev.parley.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.parley.edge.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a node's key and certificate, without a server: the PEM formats certbot and openssl write, the mistakes
 * operators make (key of another certificate, chain in the wrong order, an encrypted key, a wrong password) each
 * refused at start with a sentence naming the setting and never the password. PKCS#1 and SEC1 keys are made by the
 * system's {@code openssl}, so the reader is checked against another implementation, not against itself.
 */
class ServerTlsTest {

  @TempDir Path dir;

  private static TlsSettings settings(Map<String, Object> values) {
    return TlsSettings.fromConfig(ConfigFactory.parseMap(values).withFallback(ConfigFactory.load()).resolve())
        .orElseThrow();
  }

  private static ServerTls pem(Path cert, Path key) {
    return ServerTls.load(
        settings(Map.of("parley.edge.tls.cert-file", cert.toString(), "parley.edge.tls.key-file", key.toString())));
  }

  @Test
  void noCertificateMeansNoTls() {
    assertThat(TlsSettings.fromConfig(ConfigFactory.load())).isEmpty();
  }

  @Test
  void aPkcs8KeyAndItsCertificateLoad() {
    TestCertificates.Issued node = TestCertificates.selfSigned(dir, "pkcs8");
    assertThat(pem(node.certPem(), node.keyPem()).certificate()).isEqualTo(node.certificate());
  }

  @Test
  void aTraditionalRsaKeyLoads() throws Exception {
    TestCertificates.Issued node = TestCertificates.selfSigned(dir, "rsa", "RSA");
    Path pkcs1 = openssl(node.keyPem(), "pkey", "-traditional");
    assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(pem(node.certPem(), pkcs1).certificate()).isEqualTo(node.certificate());
  }

  @Test
  void aTraditionalEcKeyLoads() throws Exception {
    TestCertificates.Issued node = TestCertificates.selfSigned(dir, "ec", "EC");
    Path sec1 = openssl(node.keyPem(), "pkey", "-traditional");
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(pem(node.certPem(), sec1).certificate()).isEqualTo(node.certificate());
  }

  @Test
  void anEncryptedKeyIsRefusedWithAWayOut() throws Exception {
    TestCertificates.Issued node = TestCertificates.selfSigned(dir, "enc");
    Path encrypted = openssl(node.keyPem(), "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret-pass");
    assertThatThrownBy(() -> pem(node.certPem(), encrypted))
        .hasMessageContaining("PARLEY_TLS_KEY")
        .hasMessageContaining("encrypted")
        .hasMessageContaining("PKCS#12")
        .hasMessageNotContaining("s3cret-pass");
  }

  @Test
  void theKeyOfAnotherCertificateIsRefused() {
    TestCertificates.Issued one = TestCertificates.selfSigned(dir.resolve("one"), "one");
    TestCertificates.Issued other = TestCertificates.selfSigned(dir.resolve("other"), "other");
    assertThatThrownBy(() -> pem(one.certPem(), other.keyPem()))
        .hasMessageContaining("does not belong to the first certificate in PARLEY_TLS_CERT");
  }

  @Test
  void aChainMustStartWithTheServersOwnCertificate() throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority(dir.resolve("ca"), "test-ca");
    TestCertificates.Issued leaf = TestCertificates.signedBy(ca, dir.resolve("leaf"), "leaf");
    assertThat(Files.readString(leaf.certPem())).as("leaf and CA, like fullchain.pem").contains("END CERTIFICATE")
        .satisfies(text -> assertThat(text.split("BEGIN CERTIFICATE")).hasSize(3));
    assertThat(pem(leaf.certPem(), leaf.keyPem()).certificate()).isEqualTo(leaf.certificate());

    Path reversed = dir.resolve("reversed.pem");
    Files.writeString(reversed, Files.readString(ca.certPem()) + Files.readString(leaf.certPem()));
    assertThatThrownBy(() -> pem(reversed, leaf.keyPem())).hasMessageContaining("must start with this server's own");
  }

  @Test
  void aWrongKeystorePasswordIsRefusedWithoutSayingIt() {
    TestCertificates.Issued node = TestCertificates.selfSigned(dir, "p12");
    assertThatThrownBy(
            () ->
                ServerTls.load(
                    settings(
                        Map.of(
                            "parley.edge.tls.keystore-file", node.keystore().toString(),
                            "parley.edge.tls.keystore-password", "wrong-" + node.password()))))
        .hasMessageContaining("PARLEY_TLS_KEYSTORE")
        .hasMessageContaining("password does not open it")
        .hasMessageNotContaining(node.password());
  }

  @Test
  void contradictorySettingsAreRefusedByName() {
    assertThatThrownBy(() -> settings(Map.of("parley.edge.tls.cert-file", "/x.pem")))
        .hasMessageContaining("PARLEY_TLS_KEY");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "parley.edge.tls.cert-file", "/x.pem",
                        "parley.edge.tls.key-file", "/x.key",
                        "parley.edge.tls.keystore-file", "/x.p12",
                        "parley.edge.tls.keystore-password", "p")))
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> settings(Map.of("parley.edge.tls.keystore-file", "/x.p12")))
        .hasMessageContaining("PARLEY_TLS_KEYSTORE_PASSWORD");
    assertThat(settings(Map.of("parley.edge.tls.keystore-file", "/x.p12", "parley.edge.tls.keystore-password", "p"))
            .source().toString())
        .doesNotContain("=p,").doesNotContain("=p]");
  }

  @Test
  void aRenewalIsPickedUpAndABrokenOneKeepsTheCurrentCertificate() throws Exception {
    TestCertificates.Issued first = TestCertificates.selfSigned(dir.resolve("a"), "first");
    TestCertificates.Issued second = TestCertificates.selfSigned(dir.resolve("b"), "second");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.copy(first.certPem(), cert);
    Files.copy(first.keyPem(), key);
    ServerTls tls = pem(cert, key);
    assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

    // Half a renewal: the new certificate, still the old key.
    Files.copy(second.certPem(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(tls.reloadIfChanged()).isFalse();
    assertThat(tls.certificate()).isEqualTo(first.certificate());

    Files.copy(second.keyPem(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(tls.reloadIfChanged()).isTrue();
    assertThat(tls.certificate()).isEqualTo(second.certificate());
    assertThat(tls.newEngine().getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
  }

  /** Runs {@code openssl <args> -in in -out out} and returns {@code out}. */
  private Path openssl(Path in, String... args) throws Exception {
    Path out = dir.resolve(in.getFileName() + "." + args[0] + "." + System.nanoTime() + ".pem");
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    command.addAll(List.of("-in", in.toString(), "-out", out.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ": " + output).isZero();
    return out;
  }
}
