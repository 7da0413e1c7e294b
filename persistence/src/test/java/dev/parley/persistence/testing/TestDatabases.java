package dev.parley.persistence.testing;

import dev.parley.persistence.config.PersistenceSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Real databases for tests: a fresh database on a real PostgreSQL server.
 *
 * <p>The server is started once per test JVM from the binaries zonky ships inside Maven artifacts (the same ones
 * the node's embedded default runs), so the tests need no installed or running server. It runs with fsync off (a
 * crash of the machine, not of the process, could lose data): fine for correctness tests; the node's own embedded
 * server turns fsync on, and benchmarks use a normal server.
 */
public final class TestDatabases {

  private static EmbeddedPostgres postgres;

  private TestDatabases() {}

  /** A new, empty database on the shared PostgreSQL test server. */
  public static PersistenceSettings freshPostgres() {
    EmbeddedPostgres pg = postgres();
    String name = "parley_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database", e);
    }
    return PersistenceSettings.postgres(pg.getJdbcUrl("postgres", name), "postgres", "");
  }

  public static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
      }
    }
    return postgres;
  }
}
