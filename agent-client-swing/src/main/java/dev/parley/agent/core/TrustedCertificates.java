package dev.parley.agent.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whom the client believes when it connects over TLS: the JVM's trust store (the public CAs, plus whatever the
 * organisation installed into the JVM), and optionally the certificates of a PEM file the operator distributes —
 * their own CA, or the server's self-signed certificate. Host names are verified either way.
 *
 * <p>The file is {@code trusted-certificates.pem} in the client's home directory ({@code ~/.parley-agent}), or the
 * file named by {@code -Dparley.agent.trusted-certificates=FILE}. It adds trust; it never removes the JVM's.
 */
public final class TrustedCertificates {

  private static final Logger LOG = LoggerFactory.getLogger(TrustedCertificates.class);
  public static final String FILE_NAME = "trusted-certificates.pem";
  public static final String PROPERTY = "parley.agent.trusted-certificates";
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN CERTIFICATE-----\\s*([A-Za-z0-9+/=\\s]*?)-----END CERTIFICATE-----");

  /**
   * The TLS context to connect with, how many certificates the file added, and a problem with the file (then only
   * the JVM's trust store is used, and the person is told).
   */
  public record Trust(SSLContext context, Path file, int added, Optional<String> problem) {}

  private TrustedCertificates() {}

  /** Where the operator's certificates are looked for. */
  public static Path location(AgentHome home) {
    String override = System.getProperty(PROPERTY);
    return override != null && !override.isBlank() ? Path.of(override) : home.dir().resolve(FILE_NAME);
  }

  /** The JVM's trust store plus the certificates of {@code file} when it exists. */
  public static Trust load(Path file) {
    if (!Files.exists(file)) {
      return new Trust(jvmOnly(), file, 0, Optional.empty());
    }
    try {
      List<X509Certificate> certificates = read(Files.readString(file));
      LOG.info("trusting {} certificate(s) from {} besides the JVM's trust store", certificates.size(), file);
      return new Trust(withExtra(certificates), file, certificates.size(), Optional.empty());
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("cannot use the trusted certificates in {}: {}", file, e.getMessage());
      return new Trust(jvmOnly(), file, 0, Optional.of(e.getMessage() == null ? e.toString() : e.getMessage()));
    }
  }

  static List<X509Certificate> read(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher m = BLOCK.matcher(pem);
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException("a certificate in it is not X.509: " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no '-----BEGIN CERTIFICATE-----' block in it");
    }
    return certificates;
  }

  private static SSLContext jvmOnly() {
    try {
      return SSLContext.getDefault();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no default TLS context", e);
    }
  }

  private static SSLContext withExtra(List<X509Certificate> certificates) {
    try {
      KeyStore extra = KeyStore.getInstance("PKCS12");
      extra.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        extra.setCertificateEntry("operator-" + i, certificates.get(i));
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new Either(managerFor(null), managerFor(extra))}, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot build a trust store from it: " + e.getMessage());
    }
  }

  private static X509ExtendedTrustManager managerFor(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store); // null: the JVM's own trust store
    for (TrustManager manager : tmf.getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager extended) {
        return extended;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /**
   * Trusts a server that either manager trusts. Both are the JDK's own extended managers, so host-name
   * verification (the socket's or engine's endpoint identification) still happens in whichever decides.
   */
  private static final class Either extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager jvm;
    private final X509ExtendedTrustManager operator;

    Either(X509ExtendedTrustManager jvm, X509ExtendedTrustManager operator) {
      this.jvm = jvm;
      this.operator = operator;
    }

    private interface Check {
      void run(X509ExtendedTrustManager manager) throws CertificateException;
    }

    private void either(Check check) throws CertificateException {
      try {
        check.run(jvm);
      } catch (CertificateException notByTheJvm) {
        try {
          check.run(operator);
        } catch (CertificateException notByTheOperator) {
          notByTheJvm.addSuppressed(notByTheOperator);
          throw notByTheJvm;
        }
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      jvm.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      jvm.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      jvm.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return Stream.concat(Arrays.stream(jvm.getAcceptedIssuers()), Arrays.stream(operator.getAcceptedIssuers()))
          .toArray(X509Certificate[]::new);
    }
  }
}
