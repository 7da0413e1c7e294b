package dev.parley.persistence.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connection pools and schema migrations for a {@link PersistenceSettings}. */
public final class Databases {

  private static final Logger log = LoggerFactory.getLogger(Databases.class);

  private Databases() {}

  /** A pool for the configuration tables (sites, accounts, secrets). The caller closes it. */
  public static HikariDataSource configPool(PersistenceSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("parley-config");
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.driverClassName());
    config.setMaximumPoolSize(settings.configMaxConnections());
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    return new HikariDataSource(config);
  }

  /**
   * A pool for the read side: {@code read-side} for the projections' transactions, {@code read-query} for the read
   * APIs and exports. The caller closes it.
   */
  public static HikariDataSource pool(PersistenceSettings settings, String name, int maxConnections) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("parley-" + name);
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.driverClassName());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  /**
   * Brings the schema up to date: the journal tables of the chosen database and the portable configuration
   * tables. Safe to run on every start and from every node; Flyway serialises concurrent runs.
   */
  public static MigrateResult migrate(HikariDataSource dataSource, PersistenceSettings settings) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            .failOnMissingLocations(true)
            .load();
    MigrateResult result = flyway.migrate();
    log.info(
        "Schema at version {} ({} migrations applied now)",
        result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
        result.migrationsExecuted);
    return result;
  }
}
