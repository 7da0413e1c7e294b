package dev.parley.persistence.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which database Parley stores everything in, read from {@code parley.persistence.database}.
 *
 * <p>The same settings feed the event journal (through {@link #pekkoConfig()}) and the configuration tables
 * (through {@link Databases}). Choosing PostgreSQL over the embedded H2 file is a matter of configuration alone.
 */
public record PersistenceSettings(
    Kind kind,
    String jdbcUrl,
    String user,
    String password,
    int journalMaxConnections,
    int configMaxConnections) {

  private static final String PLUGINS_RESOURCE = "parley-persistence-plugins.conf";

  public enum Kind {
    H2("org.h2.Driver", "slick.jdbc.H2Profile$", "h2"),
    POSTGRESQL("org.postgresql.Driver", "slick.jdbc.PostgresProfile$", "postgresql");

    final String driver;
    final String slickProfile;
    final String migrationFolder;

    Kind(String driver, String slickProfile, String migrationFolder) {
      this.driver = driver;
      this.slickProfile = slickProfile;
      this.migrationFolder = migrationFolder;
    }
  }

  public PersistenceSettings {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
  }

  /** Reads {@code parley.persistence.database} of the given (fully resolved) config. */
  public static PersistenceSettings fromConfig(Config root) {
    Config db = root.getConfig("parley.persistence.database");
    String kindName = db.getString("kind").trim().toLowerCase(Locale.ROOT);
    Kind kind =
        switch (kindName) {
          case "h2" -> Kind.H2;
          case "postgresql", "postgres", "pg" -> Kind.POSTGRESQL;
          default -> throw new IllegalArgumentException(
              "parley.persistence.database.kind (PARLEY_DB) must be h2 or postgresql, not '" + kindName + "'");
        };
    String url =
        kind == Kind.H2
            ? h2Url(Path.of(db.getString("h2-path")))
            : postgresUrl(db.getString("url"));
    return new PersistenceSettings(
        kind,
        url,
        db.getString("user"),
        db.getString("password"),
        db.getInt("journal-max-connections"),
        db.getInt("config-max-connections"));
  }

  public static PersistenceSettings h2(Path file) {
    return new PersistenceSettings(Kind.H2, h2Url(file), "parley", "", 8, 4);
  }

  public static PersistenceSettings postgres(String url, String user, String password) {
    return new PersistenceSettings(Kind.POSTGRESQL, postgresUrl(url), user, password, 8, 4);
  }

  /**
   * The H2 URL for a file database. {@code WRITE_DELAY=0} makes H2 write each commit to the file before the
   * commit returns, so an acknowledged message survives a killed process (the default delays writes by 500 ms).
   */
  static String h2Url(Path file) {
    return "jdbc:h2:file:"
        + file.toAbsolutePath().normalize()
        + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
  }

  /** PostgreSQL with batched inserts rewritten into multi-row statements: one round trip per journal batch. */
  static String postgresUrl(String url) {
    if (url == null || url.isBlank()) {
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
    return kind.driver;
  }

  public String migrationFolder() {
    return kind.migrationFolder;
  }

  /**
   * The Pekko settings that point every persistence plugin at this database. Layer them over the application
   * config and resolve: {@code settings.pekkoConfig().withFallback(ConfigFactory.load()).resolve()}.
   */
  public Config pekkoConfig() {
    Map<String, Object> values = new HashMap<>();
    String prefix = "pekko-persistence-jdbc.shared-databases.parley.";
    values.put(prefix + "profile", kind.slickProfile);
    values.put(prefix + "db.url", jdbcUrl);
    values.put(prefix + "db.user", user);
    values.put(prefix + "db.password", password);
    values.put(prefix + "db.driver", kind.driver);
    values.put(prefix + "db.numThreads", journalMaxConnections);
    values.put(prefix + "db.maxConnections", journalMaxConnections);
    return ConfigFactory.parseMap(values, "parley persistence settings")
        .withFallback(ConfigFactory.parseResources(PLUGINS_RESOURCE));
  }

  /** Never print the password. */
  @Override
  public String toString() {
    return "PersistenceSettings[" + kind + " " + jdbcUrl + " user=" + user + "]";
  }
}
