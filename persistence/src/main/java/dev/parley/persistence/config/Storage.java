package dev.parley.persistence.config;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database a node stores everything in, chosen by {@code parley.persistence.database}: {@code embedded} (the
 * default: a PostgreSQL server the node runs itself under {@code data-dir}) or {@code postgresql} (an operator's
 * server at {@code url}). Closing it stops the embedded server, if the node runs one.
 */
public final class Storage implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Storage.class);
  /** Where pre-releases kept their H2 database. */
  private static final String LEGACY_H2_FILE = "parley.mv.db";

  private final PersistenceSettings settings;
  private final Optional<ManagedPostgres> managed;

  private Storage(PersistenceSettings settings, Optional<ManagedPostgres> managed) {
    this.settings = settings;
    this.managed = managed;
  }

  /** Reads {@code parley.persistence.database} of a resolved config; starts the embedded server if chosen. */
  public static Storage open(Config root) {
    Config db = root.getConfig("parley.persistence.database");
    String kind = db.getString("kind").trim().toLowerCase(Locale.ROOT);
    int journal = db.getInt("journal-max-connections");
    int config = db.getInt("config-max-connections");
    return switch (kind) {
      case "embedded" -> {
        Path dataDir = Path.of(db.getString("data-dir"));
        if (Files.exists(dataDir.resolve(LEGACY_H2_FILE))) {
          log.warn(
              "{} is an H2 database of a Parley pre-release; it is no longer read and is left untouched"
                  + " (docs/OPERATIONS.md)",
              dataDir.resolve(LEGACY_H2_FILE).toAbsolutePath());
        }
        ManagedPostgres server = ManagedPostgres.start(dataDir, journal, config);
        yield new Storage(server.settings(), Optional.of(server));
      }
      case "postgresql", "postgres", "pg" -> new Storage(
          PersistenceSettings.postgres(
              db.getString("url"), db.getString("user"), db.getString("password"), journal, config),
          Optional.empty());
      case "h2" -> throw new IllegalArgumentException(
          "H2 is no longer supported: it did not keep acknowledged messages through a kill. Unset PARLEY_DB for"
              + " the embedded PostgreSQL default (docs/OPERATIONS.md).");
      default -> throw new IllegalArgumentException(
          "parley.persistence.database.kind (PARLEY_DB) must be embedded or postgresql, not '" + kind + "'");
    };
  }

  /**
   * For tools run beside a node ({@code ops/replay}): the embedded server of the node running on the same data
   * directory if there is one, else as {@link #open}.
   */
  public static Storage openForTool(Config root) {
    Config db = root.getConfig("parley.persistence.database");
    if (db.getString("kind").trim().equalsIgnoreCase("embedded")) {
      Optional<PersistenceSettings> running = ManagedPostgres.attach(Path.of(db.getString("data-dir")), 2);
      if (running.isPresent()) {
        return new Storage(running.get(), Optional.empty());
      }
    }
    return open(root);
  }

  /** A database someone else runs (tests, tools). */
  public static Storage external(PersistenceSettings settings) {
    return new Storage(settings, Optional.empty());
  }

  public PersistenceSettings settings() {
    return settings;
  }

  /** Whether this node runs the database itself. */
  public boolean isEmbedded() {
    return managed.isPresent();
  }

  @Override
  public void close() {
    managed.ifPresent(ManagedPostgres::close);
  }

  @Override
  public String toString() {
    return (isEmbedded() ? "embedded " : "") + settings;
  }
}
