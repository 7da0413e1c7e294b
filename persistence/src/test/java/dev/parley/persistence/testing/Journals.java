package dev.parley.persistence.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;

/** Pekko configuration for a plain (non-cluster) actor system journaling to a test database. */
public final class Journals {

  private Journals() {}

  /** Migrates the database and returns the config of an actor system that journals to it. */
  public static Config migratedLocalConfig(PersistenceSettings settings) {
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
    }
    return localConfig(settings);
  }

  public static Config localConfig(PersistenceSettings settings) {
    return settings
        .pekkoConfig()
        .withFallback(
            ConfigFactory.parseString(
                "pekko.actor.provider = local\n"
                    + "pekko.loglevel = WARNING\n"
                    + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
