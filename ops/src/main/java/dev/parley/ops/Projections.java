package dev.parley.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.config.Storage;
import dev.parley.persistence.projection.ProjectionStatus;
import dev.parley.persistence.projection.ReadModel;
import dev.parley.persistence.projection.ReadModels;
import dev.parley.persistence.projection.Rebuild;
import dev.parley.persistence.projection.TagBackfill;
import dev.parley.persistence.search.TextAnalyzer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code projections status | rebuild NAME | backfill}: the read side's operations, beside a running node, on the
 * database the PARLEY_DB* settings name (by default the embedded server of the node under PARLEY_DATA_DIR).
 *
 * <ul>
 *   <li>{@code status}: per read model and tag slice, the newest journal ordering, the projection's offset, the
 *       events it is behind and how long ago the oldest of them was written.
 *   <li>{@code rebuild NAME}: empties the model and replays it from the journal with progress, while the nodes
 *       keep running (they pause that model meanwhile and carry on after).
 *   <li>{@code backfill}: tags events written untagged (by a node of a release before the read side).
 * </ul>
 */
public final class Projections {

  public static final int USAGE = 64;
  private static final Duration REBUILD_TIMEOUT = Duration.ofHours(6);

  private Projections() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, ConfigFactory.load(), out, err));
  }

  public static int run(String[] args, Config config, PrintStream out, PrintStream err) {
    TextAnalyzer analyzer = new TextAnalyzer();
    List<ReadModel> models = ReadModels.all(analyzer);
    String names = String.join(", ", models.stream().map(ReadModel::name).toList());
    if (args.length == 0
        || !(args[0].equals("status") && args.length == 1
            || args[0].equals("backfill") && args.length == 1
            || args[0].equals("rebuild") && args.length == 2)) {
      err.println("usage: projections status | rebuild NAME | backfill   (NAME: " + names + ")");
      return USAGE;
    }
    Optional<ReadModel> target = args[0].equals("rebuild") ? ReadModels.named(args[1], analyzer) : Optional.empty();
    if (args[0].equals("rebuild") && target.isEmpty()) {
      err.println("unknown read model '" + args[1] + "'; one of: " + names);
      return USAGE;
    }
    Storage database = Storage.openForTool(config.resolve());
    PersistenceSettings storage = database.settings();
    try (HikariDataSource pool = Databases.pool(storage, "ops", 4)) {
      switch (args[0]) {
        case "status" -> {
          try (Connection c = pool.getConnection()) {
            status(out, ProjectionStatus.read(c, models));
          }
        }
        case "backfill" -> {
          try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            long tagged = TagBackfill.run(c);
            c.commit();
            out.println("tagged " + tagged + " events");
          }
        }
        default -> rebuild(config, storage, pool, target.get(), out);
      }
      return 0;
    } catch (Exception e) {
      err.println("projections " + args[0] + " failed: " + e);
      return 1;
    } finally {
      database.close();
    }
  }

  static void status(PrintStream out, List<ProjectionStatus.Slice> slices) {
    out.printf(Locale.ROOT, "%-14s %-16s %12s %12s %10s %12s%n", "projection", "slice", "journal", "offset", "behind",
        "time behind");
    for (ProjectionStatus.Slice s : slices) {
      out.printf(
          Locale.ROOT, "%-14s %-16s %12d %12d %10d %12s%s%n", s.model(), s.tag(), s.newestOrdering(), s.offset(),
          s.eventsBehind(), seconds(s.timeBehind()), s.rebuilding() ? "  (rebuilding)" : "");
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private static void rebuild(
      Config config, PersistenceSettings storage, HikariDataSource pool, ReadModel model, PrintStream out)
      throws Exception {
    Config systemConfig =
        storage
            .pekkoConfig()
            .withFallback(
                ConfigFactory.parseString(
                    "pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.stdout-loglevel = OFF\n"
                        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
            .withFallback(config)
            .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "projections-rebuild", systemConfig);
    try {
      Rebuild.run(system, pool, model, out::println, REBUILD_TIMEOUT);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
