package dev.parley.core.agent;

import dev.parley.core.common.EventTags;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * An agent account, sharded by account id and event-sourced.
 *
 * <p>It remembers the status the agent chose and the conversations assigned to them, so that any of the agent's
 * connections, on any node, can resume all of them. Which connections are open is presence: in memory only.
 */
public final class Agent
    extends EventSourcedBehaviorWithEnforcedReplies<Agent.Command, Agent.Event, Agent.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Agent");

  /** Active conversations remembered; beyond this the oldest is dropped (and logged). */
  public static final int MAX_ACTIVE_CONVERSATIONS = 500;
  /** Open connections tracked for presence. */
  public static final int MAX_TRACKED_SESSIONS = 16;

  public enum Status {
    ONLINE,
    AWAY,
    OFFLINE
  }

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /** A connection of this agent opened: replies with the agent's state; the session is forgotten when it stops. */
  public record Connect(ActorRef<?> session, ActorRef<Snapshot> replyTo) implements Command {}

  public record Disconnect(ActorRef<?> session) implements Command {}

  public record SetStatus(Status status, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record Get(ActorRef<Snapshot> replyTo) implements Command {}

  /** A conversation was assigned to this agent. Idempotent. */
  public record NoteAssigned(String conversationId) implements Command {}

  /** A conversation of this agent was closed or transferred away. Idempotent. */
  public record NoteReleased(String conversationId) implements Command {}

  private record SessionGone(ActorRef<?> session) implements Command {}

  // Replies ----------------------------------------------------------------------------------------------------

  public record Snapshot(
      String agentId, Status status, List<String> activeConversationIds, int openConnections)
      implements CborSerializable {}

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record StatusChanged(Status status, Instant at) implements Event {}

  public record ConversationAssigned(String conversationId, Instant at) implements Event {}

  public record ConversationReleased(String conversationId, Instant at) implements Event {}

  // State ------------------------------------------------------------------------------------------------------

  public record State(Status status, List<String> activeConversationIds)
      implements CborSerializable {

    public State {
      activeConversationIds = List.copyOf(activeConversationIds);
    }

    State apply(Event event) {
      if (event instanceof StatusChanged s) {
        return new State(s.status(), activeConversationIds);
      } else if (event instanceof ConversationAssigned a) {
        Set<String> active = new LinkedHashSet<>(activeConversationIds);
        active.add(a.conversationId());
        List<String> list = List.copyOf(active);
        if (list.size() > MAX_ACTIVE_CONVERSATIONS) {
          list = list.subList(list.size() - MAX_ACTIVE_CONVERSATIONS, list.size());
        }
        return new State(status, list);
      } else if (event instanceof ConversationReleased r) {
        Set<String> active = new LinkedHashSet<>(activeConversationIds);
        active.remove(r.conversationId());
        return new State(status, List.copyOf(active));
      }
      return this;
    }
  }

  // Behavior ---------------------------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), Clock.systemUTC())));
  }

  public static Behavior<Command> create(String agentId, Clock clock) {
    return Behaviors.setup(ctx -> new Agent(agentId, ctx, clock));
  }

  private final String agentId;
  private final ActorContext<Command> context;
  /** The one tag of every event of this entity (EventTags). */
  private final Set<String> tags;
  private final Clock clock;
  /** Open connections; owned by this actor, in memory only. */
  private final Set<ActorRef<?>> sessions = new HashSet<>();

  private Agent(String agentId, ActorContext<Command> context, Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), agentId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.agentId = agentId;
    this.tags = Set.of(EventTags.tag(ENTITY_KEY.name(), agentId));
    this.context = context;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(Status.ONLINE, List.of());
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Connect.class, this::onConnect)
        .onCommand(Disconnect.class, (state, cmd) -> forget(cmd.session()))
        .onCommand(SessionGone.class, (state, cmd) -> forget(cmd.session()))
        .onCommand(SetStatus.class, this::onSetStatus)
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), snapshot(state)))
        .onCommand(NoteAssigned.class, this::onAssigned)
        .onCommand(NoteReleased.class, this::onReleased)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  private ReplyEffect<Event, State> onConnect(State state, Connect cmd) {
    if (!sessions.contains(cmd.session()) && sessions.size() < MAX_TRACKED_SESSIONS) {
      sessions.add(cmd.session());
      context.watchWith(cmd.session(), new SessionGone(cmd.session()));
    }
    return Effect().reply(cmd.replyTo(), snapshot(state));
  }

  private ReplyEffect<Event, State> forget(ActorRef<?> session) {
    if (sessions.remove(session)) {
      context.unwatch(session);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onSetStatus(State state, SetStatus cmd) {
    if (state.status() == cmd.status()) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect()
        .persist(new StatusChanged(cmd.status(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onAssigned(State state, NoteAssigned cmd) {
    if (state.activeConversationIds().contains(cmd.conversationId())) {
      return Effect().noReply();
    }
    if (state.activeConversationIds().size() >= MAX_ACTIVE_CONVERSATIONS) {
      context
          .getLog()
          .warn(
              "Agent {} has {} active conversations; the oldest is dropped from the list",
              agentId,
              MAX_ACTIVE_CONVERSATIONS);
    }
    return Effect()
        .persist(new ConversationAssigned(cmd.conversationId(), clock.instant()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onReleased(State state, NoteReleased cmd) {
    if (!state.activeConversationIds().contains(cmd.conversationId())) {
      return Effect().noReply();
    }
    return Effect()
        .persist(new ConversationReleased(cmd.conversationId(), clock.instant()))
        .thenNoReply();
  }

  private Snapshot snapshot(State state) {
    return new Snapshot(agentId, state.status(), state.activeConversationIds(), sessions.size());
  }
}
