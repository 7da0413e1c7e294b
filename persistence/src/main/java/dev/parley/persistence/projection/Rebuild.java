package dev.parley.persistence.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.projection.ProjectionBehavior;

/**
 * Drops a read model and replays it from the journal, while the nodes keep running: {@code ops/projections
 * rebuild NAME}.
 *
 * <ol>
 *   <li>Marks the model as being rebuilt ({@link ProjectionControl}): from the moment that commits, no node writes
 *       it; the update waits for node transactions in flight.
 *   <li>Empties its tables and deletes its offsets, in one transaction.
 *   <li>Runs the model's projections in this process (as the rebuilder) until every slice has reached the newest
 *       event that was in the journal when the replay started, reporting progress.
 *   <li>Stops them and clears the mark. The nodes' projections restart from the offsets the replay stored and
 *       carry on with what was written meanwhile; their guard refuses anything the replay already applied.
 * </ol>
 *
 * A rebuild that dies half-way leaves the mark set, and the model stays frozen (the status says "rebuilding")
 * until a rebuild is run again.
 */
public final class Rebuild {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

  private Rebuild() {}

  /** Replays {@code model}; {@code progress} gets a line per second; fails after {@code timeout}. */
  public static void run(
      ActorSystem<?> system, DataSource dataSource, ReadModel model, Consumer<String> progress, Duration timeout)
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      ProjectionControl.register(c, List.of(model.name()));
      ProjectionControl.beginRebuild(c, model.name());
      c.commit();
      try (Statement s = c.createStatement()) {
        for (String table : model.tables()) {
          s.execute("TRUNCATE " + table);
        }
      }
      for (String sql :
          List.of(
              "DELETE FROM pekko_projection_offset_store WHERE projection_name = ?",
              "DELETE FROM projection_slices WHERE name = ?")) {
        try (PreparedStatement s = c.prepareStatement(sql)) {
          s.setString(1, model.name());
          s.executeUpdate();
        }
      }
      c.commit();
    }
    progress.accept(model.name() + ": emptied " + String.join(", ", model.tables()) + "; replaying the journal");
    ReadSide replay = new ReadSide(system, dataSource, List.of(model), true, ReadSide.Observer.NONE);
    List<ActorRef<ProjectionBehavior.Command>> projections = replay.spawnLocal(model);
    long deadline = System.nanoTime() + timeout.toNanos();
    long total;
    try (Connection c = dataSource.getConnection()) {
      List<ProjectionStatus.Slice> start = ProjectionStatus.read(c, List.of(model));
      total = start.stream().mapToLong(s -> s.eventsBehind() + s.eventsDone()).sum();
      long[] targets = start.stream().mapToLong(ProjectionStatus.Slice::newestOrdering).toArray();
      while (true) {
        List<ProjectionStatus.Slice> now = ProjectionStatus.read(c, List.of(model));
        long done = now.stream().mapToLong(ProjectionStatus.Slice::eventsDone).sum();
        boolean reached = true;
        for (int i = 0; i < now.size(); i++) {
          reached &= now.get(i).offset() >= targets[i];
        }
        progress.accept(
            String.format(
                java.util.Locale.ROOT, "%s: %,d of %,d events (%.0f %%)", model.name(), Math.min(done, total), total,
                total == 0 ? 100.0 : 100.0 * Math.min(done, total) / total));
        if (reached) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              model.name() + " was not rebuilt within " + timeout + "; run the rebuild again");
        }
        Thread.sleep(PROGRESS_EVERY.toMillis());
      }
    } finally {
      stop(system, projections);
    }
    try (Connection c = dataSource.getConnection()) {
      ProjectionControl.endRebuild(c, model.name());
    }
    progress.accept(model.name() + ": rebuilt; the nodes carry on from here");
  }

  /** Stops the projections and waits until they have (their last batch committed or rolled back). */
  static void stop(ActorSystem<?> system, List<ActorRef<ProjectionBehavior.Command>> projections)
      throws Exception {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    system.systemActorOf(
        Behaviors.setup(
            ctx -> {
              Set<ActorRef<?>> running = new HashSet<>(projections);
              projections.forEach(
                  p -> {
                    ctx.watch(p);
                    p.tell(ProjectionBehavior.stopMessage());
                  });
              return Behaviors.receive(Object.class)
                  .onSignal(
                      Terminated.class,
                      t -> {
                        running.remove(t.getRef());
                        if (running.isEmpty()) {
                          stopped.complete(null);
                          return Behaviors.stopped();
                        }
                        return Behaviors.same();
                      })
                  .build();
            }),
        "rebuild-stopper-" + java.util.UUID.randomUUID(),
        Props.empty());
    stopped.get(60, TimeUnit.SECONDS);
  }

}
