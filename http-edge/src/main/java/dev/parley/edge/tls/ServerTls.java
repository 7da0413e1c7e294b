package dev.parley.edge.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.Executor;
import scala.concurrent.ExecutionContext;

/**
 * TLS served by this node: the key and certificate of {@link TlsSettings}, loaded into an {@link SSLContext}, and an
 * engine for every new connection limited to the configured protocols and cipher suites (TLS 1.3 and 1.2 with
 * forward secrecy and AEAD by default).
 *
 * <p>Why an engine per connection from a swappable context, rather than pekko-http's fixed context: a renewed
 * certificate (certbot replaces its files every 60–90 days) is picked up by {@link #reloadIfChanged} without a
 * restart; connections already open keep the certificate they were opened with. A renewal that cannot be read
 * (half written, key and certificate not matching yet) is logged and the previous certificate stays in use.
 *
 * <p>Passwords are never logged, and no message of this class contains one.
 */
public final class ServerTls {

  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
  /** A certificate expiring sooner than this is worth a warning at every load. */
  private static final Duration EXPIRY_WARNING = Duration.ofDays(14);
  /** The in-memory keystore built from PEM files needs some password; it is never stored anywhere. */
  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

  /** What one load produced; immutable, swapped as a whole. */
  private record Loaded(SSLContext context, String[] protocols, String[] suites, X509Certificate leaf, byte[] digest) {}

  private final TlsSettings settings;
  private final Clock clock;
  /** Written by the reload task (one at a time), read by every new connection: always a complete load. */
  private final AtomicReference<Loaded> current;
  /** The digest of files that failed to load, so that one broken renewal is logged once, not every interval. */
  private volatile byte[] failedDigest = new byte[0];

  private ServerTls(TlsSettings settings, Clock clock, Loaded first) {
    this.settings = settings;
    this.clock = clock;
    this.current = new AtomicReference<>(first);
  }

  /**
   * Loads the key and certificate now.
   *
   * @throws IllegalArgumentException saying which setting is wrong and why, never with a password in it
   */
  public static ServerTls load(TlsSettings settings) {
    Clock clock = Clock.systemUTC();
    Loaded loaded = read(settings, digest(settings));
    describe(loaded, clock, "TLS: serving");
    return new ServerTls(settings, clock, loaded);
  }

  public TlsSettings settings() {
    return settings;
  }

  /** The certificate new connections are served with. */
  public X509Certificate certificate() {
    return current.get().leaf();
  }

  /** For pekko-http's {@code enableHttps}: a fresh engine from the current context for every connection. */
  public HttpsConnectionContext connectionContext() {
    return ConnectionContext.httpsServer(this::newEngine);
  }

  SSLEngine newEngine() {
    Loaded loaded = current.get();
    SSLEngine engine = loaded.context().createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(loaded.protocols());
    parameters.setCipherSuites(loaded.suites());
    // Our order (strongest first) rather than the client's: an old client offering a weak suite first gets ours.
    parameters.setUseCipherSuitesOrder(true);
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** Checks the files every {@code reload-interval} (unless it is zero) on {@code executor}, which may block. */
  public void reloadEvery(ActorSystem<?> system, Executor executor) {
    Duration interval = settings.reloadInterval();
    if (interval.isZero() || interval.isNegative()) {
      return;
    }
    system.scheduler()
        .scheduleWithFixedDelay(
            interval, interval, this::reloadIfChanged, ExecutionContext.fromExecutor(executor));
  }

  /**
   * Loads the files again when their content changed; returns whether a new certificate is now served. A failure
   * is logged (once per content) and the current certificate stays.
   */
  public boolean reloadIfChanged() {
    byte[] digest;
    try {
      digest = digest(settings);
    } catch (IllegalArgumentException unreadable) {
      // A file missing for a moment while a renewal replaces it: try again next time.
      log.warn("TLS: cannot check the certificate files for changes: {}", unreadable.getMessage());
      return false;
    }
    if (Arrays.equals(digest, current.get().digest()) || Arrays.equals(digest, failedDigest)) {
      return false;
    }
    try {
      Loaded loaded = read(settings, digest);
      current.set(loaded);
      describe(loaded, clock, "TLS: certificate reloaded, now serving");
      return true;
    } catch (IllegalArgumentException e) {
      failedDigest = digest;
      log.warn("TLS: the changed certificate files cannot be used, still serving the previous certificate: {}",
          e.getMessage().replaceFirst("^TLS: ", ""));
      return false;
    }
  }

  /**
   * Says, once at start, what the served scheme means here. Plain HTTP is fine on loopback or behind a proxy that
   * terminates TLS (the public URL then says https) and a risk anywhere else; a TLS node whose public URL says http
   * sends browsers to an address that does not answer.
   */
  public static void noteScheme(boolean tls, String host, String publicUrl) {
    boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
    boolean httpsPublic = publicUrl.regionMatches(true, 0, "https://", 0, 8);
    if (tls && !httpsPublic) {
      log.warn("TLS is on but the public URL {} is not https: set PARLEY_PUBLIC_URL to the https address", publicUrl);
    } else if (!tls && httpsPublic) {
      log.info("TLS: plain HTTP on {}; the public URL {} expects a reverse proxy in front to terminate TLS",
          host, publicUrl);
    } else if (!tls && !loopback) {
      log.warn("TLS is off and HTTP listens on {}: passwords, tokens and chats cross the network unencrypted."
          + " Configure PARLEY_TLS_CERT and PARLEY_TLS_KEY, or a reverse proxy (docs/DEPLOY.md)", host);
    }
  }

  // Loading -----------------------------------------------------------------------------------------------------

  private static Loaded read(TlsSettings settings, byte[] digest) {
    KeyStore keys;
    char[] password;
    X509Certificate leaf;
    if (settings.source() instanceof TlsSettings.Pem pem) {
      List<X509Certificate> chain =
          parse("PARLEY_TLS_CERT", pem.certFile(), () -> PemFiles.certificates(text(pem.certFile())));
      PrivateKey key = parse("PARLEY_TLS_KEY", pem.keyFile(), () -> PemFiles.privateKey(text(pem.keyFile())));
      leaf = chain.get(0);
      if (!belongTogether(key, leaf.getPublicKey())) {
        throw new IllegalArgumentException(
            "TLS: the key in PARLEY_TLS_KEY (" + pem.keyFile() + ") does not belong to the first certificate in"
                + " PARLEY_TLS_CERT (" + pem.certFile() + "); the certificate file must start with this server's"
                + " own certificate, followed by its intermediates");
      }
      password = IN_MEMORY_PASSWORD;
      try {
        keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("parley", key, password, chain.toArray(new Certificate[0]));
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException(
            "TLS: the certificates in PARLEY_TLS_CERT (" + pem.certFile() + ") do not form a chain: each must be"
                + " signed by the next (" + e.getMessage() + ")");
      }
    } else {
      TlsSettings.Pkcs12 p12 = (TlsSettings.Pkcs12) settings.source();
      password = password(p12);
      keys = keystore(p12.keystoreFile(), password);
      leaf = leafOf(keys, p12.keystoreFile());
    }
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      SSLParameters supported = context.getSupportedSSLParameters();
      String[] protocols = allowed(settings.protocols(), supported.getProtocols(), "protocols");
      String[] suites = allowed(settings.cipherSuites(), supported.getCipherSuites(), "cipher-suites");
      return new Loaded(context, protocols, suites, leaf, digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS: the key cannot be used for TLS: " + e.getMessage());
    }
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T parse(String variable, Path file, Parse<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "TLS: " + variable + " (" + file + "): " + e.getMessage().replaceFirst("^TLS: ", ""));
    }
  }

  private static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the file (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static char[] password(TlsSettings.Pkcs12 p12) {
    if (p12.passwordFile() == null) {
      return p12.password().toCharArray();
    }
    try {
      // A trailing newline (echo secret > file) is not part of the password.
      return Files.readString(p12.passwordFile(), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "").toCharArray();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "TLS: cannot read PARLEY_TLS_KEYSTORE_PASSWORD_FILE (" + p12.passwordFile() + ")");
    }
  }

  private static KeyStore keystore(Path file, char[] password) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(new ByteArrayInputStream(Files.readAllBytes(file)), password);
      return keys;
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
        throw new IllegalArgumentException(
            "TLS: PARLEY_TLS_KEYSTORE (" + file + "): the password does not open it");
      }
      throw new IllegalArgumentException(
          "TLS: PARLEY_TLS_KEYSTORE (" + file + ") cannot be read as PKCS#12 (" + e.getClass().getSimpleName() + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "TLS: PARLEY_TLS_KEYSTORE (" + file + ") cannot be read as PKCS#12: " + e.getMessage());
    }
  }

  private static X509Certificate leafOf(KeyStore keys, Path file) {
    try {
      List<String> keyAliases = new ArrayList<>();
      for (String alias : Collections.list(keys.aliases())) {
        if (keys.isKeyEntry(alias)) {
          keyAliases.add(alias);
        }
      }
      if (keyAliases.size() != 1) {
        throw new IllegalArgumentException(
            "TLS: PARLEY_TLS_KEYSTORE (" + file + ") must hold exactly one private key, it holds "
                + keyAliases.size());
      }
      Certificate leaf = keys.getCertificate(keyAliases.get(0));
      if (!(leaf instanceof X509Certificate x509)) {
        throw new IllegalArgumentException("TLS: PARLEY_TLS_KEYSTORE (" + file + "): the key has no X.509 certificate");
      }
      return x509;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS: PARLEY_TLS_KEYSTORE (" + file + "): " + e.getMessage());
    }
  }

  /** Whether {@code key} signs what {@code certified} verifies: a certificate file and key file that belong together. */
  static boolean belongTogether(PrivateKey key, PublicKey certified) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          default -> null;
        };
    if (algorithm == null) {
      return true; // a key type we cannot test cheaply; the handshake will tell
    }
    try {
      byte[] probe = "parley".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String[] allowed(List<String> wanted, String[] supported, String setting) {
    List<String> available = Arrays.asList(supported);
    String[] allowed = wanted.stream().filter(available::contains).toArray(String[]::new);
    if (allowed.length == 0) {
      throw new IllegalArgumentException(
          "TLS: none of parley.edge.tls." + setting + " " + wanted + " is supported by this JVM");
    }
    return allowed;
  }

  /** A hash of everything a load reads, to notice a renewal. */
  private static byte[] digest(TlsSettings settings) {
    List<Path> files = new ArrayList<>();
    String variables;
    if (settings.source() instanceof TlsSettings.Pem pem) {
      files.add(pem.certFile());
      files.add(pem.keyFile());
      variables = "PARLEY_TLS_CERT / PARLEY_TLS_KEY";
    } else {
      TlsSettings.Pkcs12 p12 = (TlsSettings.Pkcs12) settings.source();
      files.add(p12.keystoreFile());
      if (p12.passwordFile() != null) {
        files.add(p12.passwordFile());
      }
      variables = "PARLEY_TLS_KEYSTORE";
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path file : files) {
        sha.update(Files.readAllBytes(file));
        sha.update((byte) 0);
      }
      return sha.digest();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "TLS: cannot read " + variables + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void describe(Loaded loaded, Clock clock, String what) {
    X509Certificate leaf = loaded.leaf();
    Instant notAfter = leaf.getNotAfter().toInstant();
    log.info("{} {} (issued by {}, valid until {}); protocols {}", what,
        leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(), notAfter,
        String.join(", ", loaded.protocols()));
    Instant now = clock.instant();
    if (notAfter.isBefore(now)) {
      log.error("TLS: the certificate expired on {}: clients will refuse this server until it is renewed", notAfter);
    } else if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
      log.warn("TLS: the certificate expires on {}: renew it (the node picks up the new files by itself)", notAfter);
    }
  }
}
