package dev.parley.persistence.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach the PostgreSQL database that stores everything: the event journal (through {@link #pekkoConfig()})
 * and the relational tables (through {@link Databases}).
 *
 * <p>Every Parley install runs on PostgreSQL: the embedded default is a server the node runs itself ({@link
 * ManagedPostgres}), production points at an operator's server; {@link Storage} chooses between them.
 */
public record PersistenceSettings(
    String jdbcUrl, String user, String password, int journalMaxConnections, int configMaxConnections) {

  private static final String PLUGINS_RESOURCE = "parley-persistence-plugins.conf";
  public static final String DRIVER = "org.postgresql.Driver";
  private static final String SLICK_PROFILE = "slick.jdbc.PostgresProfile$";

  public PersistenceSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    jdbcUrl = withBatchedInserts(jdbcUrl);
  }

  public static PersistenceSettings postgres(String url, String user, String password) {
    return postgres(url, user, password, 8, 4);
  }

  public static PersistenceSettings postgres(
      String url, String user, String password, int journalMaxConnections, int configMaxConnections) {
    return new PersistenceSettings(url, user, password, journalMaxConnections, configMaxConnections);
  }

  /** Batched inserts rewritten into multi-row statements: one round trip per journal batch. */
  static String withBatchedInserts(String url) {
    if (url.isBlank()) {
      throw new IllegalArgumentException(
          "PostgreSQL needs parley.persistence.database.url (PARLEY_DB_URL), e.g."
              + " jdbc:postgresql://127.0.0.1:5432/parley");
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("PARLEY_DB_URL must start with jdbc:postgresql:");
    }
    if (url.contains("reWriteBatchedInserts")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
  }

  public String driverClassName() {
    return DRIVER;
  }

  /**
   * The Pekko settings that point every persistence plugin at this database. Layer them over the application
   * config and resolve: {@code settings.pekkoConfig().withFallback(ConfigFactory.load()).resolve()}.
   */
  public Config pekkoConfig() {
    Map<String, Object> values = new HashMap<>();
    String prefix = "pekko-persistence-jdbc.shared-databases.parley.";
    values.put(prefix + "profile", SLICK_PROFILE);
    values.put(prefix + "db.url", jdbcUrl);
    values.put(prefix + "db.user", user);
    values.put(prefix + "db.password", password);
    values.put(prefix + "db.driver", DRIVER);
    values.put(prefix + "db.numThreads", journalMaxConnections);
    values.put(prefix + "db.maxConnections", journalMaxConnections);
    return ConfigFactory.parseMap(values, "parley persistence settings")
        .withFallback(ConfigFactory.parseResources(PLUGINS_RESOURCE));
  }

  /** Never print the password. */
  @Override
  public String toString() {
    return "PersistenceSettings[" + jdbcUrl + " user=" + user + "]";
  }
}
