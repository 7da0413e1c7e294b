package dev.parley.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates for tests, made by the JDK's own {@code keytool} (no network, no extra library): a
 * PKCS#12 keystore, the same certificate and key as PEM files, and client contexts that trust exactly it. The
 * certificate names {@code 127.0.0.1} and {@code localhost}, so clients verify host names as they would in
 * production.
 */
public final class TestCertificates {

  /** One key and its self-signed certificate, in both forms a node can be given. */
  public record Issued(Path keystore, String password, Path certPem, Path keyPem, X509Certificate certificate) {
    /** A client context that trusts this certificate and nothing else. */
    public SSLContext trustingIt() {
      return trusting(certificate);
    }
  }

  private TestCertificates() {}

  /** An RSA key (2048 bits) and certificate for 127.0.0.1 and localhost, valid for 30 days, in {@code dir}. */
  public static Issued selfSigned(Path dir, String name) {
    return selfSigned(dir, name, "RSA");
  }

  /** {@code keyAlgorithm}: {@code RSA} or {@code EC} (P-256). */
  public static Issued selfSigned(Path dir, String name, String keyAlgorithm) {
    try {
      Files.createDirectories(dir);
      Path keystore = dir.resolve(name + ".p12");
      Files.deleteIfExists(keystore);
      String password = "pw-" + name + "-" + System.nanoTime();
      keytool(
          "-genkeypair", "-alias", name, "-keyalg", keyAlgorithm,
          "-keysize", keyAlgorithm.equals("EC") ? "256" : "2048",
          "-validity", "30", "-dname", "CN=" + name,
          "-ext", "SAN=ip:127.0.0.1,dns:localhost",
          "-storetype", "PKCS12", "-keystore", keystore.toString(),
          "-storepass", password, "-keypass", password);
      return export(dir, name, keystore, password);
    } catch (Exception e) {
      throw new AssertionError("could not make a test certificate", e);
    }
  }

  /**
   * A certificate authority for tests: an RSA key with a self-signed CA certificate (basic constraints CA), valid
   * for 30 days. Give it to {@link #signedBy} to issue certificates under it.
   */
  public static Issued authority(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path keystore = dir.resolve(name + ".p12");
      Files.deleteIfExists(keystore);
      String password = "pw-" + name + "-" + System.nanoTime();
      keytool(
          "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
          "-dname", "CN=" + name, "-ext", "bc:c", "-storetype", "PKCS12", "-keystore", keystore.toString(),
          "-storepass", password, "-keypass", password);
      return export(dir, name, keystore, password);
    } catch (Exception e) {
      throw new AssertionError("could not make a test authority", e);
    }
  }

  /**
   * A key and a certificate for 127.0.0.1 and localhost issued by {@code ca}; the keystore and the PEM file hold
   * the chain, this certificate first and the authority's after it (like certbot's fullchain.pem).
   */
  public static Issued signedBy(Issued ca, Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path keystore = dir.resolve(name + ".p12");
      Files.deleteIfExists(keystore);
      String password = "pw-" + name + "-" + System.nanoTime();
      String store = keystore.toString();
      keytool(
          "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
          "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore", store,
          "-storepass", password, "-keypass", password);
      Path request = dir.resolve(name + ".csr");
      Path issued = dir.resolve(name + ".issued.pem");
      keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", password, "-file", request.toString());
      keytool(
          "-gencert", "-alias", caAlias(ca), "-keystore", ca.keystore().toString(), "-storepass", ca.password(),
          "-infile", request.toString(), "-outfile", issued.toString(), "-rfc", "-validity", "30",
          "-ext", "SAN=ip:127.0.0.1,dns:localhost");
      keytool(
          "-importcert", "-noprompt", "-alias", "issuer", "-keystore", store, "-storepass", password,
          "-file", ca.certPem().toString());
      keytool(
          "-importcert", "-noprompt", "-alias", name, "-keystore", store, "-storepass", password,
          "-file", issued.toString());
      // Only the key entry stays: a keystore for a node holds its key and chain, nothing else.
      keytool("-delete", "-alias", "issuer", "-keystore", store, "-storepass", password);
      return export(dir, name, keystore, password);
    } catch (Exception e) {
      throw new AssertionError("could not issue a test certificate", e);
    }
  }

  private static String caAlias(Issued ca) {
    String file = ca.keystore().getFileName().toString();
    return file.substring(0, file.length() - ".p12".length());
  }

  /** PEM files of the keystore's key and chain, next to it. */
  private static Issued export(Path dir, String name, Path keystore, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, password.toCharArray());
    }
    StringBuilder chain = new StringBuilder();
    for (java.security.cert.Certificate c : store.getCertificateChain(name)) {
      chain.append(pem("CERTIFICATE", c.getEncoded()));
    }
    PrivateKey key = (PrivateKey) store.getKey(name, password.toCharArray());
    Path certPem = dir.resolve(name + ".crt.pem");
    Path keyPem = dir.resolve(name + ".key.pem");
    Files.writeString(certPem, chain, StandardCharsets.US_ASCII);
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    return new Issued(keystore, password, certPem, keyPem, (X509Certificate) store.getCertificate(name));
  }

  /** A PKCS#12 truststore holding {@code certificates}, for Pekko's remoting. */
  public static Path truststore(Path file, String password, X509Certificate... certificates) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.length; i++) {
        store.setCertificateEntry("trusted-" + i, certificates[i]);
      }
      try (var out = Files.newOutputStream(file)) {
        store.store(out, password.toCharArray());
      }
      return file;
    } catch (Exception e) {
      throw new AssertionError("could not write a truststore", e);
    }
  }

  /** A client context trusting exactly {@code certificates}. */
  public static SSLContext trusting(X509Certificate... certificates) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.length; i++) {
        store.setCertificateEntry("trusted-" + i, certificates[i]);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new AssertionError("could not build a client TLS context", e);
    }
  }

  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("keytool failed: " + output);
    }
  }
}
