package dev.parley.agent.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost made by the JDK's {@code keytool} (no network), written as
 * the PEM files a server is given ({@code cert.pem}, {@code key.pem}); the certificate file is also what an operator
 * hands agents to trust.
 */
public record SelfSigned(Path certPem, Path keyPem, X509Certificate certificate) {

  public static SelfSigned create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path keystore = dir.resolve(name + ".p12");
      String password = "pw-" + System.nanoTime();
      Process keytool =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                      "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                      "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                      "-keystore", keystore.toString(), "-storepass", password, "-keypass", password))
              .redirectErrorStream(true)
              .start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new AssertionError("keytool failed: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, password.toCharArray());
      }
      X509Certificate certificate = (X509Certificate) store.getCertificate(name);
      PrivateKey key = (PrivateKey) store.getKey(name, password.toCharArray());
      Path certPem = dir.resolve(name + ".cert.pem");
      Path keyPem = dir.resolve(name + ".key.pem");
      Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()));
      Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
      return new SelfSigned(certPem, keyPem, certificate);
    } catch (Exception e) {
      throw new AssertionError("could not make a test certificate", e);
    }
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
