package dev.parley.core.dispatcher;

import dev.parley.core.serialization.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The waiting queue of one site, sharded by site id and event-sourced.
 *
 * <p>Conversations enter when their visitor first writes and leave when an agent claims them or they close.
 * Agents' sessions watch the queue and receive the whole {@link QueueView} on every change. Announcements are
 * idempotent and repeated by the conversations themselves, so a lost one only delays an entry.
 */
public final class Dispatcher
    extends EventSourcedBehaviorWithEnforcedReplies<
        Dispatcher.Command, Dispatcher.Event, Dispatcher.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Dispatcher");

  /** Conversations waiting at once per site; past this, new ones are not queued (logged) until room frees. */
  public static final int MAX_WAITING = 5_000;
  /** Agent sessions watching at once; past this, a watcher is refused (logged). */
  public static final int MAX_WATCHERS = 2_000;

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record Enqueue(String conversationId, String visitorId, Instant since)
      implements Command {}

  public record Remove(String conversationId) implements Command {}

  /** Receive the queue now and after every change. Watching again renews. */
  public record Watch(ActorRef<QueueView> watcher) implements Command {}

  public record Unwatch(ActorRef<QueueView> watcher) implements Command {}

  public record GetQueue(ActorRef<QueueView> replyTo) implements Command {}

  private record WatcherGone(ActorRef<QueueView> watcher) implements Command {}

  // Replies ----------------------------------------------------------------------------------------------------

  public record Waiting(String conversationId, String visitorId, Instant since)
      implements CborSerializable {}

  public record QueueView(String siteId, List<Waiting> waiting) implements CborSerializable {}

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record Queued(String conversationId, String visitorId, Instant since) implements Event {}

  public record Dequeued(String conversationId) implements Event {}

  // State ------------------------------------------------------------------------------------------------------

  /** Mutable, owned by the entity actor; snapshots go through {@link QueueSnapshot}. */
  public static final class State {
    final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();

    State apply(Event event) {
      if (event instanceof Queued q) {
        waiting.put(q.conversationId(), new Waiting(q.conversationId(), q.visitorId(), q.since()));
      } else if (event instanceof Dequeued d) {
        waiting.remove(d.conversationId());
      }
      return this;
    }

    List<Waiting> list() {
      return List.copyOf(waiting.values());
    }
  }

  public record QueueSnapshot(List<Waiting> waiting) implements CborSerializable {}

  // Behavior ---------------------------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  public static Behavior<Command> create(String siteId) {
    return Behaviors.setup(ctx -> new Dispatcher(siteId, ctx));
  }

  private final String siteId;
  private final ActorContext<Command> context;
  /** Watching agent sessions; owned by this actor, in memory only. */
  private final Set<ActorRef<QueueView>> watchers = new HashSet<>();

  private Dispatcher(String siteId, ActorContext<Command> context) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), siteId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.siteId = siteId;
    this.context = context;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(200, 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new QueueSnapshot(state.list());
      }

      @Override
      public State fromJournal(Object from) {
        State state = new State();
        ((QueueSnapshot) from).waiting().forEach(w -> state.waiting.put(w.conversationId(), w));
        return state;
      }
    };
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Enqueue.class, this::onEnqueue)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(Watch.class, this::onWatch)
        .onCommand(Unwatch.class, (state, cmd) -> forget(cmd.watcher()))
        .onCommand(WatcherGone.class, (state, cmd) -> forget(cmd.watcher()))
        .onCommand(GetQueue.class, (state, cmd) -> Effect().reply(cmd.replyTo(), view(state)))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  private ReplyEffect<Event, State> onEnqueue(State state, Enqueue cmd) {
    if (state.waiting.containsKey(cmd.conversationId())) {
      return Effect().noReply();
    }
    if (state.waiting.size() >= MAX_WAITING) {
      context
          .getLog()
          .error(
              "Site {} has {} waiting conversations; {} is not queued until one leaves",
              siteId,
              MAX_WAITING,
              cmd.conversationId());
      return Effect().noReply();
    }
    return Effect()
        .persist(new Queued(cmd.conversationId(), cmd.visitorId(), cmd.since()))
        .thenRun(this::publish)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
    if (!state.waiting.containsKey(cmd.conversationId())) {
      return Effect().noReply();
    }
    return Effect()
        .persist(new Dequeued(cmd.conversationId()))
        .thenRun(this::publish)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onWatch(State state, Watch cmd) {
    if (!watchers.contains(cmd.watcher())) {
      if (watchers.size() >= MAX_WATCHERS) {
        context.getLog().error("Site {} has {} queue watchers; refusing one more", siteId, MAX_WATCHERS);
        return Effect().noReply();
      }
      watchers.add(cmd.watcher());
      context.watchWith(cmd.watcher(), new WatcherGone(cmd.watcher()));
    }
    cmd.watcher().tell(view(state));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> forget(ActorRef<QueueView> watcher) {
    if (watchers.remove(watcher)) {
      context.unwatch(watcher);
    }
    return Effect().noReply();
  }

  private void publish(State state) {
    QueueView view = view(state);
    watchers.forEach(w -> w.tell(view));
  }

  private QueueView view(State state) {
    return new QueueView(siteId, state.list());
  }

  /** Ids the waiting list holds, for tests and tools. */
  public static List<String> ids(QueueView view) {
    List<String> ids = new ArrayList<>(view.waiting().size());
    view.waiting().forEach(w -> ids.add(w.conversationId()));
    return ids;
  }
}
