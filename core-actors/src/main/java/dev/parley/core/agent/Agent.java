package dev.parley.core.agent;

import dev.parley.core.common.EventTags;
import dev.parley.core.common.Watchers;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * connections, on any node, can resume all of them. Which connections are open is presence: in memory only, renewed
 * by every session periodically ({@link KeepConnected}) so that it is rebuilt after a passivation or a move.
 *
 * <p>It is also where an account's live connections are ended at once, on every node: when the account's access
 * changes (password, role, disabled, deleted) the edge bumps the account's token version in the database and sends
 * {@link EndSessions}; this entity persists the new minimum version and tells every session holding an older one
 * to end. A session that registers later with an older version is ended on arrival, so a hello that read the
 * account just before the change cannot slip through.
 */
public final class Agent
    extends EventSourcedBehaviorWithEnforcedReplies<Agent.Command, Agent.Event, Agent.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Agent");

  /** Active conversations remembered; beyond this the oldest is dropped (and logged). */
  public static final int MAX_ACTIVE_CONVERSATIONS = 500;
  /**
   * Open connections tracked per account; when one more connects, the oldest is told to end
   * ({@link SessionEnded.Reason#TOO_MANY_SESSIONS}), so that no connection escapes {@link EndSessions}.
   */
  public static final int MAX_TRACKED_SESSIONS = 32;

  public enum Status {
    ONLINE,
    AWAY,
    OFFLINE
  }

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * A connection of this agent opened: replies with the agent's state; the session is forgotten when it stops.
   * {@code tokenVersion} is the account's token version the connection authenticated with; {@code notices} gets
   * a {@link SessionEnded} when the connection must end.
   */
  public record Connect(
      ActorRef<?> session, long tokenVersion, ActorRef<SessionEnded> notices, ActorRef<Snapshot> replyTo)
      implements Command {}

  /** Sent by each connection with its subscription renewals: registers it again if this entity forgot it. */
  public record KeepConnected(ActorRef<?> session, long tokenVersion, ActorRef<SessionEnded> notices)
      implements Command {}

  /**
   * The account's access changed: tokens below {@code minTokenVersion} are void. Every connection that
   * authenticated with an older version is told to end; replies once the new minimum is persisted.
   */
  public record EndSessions(long minTokenVersion, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record Disconnect(ActorRef<?> session) implements Command {}

  public record SetStatus(Status status, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record Get(ActorRef<Snapshot> replyTo) implements Command {}

  /** A conversation was assigned to this agent. Idempotent; {@code replyTo} (null: nobody) hears once durable. */
  public record NoteAssigned(String conversationId, ActorRef<Done> replyTo) implements Command {
    public NoteAssigned(String conversationId) {
      this(conversationId, null);
    }
  }

  /** A conversation of this agent was closed or transferred away. Idempotent; {@code replyTo} as above. */
  public record NoteReleased(String conversationId, ActorRef<Done> replyTo) implements Command {
    public NoteReleased(String conversationId) {
      this(conversationId, null);
    }
  }

  private record SessionGone(ActorRef<?> session) implements Command {}

  // Replies ----------------------------------------------------------------------------------------------------

  /** To a connection: end now, for {@code reason}. */
  public record SessionEnded(Reason reason) implements CborSerializable {
    public enum Reason {
      /** The account's password, role or status changed, or it was deleted: log in again. */
      ACCESS_CHANGED,
      /** The account opened more than {@link #MAX_TRACKED_SESSIONS} connections; this was the oldest. */
      TOO_MANY_SESSIONS
    }
  }

  public record Snapshot(
      String agentId, Status status, List<String> activeConversationIds, int openConnections)
      implements CborSerializable {}

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record StatusChanged(Status status, Instant at) implements Event {}

  public record ConversationAssigned(String conversationId, Instant at) implements Event {}

  public record ConversationReleased(String conversationId, Instant at) implements Event {}

  /** Tokens of the account below {@code minTokenVersion} were revoked. */
  public record AccessRevoked(long minTokenVersion, Instant at) implements Event {}

  // State ------------------------------------------------------------------------------------------------------

  /** {@code minTokenVersion}: connections authenticated with an older token version are ended (0: none yet). */
  public record State(Status status, List<String> activeConversationIds, long minTokenVersion)
      implements CborSerializable {

    public State {
      activeConversationIds = List.copyOf(activeConversationIds);
    }

    State apply(Event event) {
      if (event instanceof StatusChanged s) {
        return new State(s.status(), activeConversationIds, minTokenVersion);
      } else if (event instanceof AccessRevoked r) {
        return new State(status, activeConversationIds, Math.max(minTokenVersion, r.minTokenVersion()));
      } else if (event instanceof ConversationAssigned a) {
        Set<String> active = new LinkedHashSet<>(activeConversationIds);
        active.add(a.conversationId());
        List<String> list = List.copyOf(active);
        if (list.size() > MAX_ACTIVE_CONVERSATIONS) {
          list = list.subList(list.size() - MAX_ACTIVE_CONVERSATIONS, list.size());
        }
        return new State(status, list, minTokenVersion);
      } else if (event instanceof ConversationReleased r) {
        Set<String> active = new LinkedHashSet<>(activeConversationIds);
        active.remove(r.conversationId());
        return new State(status, List.copyOf(active), minTokenVersion);
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
  /** Open connections, oldest first; owned by this actor, in memory only. */
  private final Watchers<Void, Tracked> sessions;

  private record Tracked(long tokenVersion, ActorRef<SessionEnded> notices) {}

  private Agent(String agentId, ActorContext<Command> context, Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), agentId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.agentId = agentId;
    this.tags = Set.of(EventTags.tag(ENTITY_KEY.name(), agentId));
    this.context = context;
    this.clock = clock;
    this.sessions = Watchers.of(context, MAX_TRACKED_SESSIONS, SessionGone::new);
  }

  @Override
  public State emptyState() {
    return new State(Status.ONLINE, List.of(), 0L);
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
        .onCommand(KeepConnected.class, this::onKeepConnected)
        .onCommand(EndSessions.class, this::onEndSessions)
        .onCommand(Disconnect.class, (state, cmd) -> {
          untrack(cmd.session());
          return Effect().noReply();
        })
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
    track(state, cmd.session(), cmd.tokenVersion(), cmd.notices());
    return Effect().reply(cmd.replyTo(), snapshot(state));
  }

  private ReplyEffect<Event, State> onKeepConnected(State state, KeepConnected cmd) {
    track(state, cmd.session(), cmd.tokenVersion(), cmd.notices());
    return Effect().noReply();
  }

  /** Registers a connection, or ends it at once when its token version was revoked. */
  private void track(State state, ActorRef<?> session, long tokenVersion, ActorRef<SessionEnded> notices) {
    if (tokenVersion < state.minTokenVersion()) {
      notices.tell(new SessionEnded(SessionEnded.Reason.ACCESS_CHANGED));
      untrack(session);
      return;
    }
    if (sessions.contains(session)) {
      return;
    }
    if (sessions.isFull()) {
      ActorRef<?> oldest = sessions.refs().iterator().next();
      sessions.get(oldest).notices().tell(new SessionEnded(SessionEnded.Reason.TOO_MANY_SESSIONS));
      untrack(oldest);
      context.getLog().info("Agent {}: more than {} connections; the oldest was ended", agentId, MAX_TRACKED_SESSIONS);
    }
    sessions.add(opaque(session), new Tracked(tokenVersion, notices));
  }

  /** Sessions are only tracked and watched here, never told anything: their message type does not matter. */
  @SuppressWarnings("unchecked")
  private static ActorRef<Void> opaque(ActorRef<?> session) {
    return (ActorRef<Void>) session;
  }

  private ReplyEffect<Event, State> onEndSessions(State state, EndSessions cmd) {
    if (cmd.minTokenVersion() <= state.minTokenVersion()) {
      endBelow(cmd.minTokenVersion());
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect()
        .persist(new AccessRevoked(cmd.minTokenVersion(), clock.instant()))
        .thenRun(s -> endBelow(s.minTokenVersion()))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private void endBelow(long minTokenVersion) {
    List<ActorRef<?>> ended = new ArrayList<>();
    sessions.forEach(
        (session, tracked) -> {
          if (tracked.tokenVersion() < minTokenVersion) {
            tracked.notices().tell(new SessionEnded(SessionEnded.Reason.ACCESS_CHANGED));
            ended.add(session);
          }
        });
    ended.forEach(this::untrack);
    if (!ended.isEmpty()) {
      context.getLog().info("Agent {}: access changed; {} connection(s) ended", agentId, ended.size());
    }
  }

  private ReplyEffect<Event, State> forget(ActorRef<?> session) {
    sessions.stopped(session);
    return Effect().noReply();
  }

  private void untrack(ActorRef<?> session) {
    sessions.remove(opaque(session));
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
      return acked(cmd.replyTo());
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
        .thenRun(s -> ack(cmd.replyTo()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onReleased(State state, NoteReleased cmd) {
    if (!state.activeConversationIds().contains(cmd.conversationId())) {
      return acked(cmd.replyTo());
    }
    return Effect()
        .persist(new ConversationReleased(cmd.conversationId(), clock.instant()))
        .thenRun(s -> ack(cmd.replyTo()))
        .thenNoReply();
  }

  /** Acknowledges a note of the routing feed (nothing when nobody asked). */
  private static void ack(ActorRef<Done> replyTo) {
    if (replyTo != null) {
      replyTo.tell(Done.getInstance());
    }
  }

  private ReplyEffect<Event, State> acked(ActorRef<Done> replyTo) {
    ack(replyTo);
    return Effect().noReply();
  }

  private Snapshot snapshot(State state) {
    return new Snapshot(agentId, state.status(), state.activeConversationIds(), sessions.size());
  }
}
