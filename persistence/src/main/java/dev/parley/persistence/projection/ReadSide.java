package dev.parley.persistence.projection;

import dev.parley.core.common.EventTags;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Runs the read models: one Pekko projection per model and tag slice ({@link EventTags}), reading {@code
 * eventsByTag} from the journal and writing each batch of events and its offset in one transaction (exactly once).
 *
 * <p>On a node, {@link #runSharded} starts each model as a sharded daemon process with one instance per slice, so
 * a cluster spreads the slices over its nodes and moves them when a node leaves; a one-node cluster runs them all.
 * The rebuild tool and tests, in a plain actor system, use {@link #spawnLocal}.
 */
public final class ReadSide {

  /** Events handled in one transaction at most, and the longest a partial batch waits for more. */
  public static final int BATCH_EVENTS = 200;
  public static final Duration BATCH_WINDOW = Duration.ofMillis(50);
  private static final Duration RESTART_MIN = Duration.ofSeconds(1);
  private static final Duration RESTART_MAX = Duration.ofSeconds(10);

  /** Told how far behind the journal each projected event was, when its batch was applied (for benchmarks). */
  public interface Observer {
    Observer NONE = (model, lagMillis) -> {};

    void applied(String model, long lagMillis);
  }

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final List<ReadModel> models;
  private final boolean rebuilder;
  private final Observer observer;

  /**
   * {@code dataSource}: the read side's pool (its size should match {@code
   * pekko.projection.jdbc.blocking-jdbc-dispatcher}); {@code rebuilder}: true only for ops/projections rebuild.
   */
  public ReadSide(
      ActorSystem<?> system, DataSource dataSource, List<ReadModel> models, boolean rebuilder, Observer observer) {
    this.system = system;
    this.dataSource = dataSource;
    this.models = List.copyOf(models);
    this.rebuilder = rebuilder;
    this.observer = observer;
  }

  public List<ReadModel> models() {
    return models;
  }

  /** Creates the control rows of every model; call once before running. */
  public void register() {
    try (Connection c = dataSource.getConnection()) {
      ProjectionControl.register(c, models.stream().map(ReadModel::name).toList());
    } catch (SQLException e) {
      throw new IllegalStateException("could not register the read models", e);
    }
  }

  /** Every model as a sharded daemon process of {@link EventTags#SLICES} instances. */
  public void runSharded() {
    register();
    for (ReadModel model : models) {
      List<String> tags = EventTags.all(model.entityType());
      ShardedDaemonProcess.get(system)
          .init(
              ProjectionBehavior.Command.class,
              "projection-" + model.name(),
              tags.size(),
              i -> ProjectionBehavior.create(projection(model, tags.get(i))),
              ShardedDaemonProcessSettings.create(system),
              Optional.of(ProjectionBehavior.stopMessage()));
    }
  }

  /** Every slice of {@code model} as a child of the system's guardian, for tools and tests without a cluster. */
  public List<ActorRef<ProjectionBehavior.Command>> spawnLocal(ReadModel model) {
    List<ActorRef<ProjectionBehavior.Command>> refs = new ArrayList<>();
    for (String tag : EventTags.all(model.entityType())) {
      refs.add(
          system.systemActorOf(
              ProjectionBehavior.create(projection(model, tag)),
              "projection-" + model.name() + "-" + tag + (rebuilder ? "-rebuild" : ""),
              Props.empty()));
    }
    return refs;
  }

  /** The projection of one model's slice. */
  public Projection<EventEnvelope<Object>> projection(ReadModel model, String tag) {
    SourceProvider<Offset, EventEnvelope<Object>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(model.name(), tag),
            source,
            () -> new ReadSideSession(dataSource),
            () -> new BatchHandler(model, tag),
            system)
        .withGroup(BATCH_EVENTS, BATCH_WINDOW)
        .withRestartBackoff(RESTART_MIN, RESTART_MAX, 0.2);
  }

  /** The journal ordering of an envelope from eventsByTag on pekko-persistence-jdbc. */
  static long ordering(EventEnvelope<?> envelope) {
    return ((Sequence) envelope.offset()).value();
  }

  /** The entity id of a persistence id {@code Type|id}. */
  static String entityId(String persistenceId) {
    return persistenceId.substring(persistenceId.indexOf('|') + 1);
  }

  private final class BatchHandler extends JdbcHandler<List<EventEnvelope<Object>>, ReadSideSession> {
    private final ReadModel model;
    private final String tag;

    BatchHandler(ReadModel model, String tag) {
      this.model = model;
      this.tag = tag;
    }

    @Override
    public void process(ReadSideSession session, List<EventEnvelope<Object>> envelopes) throws Exception {
      if (envelopes.isEmpty()) {
        return;
      }
      session.withConnection(
          c -> {
            ProjectionControl.guard(
                c, model.name(), tag, ordering(envelopes.get(0)), ordering(envelopes.get(envelopes.size() - 1)),
                rebuilder);
            for (EventEnvelope<Object> envelope : envelopes) {
              model.apply(c, entityId(envelope.persistenceId()), envelope.sequenceNr(), envelope.event());
            }
            return null;
          });
      if (observer != Observer.NONE) {
        long now = System.currentTimeMillis();
        envelopes.forEach(e -> observer.applied(model.name(), now - e.timestamp()));
      }
    }
  }
}
