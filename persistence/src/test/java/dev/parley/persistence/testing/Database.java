package dev.parley.persistence.testing;

import dev.parley.persistence.config.PersistenceSettings;
import java.util.function.Supplier;

/** The two databases every storage test runs on; used as a JUnit {@code @EnumSource}. */
public enum Database {
  H2(TestDatabases::freshH2),
  POSTGRESQL(TestDatabases::freshPostgres);

  private final Supplier<PersistenceSettings> fresh;

  Database(Supplier<PersistenceSettings> fresh) {
    this.fresh = fresh;
  }

  public PersistenceSettings fresh() {
    return fresh.get();
  }
}
