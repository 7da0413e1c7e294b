package dev.parley.edge.tls;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How this node serves TLS itself, read from {@code parley.edge.tls}: a certificate and key as PEM files, or a
 * PKCS#12 keystore with its password; the protocols and cipher suites; how often the files are checked for a
 * renewed certificate; and an optional plain-HTTP port that only redirects to https. Absent when no certificate is
 * configured: the node then serves plain HTTP (docs/SECURITY.md, "TLS").
 */
public record TlsSettings(
    Source source,
    List<String> protocols,
    List<String> cipherSuites,
    Duration reloadInterval,
    OptionalInt redirectPort) {

  /** Where the key and certificate come from. */
  public sealed interface Source {}

  /** A certificate chain (leaf first) and its unencrypted private key, both PEM. */
  public record Pem(Path certFile, Path keyFile) implements Source {}

  /**
   * A PKCS#12 keystore holding one key and its chain. The password is given directly or as a file holding it (read
   * again at every reload, so that it can change with the keystore); it never appears in {@link #toString}.
   */
  public record Pkcs12(Path keystoreFile, String password, Path passwordFile) implements Source {
    @Override
    public String toString() {
      return "Pkcs12[keystoreFile=" + keystoreFile + ", password=" + (passwordFile != null ? passwordFile : "***")
          + "]";
    }
  }

  /**
   * The settings, or empty when no certificate is configured.
   *
   * @throws IllegalArgumentException naming the setting and its environment variable when they contradict
   */
  public static Optional<TlsSettings> fromConfig(Config root) {
    Config c = root.getConfig("parley.edge.tls");
    String cert = c.getString("cert-file").strip();
    String key = c.getString("key-file").strip();
    String keystore = c.getString("keystore-file").strip();
    String password = c.getString("keystore-password");
    String passwordFile = c.getString("keystore-password-file").strip();
    Source source;
    if (!keystore.isEmpty()) {
      if (!cert.isEmpty() || !key.isEmpty()) {
        throw new IllegalArgumentException(
            "TLS: give either a PEM certificate and key (PARLEY_TLS_CERT, PARLEY_TLS_KEY) or a PKCS#12 keystore"
                + " (PARLEY_TLS_KEYSTORE), not both");
      }
      if (password.isEmpty() == passwordFile.isEmpty()) {
        throw new IllegalArgumentException(
            "TLS: the keystore PARLEY_TLS_KEYSTORE needs its password, in exactly one of"
                + " PARLEY_TLS_KEYSTORE_PASSWORD and PARLEY_TLS_KEYSTORE_PASSWORD_FILE");
      }
      source =
          new Pkcs12(Path.of(keystore), password.isEmpty() ? null : password,
              passwordFile.isEmpty() ? null : Path.of(passwordFile));
    } else if (!cert.isEmpty() || !key.isEmpty()) {
      if (cert.isEmpty() || key.isEmpty()) {
        throw new IllegalArgumentException(
            "TLS: PARLEY_TLS_CERT (parley.edge.tls.cert-file) and PARLEY_TLS_KEY (parley.edge.tls.key-file) go"
                + " together; only one is set");
      }
      source = new Pem(Path.of(cert), Path.of(key));
    } else {
      return Optional.empty();
    }
    String redirect = c.getString("redirect-port").strip();
    OptionalInt redirectPort = OptionalInt.empty();
    if (!redirect.isEmpty() && !redirect.equals("off")) {
      try {
        int port = Integer.parseInt(redirect);
        if (port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        redirectPort = OptionalInt.of(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "TLS: PARLEY_TLS_REDIRECT_PORT (parley.edge.tls.redirect-port) is not a port: '" + redirect + "'");
      }
    }
    return Optional.of(
        new TlsSettings(
            source,
            List.copyOf(c.getStringList("protocols")),
            List.copyOf(c.getStringList("cipher-suites")),
            c.getDuration("reload-interval"),
            redirectPort));
  }
}
