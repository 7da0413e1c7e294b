package dev.parley.persistence.projection;

import dev.parley.core.common.EventTags;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.feed.FeedDelivery;
import dev.parley.core.feed.RoutingFeed;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Runs the {@link RoutingFeed} over the conversations' events: one projection per tag slice, a sharded daemon
 * process like the read side's, always on. Each event's effects are delivered to the entities and acknowledged
 * before its offset may be stored, so an effect is delivered at least once whatever crashes when; after a crash
 * the feed starts again from its last stored offset and delivers again what followed (receivers are idempotent).
 *
 * <p>The feed reads the {@code routing-s} tags (the events with effects carry them besides their {@code
 * conversation-s} tag), so a message costs the feed nothing. Offsets are stored every {@link
 * #SAVE_OFFSET_EVERY_EVENTS} events or {@link #SAVE_OFFSET_WINDOW}, in the projections' offset table; Flyway's
 * {@code V60__routing_feed.sql} starts the feed at the journal's end for journals written before it existed, when
 * the old notifications had already delivered their effects, and {@code V76__routing_feed_tag.sql} moves a feed
 * that read the {@code conversation-s} tags onto {@code routing-s}, tagging the events it had not delivered yet.
 */
public final class RoutingFeedProjection {

  /** The projection's name in the offset store. */
  public static final String NAME = "routing-feed";
  public static final int SAVE_OFFSET_EVERY_EVENTS = 100;
  public static final Duration SAVE_OFFSET_WINDOW = Duration.ofMillis(500);
  private static final Duration RESTART_MIN = Duration.ofSeconds(1);
  private static final Duration RESTART_MAX = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final FeedDelivery delivery;

  public RoutingFeedProjection(ActorSystem<?> system, DataSource dataSource) {
    this.system = system;
    this.dataSource = dataSource;
    this.delivery = new FeedDelivery(system);
  }

  /**
   * One instance per slice, spread over the cluster. It reads the {@link EventTags#ROUTING} tags, which only the
   * conversation events with effects carry (about 3 per conversation, instead of every message).
   */
  public void runSharded() {
    List<String> tags = EventTags.all(EventTags.ROUTING);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "projection-" + NAME,
            tags.size(),
            i -> ProjectionBehavior.create(projection(tags.get(i))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  public Projection<EventEnvelope<Object>> projection(String tag) {
    SourceProvider<Offset, EventEnvelope<Object>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.atLeastOnceAsync(
            ProjectionId.of(NAME, tag), source, () -> new ReadSideSession(dataSource), FeedHandler::new, system)
        .withSaveOffset(SAVE_OFFSET_EVERY_EVENTS, SAVE_OFFSET_WINDOW)
        .withRestartBackoff(RESTART_MIN, RESTART_MAX, 0.2);
  }

  private final class FeedHandler extends Handler<EventEnvelope<Object>> {
    @Override
    public CompletionStage<Done> process(EventEnvelope<Object> envelope) {
      if (!(envelope.event() instanceof Conversation.Event event)) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      String conversationId = ReadSide.entityId(envelope.persistenceId());
      if (!RoutingFeed.needsFacts(event)) {
        return delivery.deliverAll(RoutingFeed.effectsOf(conversationId, event, null));
      }
      return delivery
          .facts(conversationId)
          .thenComposeAsync(
              facts -> delivery.deliverAll(RoutingFeed.effectsOf(conversationId, event, facts)),
              system.executionContext());
    }
  }
}
