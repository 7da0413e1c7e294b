package dev.parley.edge.tls;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before the actor system starts, that cluster remoting over TLS ({@code pekko.remote.artery.transport =
 * tls-tcp}) can work: the keystore and truststore named by {@code PARLEY_CLUSTER_*} exist and open with their
 * passwords, the keystore holds a key, the truststore holds certificates. Pekko itself would only find out at the
 * first connection between nodes, and then only in its log; an operator should learn it at start, in one sentence.
 *
 * <p>Also warns when a node that forms a cluster over the network (seed nodes, a non-loopback address) sends its
 * remoting traffic in clear: anyone on that network could then read chats and join the cluster.
 */
public final class ClusterTransport {

  private static final Logger log = LoggerFactory.getLogger(ClusterTransport.class);
  private static final String CONFIG_PROVIDER = "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider";
  /** Pekko's placeholder password in its reference.conf: never a real one. */
  private static final String PLACEHOLDER = "changeme";
  /** More trusted certificates than this looks like a public CA bundle, which would let strangers join. */
  private static final int MANY_TRUSTED_CERTIFICATES = 20;

  private ClusterTransport() {}

  /**
   * @throws IllegalArgumentException naming the variable to fix, never containing a password
   */
  public static void check(Config resolved) {
    Config artery = resolved.getConfig("pekko.remote.artery");
    String transport = artery.getString("transport");
    String hostname = artery.getString("canonical.hostname");
    boolean clustered = !resolved.getStringList("pekko.cluster.seed-nodes").isEmpty();
    if (!transport.equals("tls-tcp")) {
      if (clustered && !isLoopback(hostname)) {
        log.warn("Cluster remoting on {} is not encrypted ({}): set PARLEY_CLUSTER_TRANSPORT=tls-tcp with a keystore"
            + " and truststore (docs/OPERATIONS.md, \"Cluster remoting over TLS\")", hostname, transport);
      }
      return;
    }
    String provider = artery.getString("ssl.ssl-engine-provider");
    if (!provider.equals(CONFIG_PROVIDER)) {
      log.info("Cluster remoting over TLS with the engine provider {}", provider);
      return;
    }
    Config ssl = artery.getConfig("ssl.config-ssl-engine");
    KeyStore keys =
        open("PARLEY_CLUSTER_KEYSTORE", ssl.getString("key-store"), "PARLEY_CLUSTER_KEYSTORE_PASSWORD",
            ssl.getString("key-store-password"));
    KeyStore trust =
        open("PARLEY_CLUSTER_TRUSTSTORE", ssl.getString("trust-store"), "PARLEY_CLUSTER_TRUSTSTORE_PASSWORD",
            ssl.getString("trust-store-password"));
    int trusted;
    try {
      List<String> keyAliases =
          Collections.list(keys.aliases()).stream().filter(a -> isKey(keys, a)).toList();
      if (keyAliases.isEmpty()) {
        throw new IllegalArgumentException(
            "Cluster TLS: PARLEY_CLUSTER_KEYSTORE (" + ssl.getString("key-store") + ") holds no private key");
      }
      try {
        keys.getKey(keyAliases.get(0), ssl.getString("key-password").toCharArray());
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("Cluster TLS: the key in PARLEY_CLUSTER_KEYSTORE does not open with"
            + " PARLEY_CLUSTER_KEYSTORE_PASSWORD (pekko.remote.artery.ssl.config-ssl-engine.key-password)");
      }
      trusted = (int) Collections.list(trust.aliases()).stream().filter(a -> isCertificate(trust, a)).count();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Cluster TLS: cannot read the keystores: " + e.getMessage());
    }
    if (trusted == 0) {
      throw new IllegalArgumentException("Cluster TLS: PARLEY_CLUSTER_TRUSTSTORE (" + ssl.getString("trust-store")
          + ") holds no certificate: nodes would trust nobody");
    }
    if (trusted > MANY_TRUSTED_CERTIFICATES) {
      log.warn("Cluster TLS: PARLEY_CLUSTER_TRUSTSTORE holds {} certificates, like a public CA bundle: anyone with a"
          + " certificate from one of them could join the cluster. Trust only the cluster's own CA.", trusted);
    }
    log.info("Cluster remoting over TLS ({}; mutual authentication {}; {} trusted certificate(s))",
        ssl.getString("protocol"), ssl.getBoolean("require-mutual-authentication") ? "on" : "OFF", trusted);
  }

  private static KeyStore open(String variable, String file, String passwordVariable, String password) {
    if (password.isEmpty() || password.equals(PLACEHOLDER)) {
      throw new IllegalArgumentException("Cluster TLS: set " + passwordVariable + " (the password of " + variable + ")");
    }
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("Cluster TLS: " + variable + " (" + file + ") is not a readable file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      // The type Pekko's ConfigSSLEngineProvider opens it with (PKCS#12 on Java 9+, which also reads JKS).
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("Cluster TLS: " + variable + " (" + file + ") does not open with "
          + passwordVariable + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean isKey(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isCertificate(KeyStore store, String alias) {
    try {
      return store.isCertificateEntry(alias) || store.getCertificate(alias) != null;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
  }
}
