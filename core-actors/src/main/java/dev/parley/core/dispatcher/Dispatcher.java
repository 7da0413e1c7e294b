package dev.parley.core.dispatcher;

import dev.parley.core.common.Rejection;
import dev.parley.core.common.Watchers;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.common.EventTags;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The routing brain of one site, sharded by site id and event-sourced: the waiting queue, who holds which
 * conversation, and every assignment decision.
 *
 * <p>Every way a conversation reaches an agent goes through here: an offer the agent accepts and a manual pick
 * from the queue are both a {@link Claim}, decided by this one actor, so a conversation is never assigned twice
 * and an agent never goes past capacity. The decision is persisted ({@link AssignedTo}) before it is answered;
 * the conversation is then told that the agent joined (through {@link DispatcherPeers}), retried until it
 * confirms or refuses.
 *
 * <p>The queue is first-come first-served across the site; a visitor's position is their rank in it, so it can
 * only go down while they wait. Offers, presence of agents, followers and the loaded configuration are in
 * memory only: after a restart agents re-announce themselves (their sessions renew) and offers start again.
 * Time is read from the injected {@link Clock} and acted on at each {@link Tick}, so tests drive time exactly.
 * Design notes: docs/ROUTING.md.
 */
public final class Dispatcher
    extends EventSourcedBehaviorWithEnforcedReplies<
        Dispatcher.Command, Dispatcher.Event, Dispatcher.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Dispatcher");

  /** Conversations waiting at once per site; past this, new ones are not queued (logged) until room frees. */
  public static final int MAX_WAITING = 5_000;
  /** Queue watchers (agent sessions) at once; past this, a watcher is refused (logged). */
  public static final int MAX_WATCHERS = 2_000;
  /** Agent sessions present at once; past this, an agent session is not offered chats (logged). */
  public static final int MAX_AGENT_SESSIONS = 2_000;
  /** Visitor sessions following their queue position at once; past this, a follower is refused (logged). */
  public static final int MAX_POSITION_FOLLOWERS = 10_000;
  /** Visitors whose last agent is remembered for returning-visitor routing; the oldest is forgotten. */
  public static final int MAX_REMEMBERED_VISITORS = 10_000;
  /** Recently closed conversations remembered, so a late re-announcement does not queue them again. */
  public static final int MAX_REMEMBERED_CLOSED = 10_000;
  /** Missed conversations (closed before any agent joined) kept as reminders; the oldest is dropped. */
  public static final int MAX_MISSED = 200;
  /** Missed conversations older than this are no longer shown as reminders. */
  public static final Duration MISSED_REMINDER_WINDOW = Duration.ofDays(7);
  /** How often timeouts (offers, overflow, working hours) are evaluated and failed joins retried. */
  public static final Duration TICK_INTERVAL = Duration.ofSeconds(1);
  /** How often assigned conversations are asked to apply the site's auto-close (when it has one). */
  public static final Duration AUTO_CLOSE_CHECK_INTERVAL = Duration.ofSeconds(30);
  /** How often the configuration is reloaded without being told (edits on other nodes, hours files). */
  public static final Duration CONFIG_REFRESH_INTERVAL = Duration.ofSeconds(30);

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /** A conversation waits for an agent. Idempotent: repeated by the conversation to repair lost ones. */
  public record Enqueue(String conversationId, String visitorId, Instant since, RoutingHints hints)
      implements Command {
    public Enqueue(String conversationId, String visitorId, Instant since) {
      this(conversationId, visitorId, since, RoutingHints.NONE);
    }
  }

  /** A conversation closed: it leaves the queue, or frees its agent's capacity. Idempotent. */
  public record Remove(String conversationId) implements Command {}

  /** A conversation says who joined it (the truth, even if someone bypassed the dispatcher). Idempotent. */
  public record NoteAssigned(String conversationId, String visitorId, String agentId) implements Command {}

  /**
   * Receive the whole queue now ({@link QueueView}) and what changes after ({@link QueueChanged}). Watching again
   * renews quietly: a watcher that is already known gets nothing more; one that was forgotten (the dispatcher
   * restarted or moved) gets the whole queue again, since it missed changes.
   */
  public record Watch(ActorRef<QueueNotice> watcher) implements Command {}

  public record Unwatch(ActorRef<QueueNotice> watcher) implements Command {}

  public record GetQueue(ActorRef<QueueView> replyTo) implements Command {}

  /**
   * How many conversations of one client key ({@link RoutingHints#clientKey()}) wait now: the edge asks before it
   * lets an address open another one. The limit is the edge's (admission control); the count is the queue's.
   */
  public record CountWaiting(String clientKey, ActorRef<Integer> replyTo) implements Command {}

  /** An agent's connection is here and may be offered chats while {@code online}. Repeat to renew. */
  public record AgentPresent(String agentId, boolean online, ActorRef<AgentNotice> session)
      implements Command {}

  public record AgentAbsent(ActorRef<AgentNotice> session) implements Command {}

  /**
   * An agent takes a conversation, accepting an offer or picking from the queue. Replies with an ack once the
   * assignment is persisted, or {@link Rejection#ALREADY_CLAIMED} / {@link Rejection#AT_CAPACITY}.
   */
  public record Claim(
      String agentId,
      String conversationId,
      String visitorId,
      ActorRef<StatusReply<Done>> replyTo,
      /** The agent may claim outside its skill groups (supervisors and up); added after release. */
      boolean anyGroup)
      implements Command {
    public Claim(String agentId, String conversationId, String visitorId, ActorRef<StatusReply<Done>> replyTo) {
      this(agentId, conversationId, visitorId, replyTo, false);
    }
  }

  /**
   * The agent holding a conversation hands it to another agent (capacity-checked) or back to the queue of a
   * group (at the end of the queue, like a new arrival). Replies once decided and persisted; the conversation
   * then records it. Rejections: {@link Rejection#NOT_ASSIGNED}, {@link Rejection#AT_CAPACITY}, {@link
   * Rejection#UNKNOWN_GROUP}.
   */
  public record Transfer(
      String fromAgentId,
      String conversationId,
      String toAgentId,
      String toGroup,
      String note,
      ActorRef<StatusReply<Done>> replyTo,
      /** The caller may transfer (or take over) a conversation another agent holds; added after release. */
      boolean anyConversation)
      implements Command {
    public Transfer(
        String fromAgentId, String conversationId, String toAgentId, String toGroup, String note,
        ActorRef<StatusReply<Done>> replyTo) {
      this(fromAgentId, conversationId, toAgentId, toGroup, note, replyTo, false);
    }
  }

  /** An agent passes on an offer; it goes to the next agent. Ignored when the offer is not theirs. */
  public record Decline(String agentId, String conversationId) implements Command {}

  /** A visitor session follows a conversation's queue position; it gets the position now and on every change. */
  public record FollowPosition(String conversationId, ActorRef<PositionUpdate> follower)
      implements Command {}

  public record GetAvailability(ActorRef<Availability> replyTo) implements Command {}

  /** Reload the configuration now (sent by the admin API after an edit). */
  public record RefreshConfig() implements Command {}

  /** Evaluate time now: expire offers, overflow, opening hours, retry joins. Sent by a timer every second. */
  public record Tick() implements Command {}

  private record ConfigLoaded(SiteRouting config, Throwable failure) implements Command {}

  private record JoinSettled(String conversationId, String agentId, Throwable failure) implements Command {}

  private record TransferSettled(String conversationId, Throwable failure) implements Command {}

  /**
   * A watched ref stopped. One message for every role (queue watcher, agent session, position follower): the
   * message adapters of one actor share a single ref, and a ref can be death-watched with only one message.
   */
  private record RefGone(ActorRef<?> ref) implements Command {}

  // Replies and notices ----------------------------------------------------------------------------------------

  /**
   * A waiting conversation; {@code group} is null when any agent of the site may take it. {@code clientKey} (added
   * after release; null in older snapshots) is the opaque key of the visitor's address ({@link RoutingHints}); it
   * is for counting and never leaves the server.
   */
  public record Waiting(String conversationId, String visitorId, Instant since, String group, String clientKey)
      implements CborSerializable {
    public Waiting(String conversationId, String visitorId, Instant since, String group) {
      this(conversationId, visitorId, since, group, null);
    }
  }

  /** What queue watchers receive: the whole queue once, then changes. */
  public sealed interface QueueNotice extends CborSerializable {
    String siteId();
  }

  /**
   * The queue in order (a conversation's position is its index plus one), and the recent missed conversations,
   * newest first, as reminders for agents ({@code since} is when the visitor first wrote).
   */
  public record QueueView(String siteId, List<Waiting> waiting, List<Waiting> missed) implements QueueNotice {}

  /**
   * What changed since the last notice: conversations that left the queue ({@code removed}), then new ones
   * appended at its end in order ({@code added}; a conversation is only ever added at the end). {@code missed} is
   * the whole reminder list when it changed, else null. {@code total} is the queue's length afterwards. The size
   * of a notice follows the change, not the queue: the queue used to be sent whole to every agent on every
   * change, which grew with the square of the queue on a busy night.
   */
  public record QueueChanged(
      String siteId, List<String> removed, List<Waiting> added, int total, List<Waiting> missed)
      implements QueueNotice {}

  /** What an agent's sessions are told. */
  public sealed interface AgentNotice extends CborSerializable {}

  public record Offer(
      String siteId, String conversationId, String visitorId, String group, Instant expiresAt)
      implements AgentNotice {}

  /** Another agent transferred a conversation to this agent: its sessions should start following it. */
  public record HandedOver(String siteId, String conversationId, String fromAgentId) implements AgentNotice {}

  /** An offer is over: {@code taken} (by anyone), {@code expired}, {@code declined} or {@code withdrawn}. */
  public record OfferEnded(String siteId, String conversationId, String reason) implements AgentNotice {}

  /** {@code position} 1 is next; 0 means no longer waiting (an agent joined, or it closed). */
  public record PositionUpdate(String siteId, String conversationId, int position)
      implements CborSerializable {}

  /**
   * {@code open}, {@code no-agents} (in hours, nobody online) or {@code closed} (outside working hours), and the
   * site's automatic welcome message (null for none).
   */
  public record Availability(String siteId, String status, String welcomeMessage) implements CborSerializable {
    public static final String OPEN = "open";
    public static final String NO_AGENTS = "no-agents";
    public static final String CLOSED = "closed";
  }

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  /** {@code group} was added after release (null: any agent), {@code clientKey} later (null: unknown). */
  public record Queued(String conversationId, String visitorId, Instant since, String group, String clientKey)
      implements Event {
    public Queued(String conversationId, String visitorId, Instant since, String group) {
      this(conversationId, visitorId, since, group, null);
    }
  }

  /** Left the queue without an agent (closed while waiting). */
  public record Dequeued(String conversationId) implements Event {}

  /** The visitor left (the conversation closed) before any agent joined: shown to agents as a reminder. */
  public record Missed(String conversationId, String visitorId, Instant since, String group, Instant at)
      implements Event {}

  public record AssignedTo(String conversationId, String visitorId, String agentId, Instant at)
      implements Event {}

  /** An assigned conversation closed, or its join was refused: the agent's capacity is free again. */
  public record Released(String conversationId, Instant at) implements Event {}

  // State ------------------------------------------------------------------------------------------------------

  public record Assignment(String conversationId, String visitorId, String agentId)
      implements CborSerializable {}

  public record VisitorAgent(String visitorId, String agentId) implements CborSerializable {}

  public record MissedEntry(Waiting conversation, Instant at) implements CborSerializable {}

  /** Mutable, owned by the entity actor; snapshots go through {@link QueueSnapshot}. */
  public static final class State {
    final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();
    final Map<String, Assignment> assigned = new HashMap<>();
    final Map<String, Integer> load = new HashMap<>();
    final LinkedHashMap<String, String> lastAgentOfVisitor = new LinkedHashMap<>();
    /** Missed conversations, oldest first, at most {@link #MAX_MISSED}; value: when it was missed. */
    final LinkedHashMap<String, MissedEntry> missed = new LinkedHashMap<>();

    State apply(Event event) {
      if (event instanceof Queued q) {
        waiting.put(
            q.conversationId(),
            new Waiting(q.conversationId(), q.visitorId(), q.since(), q.group(), q.clientKey()));
      } else if (event instanceof Dequeued d) {
        waiting.remove(d.conversationId());
      } else if (event instanceof Missed m) {
        missed.put(
            m.conversationId(),
            new MissedEntry(new Waiting(m.conversationId(), m.visitorId(), m.since(), m.group()), m.at()));
        if (missed.size() > MAX_MISSED) {
          missed.remove(missed.keySet().iterator().next());
        }
      } else if (event instanceof AssignedTo a) {
        waiting.remove(a.conversationId());
        assign(new Assignment(a.conversationId(), a.visitorId(), a.agentId()));
      } else if (event instanceof Released r) {
        Assignment gone = assigned.remove(r.conversationId());
        if (gone != null) {
          load.merge(gone.agentId(), -1, Integer::sum);
          load.remove(gone.agentId(), 0);
        }
      }
      return this;
    }

    private void assign(Assignment a) {
      Assignment before = assigned.put(a.conversationId(), a);
      if (before != null) {
        load.merge(before.agentId(), -1, Integer::sum);
        load.remove(before.agentId(), 0);
      }
      load.merge(a.agentId(), 1, Integer::sum);
      if (a.visitorId() != null) {
        lastAgentOfVisitor.remove(a.visitorId());
        lastAgentOfVisitor.put(a.visitorId(), a.agentId());
        if (lastAgentOfVisitor.size() > MAX_REMEMBERED_VISITORS) {
          lastAgentOfVisitor.remove(lastAgentOfVisitor.keySet().iterator().next());
        }
      }
    }

    public List<Waiting> list() {
      return List.copyOf(waiting.values());
    }

    /** Conversations of {@code clientKey} waiting now (a scan: the queue is bounded by {@link #MAX_WAITING}). */
    int waitingOf(String clientKey) {
      int n = 0;
      for (Waiting w : waiting.values()) {
        if (clientKey.equals(w.clientKey())) {
          n++;
        }
      }
      return n;
    }

    public int loadOf(String agentId) {
      return load.getOrDefault(agentId, 0);
    }

    public String agentOf(String conversationId) {
      Assignment a = assigned.get(conversationId);
      return a == null ? null : a.agentId();
    }
  }

  /** Older snapshots have only {@code waiting}; the other lists are then null. */
  public record QueueSnapshot(
      List<Waiting> waiting, List<Assignment> assigned, List<VisitorAgent> lastAgents, List<MissedEntry> missed)
      implements CborSerializable {}

  // Behavior ---------------------------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system, RoutingConfig config, DispatcherPeers peers) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_KEY,
                ctx -> create(ctx.getEntityId(), config, peers, Clock.systemUTC(), TICK_INTERVAL)));
  }

  /** A dispatcher of an unconfigured site whose joins go nowhere: for tests of the queue alone. */
  public static Behavior<Command> create(String siteId) {
    return create(siteId, RoutingConfig.UNCONFIGURED, DispatcherPeers.NONE, Clock.systemUTC(), TICK_INTERVAL);
  }

  /** {@code tickInterval}: how often a timer sends {@link Tick}; tests pass a long one and send ticks. */
  public static Behavior<Command> create(
      String siteId, RoutingConfig config, DispatcherPeers peers, Clock clock, Duration tickInterval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Tick(), tickInterval);
                  return new Dispatcher(siteId, ctx, timers, config, peers, clock);
                }));
  }

  private record OfferMade(String agentId, Instant expiresAt) {}

  /** One agent's open connections; owned by this actor. */
  private static final class Presence {
    boolean online;
    final Set<ActorRef<AgentNotice>> sessions = new HashSet<>();
  }

  private final String siteId;
  private final ActorContext<Command> context;
  /** The one tag of every event of this entity (EventTags). */
  private final Set<String> tags;
  private final RoutingConfig configSource;
  private final DispatcherPeers peers;
  private final Clock clock;
  // Everything below is owned by this actor and in memory only.
  /** The configuration in force; starts as "unconfigured" until the first load answers. Never null. */
  private SiteRouting config;
  private Instant configLoadedAt = Instant.MIN;
  private Instant autoCloseCheckedAt = Instant.MIN;
  private boolean configLoading;
  /** False until the first load answered (or failed): commands are stashed meanwhile. */
  private boolean configReady;
  /** Queue watchers, agent sessions and position followers: one death watch, as their refs may be one ref. */
  private final Watchers.DeathWatch deathWatch;
  private final Watchers<QueueNotice, Boolean> watchers;
  /** The queue and reminders as watchers last saw them; owned by this actor, null before the first publish. */
  private List<Waiting> publishedWaiting;
  private List<Waiting> publishedMissed;
  private final Map<String, Presence> present = new HashMap<>();
  /** Agent sessions present, and whose. */
  private final Watchers<AgentNotice, String> agentOfSession;
  private final LinkedHashMap<String, OfferMade> offers = new LinkedHashMap<>();
  /** Agents who declined or let expire an offer of a conversation, cleared when everyone has passed. */
  private final Map<String, Set<String>> passedBy = new HashMap<>();
  private final Map<String, Instant> lastOfferedAt = new HashMap<>();
  /** Round-robin cursor per group key ("" for the whole site): the agent id offered last. */
  private final Map<String, String> roundRobinLast = new HashMap<>();
  private final Map<String, Set<ActorRef<PositionUpdate>>> followers = new HashMap<>();
  private final Watchers<PositionUpdate, Boolean> watchedFollowers;
  private final Map<String, Integer> positionSent = new HashMap<>();
  /** Joins that failed with a timeout, retried at each tick: conversation id to agent id. */
  private final Map<String, String> joinsToRetry = new HashMap<>();
  private final LinkedHashSet<String> recentlyClosed = new LinkedHashSet<>();

  private Dispatcher(
      String siteId,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      RoutingConfig configSource,
      DispatcherPeers peers,
      Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), siteId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.siteId = siteId;
    this.tags = Set.of(EventTags.tag(ENTITY_KEY.name(), siteId));
    this.context = context;
    this.configSource = configSource;
    this.peers = peers;
    this.clock = clock;
    this.config = SiteRouting.unconfigured(siteId);
    this.deathWatch = new Watchers.DeathWatch(context, RefGone::new);
    this.watchers = new Watchers<>(deathWatch, MAX_WATCHERS);
    this.agentOfSession = new Watchers<>(deathWatch, MAX_AGENT_SESSIONS);
    this.watchedFollowers = new Watchers<>(deathWatch, MAX_POSITION_FOLLOWERS);
    loadConfig();
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
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
        List<VisitorAgent> last = new ArrayList<>(state.lastAgentOfVisitor.size());
        state.lastAgentOfVisitor.forEach((v, a) -> last.add(new VisitorAgent(v, a)));
        return new QueueSnapshot(
            state.list(), List.copyOf(state.assigned.values()), last, List.copyOf(state.missed.values()));
      }

      @Override
      public State fromJournal(Object from) {
        QueueSnapshot snapshot = (QueueSnapshot) from;
        State state = new State();
        snapshot.waiting().forEach(w -> state.waiting.put(w.conversationId(), w));
        if (snapshot.lastAgents() != null) {
          snapshot.lastAgents().forEach(v -> state.lastAgentOfVisitor.put(v.visitorId(), v.agentId()));
        }
        if (snapshot.assigned() != null) {
          snapshot.assigned().forEach(state::assign);
        }
        if (snapshot.missed() != null) {
          snapshot.missed().forEach(m -> state.missed.put(m.conversation().conversationId(), m));
        }
        return state;
      }
    };
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        // Until the site's configuration is first known, nothing is decided on a guess (a group lost at
        // enqueue, a capacity too high): commands wait in the stash (bounded by pekko's stash-capacity).
        .onCommand(cmd -> !configReady && !(cmd instanceof ConfigLoaded), (state, cmd) -> Effect().stash())
        .onCommand(Enqueue.class, this::onEnqueue)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(NoteAssigned.class, this::onNoteAssigned)
        .onCommand(Watch.class, this::onWatch)
        .onCommand(Unwatch.class, (state, cmd) -> forget(cmd.watcher()))
        .onCommand(RefGone.class, this::onRefGone)
        .onCommand(GetQueue.class, (state, cmd) -> Effect().reply(cmd.replyTo(), view(state)))
        .onCommand(CountWaiting.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.waitingOf(cmd.clientKey())))
        .onCommand(AgentPresent.class, this::onAgentPresent)
        .onCommand(AgentAbsent.class, (state, cmd) -> onSessionGone(state, cmd.session()))
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Decline.class, this::onDecline)
        .onCommand(Transfer.class, this::onTransfer)
        .onCommand(TransferSettled.class, this::onTransferSettled)
        .onCommand(FollowPosition.class, this::onFollow)
        .onCommand(GetAvailability.class, (state, cmd) -> Effect().reply(cmd.replyTo(), availability()))
        .onCommand(RefreshConfig.class, (state, cmd) -> refresh())
        .onCommand(ConfigLoaded.class, this::onConfigLoaded)
        .onCommand(Tick.class, this::onTick)
        .onCommand(JoinSettled.class, this::onJoinSettled)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  // Queue ------------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onEnqueue(State state, Enqueue cmd) {
    String id = cmd.conversationId();
    if (state.waiting.containsKey(id) || state.assigned.containsKey(id) || recentlyClosed.contains(id)) {
      return Effect().noReply();
    }
    if (state.waiting.size() >= MAX_WAITING) {
      context
          .getLog()
          .error("Site {} has {} waiting conversations; {} is not queued until one leaves", siteId, MAX_WAITING, id);
      return Effect().noReply();
    }
    RoutingHints hints = RoutingHints.orNone(cmd.hints());
    String group = config.groupFor(hints);
    return Effect()
        .persist(new Queued(id, cmd.visitorId(), cmd.since(), group, hints.clientKey()))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
    String id = cmd.conversationId();
    rememberClosed(id);
    endOffer(id, "withdrawn");
    joinsToRetry.remove(id);
    Waiting w = state.waiting.get(id);
    if (w != null) {
      Missed missed = new Missed(id, w.visitorId(), w.since(), w.group(), clock.instant());
      return Effect().persist(List.of(new Dequeued(id), missed)).thenRun(this::afterChange).thenNoReply();
    }
    if (state.assigned.containsKey(id)) {
      return Effect().persist(new Released(id, clock.instant())).thenRun(this::afterChange).thenNoReply();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onNoteAssigned(State state, NoteAssigned cmd) {
    String id = cmd.conversationId();
    if (cmd.agentId().equals(state.agentOf(id)) || recentlyClosed.contains(id)) {
      return Effect().noReply();
    }
    // Only a client that bypassed the dispatcher gets here; the conversation is the truth.
    context.getLog().warn("Site {}: conversation {} joined by {} without the dispatcher", siteId, id, cmd.agentId());
    endOffer(id, "taken");
    passedBy.remove(id);
    return Effect()
        .persist(new AssignedTo(id, cmd.visitorId(), cmd.agentId(), clock.instant()))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onWatch(State state, Watch cmd) {
    boolean known = watchers.contains(cmd.watcher());
    if (!known && admit(watchers, cmd.watcher(), true, "queue watchers")) {
      QueueView view = view(state);
      if (publishedWaiting == null) {
        publishedWaiting = view.waiting(); // the baseline of the changes this watcher will get
        publishedMissed = view.missed();
      }
      cmd.watcher().tell(view);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> forget(ActorRef<QueueNotice> watcher) {
    watchers.remove(watcher);
    return Effect().noReply();
  }

  /** Adds a ref to a bounded set; false (logged) when the set is full. */
  private <T, V> boolean admit(Watchers<T, V> set, ActorRef<T> ref, V value, String what) {
    if (!set.add(ref, value)) {
      context.getLog().error("Site {} has {} {}; refusing one more", siteId, set.size(), what);
      return false;
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private ReplyEffect<Event, State> onRefGone(State state, RefGone gone) {
    ActorRef<?> ref = gone.ref();
    boolean session = agentOfSession.contains(ref);
    boolean follower = watchedFollowers.contains(ref);
    String agentId = session ? agentOfSession.get(ref) : null;
    deathWatch.stopped(ref); // every set forgets it
    if (session) {
      sessionGone(state, (ActorRef<AgentNotice>) ref, agentId);
    }
    if (follower) {
      onFollowerGone((ActorRef<PositionUpdate>) ref);
    }
    return Effect().noReply();
  }

  // Agents -----------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onAgentPresent(State state, AgentPresent cmd) {
    if (!admit(agentOfSession, cmd.session(), cmd.agentId(), "agent sessions")) {
      return Effect().noReply();
    }
    Presence p = present.computeIfAbsent(cmd.agentId(), a -> new Presence());
    p.sessions.add(cmd.session());
    boolean wasOnline = p.online;
    p.online = cmd.online();
    if (wasOnline && !p.online) {
      withdrawOffersOf(cmd.agentId());
    }
    afterChange(state);
    return Effect().noReply();
  }

  /** An agent session said it left: it is forgotten as if it had stopped. */
  private ReplyEffect<Event, State> onSessionGone(State state, ActorRef<AgentNotice> session) {
    String agentId = agentOfSession.get(session);
    if (agentId == null) {
      return Effect().noReply();
    }
    agentOfSession.remove(session);
    sessionGone(state, session, agentId);
    return Effect().noReply();
  }

  private void sessionGone(State state, ActorRef<AgentNotice> session, String agentId) {
    Presence p = present.get(agentId);
    if (p != null) {
      p.sessions.remove(session);
      if (p.sessions.isEmpty()) {
        present.remove(agentId);
        withdrawOffersOf(agentId);
      }
    }
    afterChange(state);
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim cmd) {
    String id = cmd.conversationId();
    String holder = state.agentOf(id);
    if (holder != null) {
      return holder.equals(cmd.agentId())
          ? Effect().reply(cmd.replyTo(), StatusReply.ack())
          : Effect().reply(cmd.replyTo(), Rejection.ALREADY_CLAIMED.reply());
    }
    if (recentlyClosed.contains(id)) {
      return Effect().reply(cmd.replyTo(), Rejection.CONVERSATION_CLOSED.reply());
    }
    Waiting waiting = state.waiting.get(id);
    if (waiting != null && !cmd.anyGroup() && !memberOfAny(cmd.agentId(), eligibleGroups(waiting, clock.instant()))) {
      // The conversation waits for a skill group the agent is not in (docs/SECURITY.md, "Roles and permissions").
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ALLOWED.reply());
    }
    if (state.loadOf(cmd.agentId()) >= config.capacityOf(cmd.agentId())) {
      return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
    }
    OfferMade offer = offers.get(id);
    if (offer != null) {
      endOffer(id, "taken");
    }
    passedBy.remove(id);
    Waiting w = state.waiting.get(id);
    String visitorId = w != null ? w.visitorId() : cmd.visitorId();
    return Effect()
        .persist(new AssignedTo(id, visitorId, cmd.agentId(), clock.instant()))
        .thenRun(
            s -> {
              startJoin(id, cmd.agentId());
              afterChange(s);
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onTransfer(State state, Transfer cmd) {
    String id = cmd.conversationId();
    Assignment held = state.assigned.get(id);
    if (held == null || (!held.agentId().equals(cmd.fromAgentId()) && !cmd.anyConversation())) {
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ASSIGNED.reply());
    }
    if (cmd.toAgentId() != null && !config.hasAgent(cmd.toAgentId())) {
      // Nobody could answer a conversation handed to an account of another site, or to a made-up id.
      loadConfig(); // a new account may be newer than the configuration held here
      return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_AGENT.reply());
    }
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>(2);
    String holder = held.agentId(); // the caller, or another agent when a supervisor transfers or takes over
    if (cmd.toAgentId() != null) {
      if (cmd.toAgentId().equals(holder)) {
        return Effect().reply(cmd.replyTo(), StatusReply.ack());
      }
      if (state.loadOf(cmd.toAgentId()) >= config.capacityOf(cmd.toAgentId())) {
        return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
      }
      events.add(new AssignedTo(id, held.visitorId(), cmd.toAgentId(), now));
    } else {
      if (config.group(cmd.toGroup()).isEmpty()) {
        return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_GROUP.reply());
      }
      if (state.waiting.size() >= MAX_WAITING) {
        return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
      }
      events.add(new Released(id, now));
      events.add(new Queued(id, held.visitorId(), now, cmd.toGroup()));
    }
    return Effect()
        .persist(events)
        .thenRun(
            s -> {
              ActorRef<Command> self = context.getSelf();
              peers
                  .transfer(siteId, id, holder, cmd.toAgentId(), cmd.toGroup(), cmd.note())
                  .whenCompleteAsync(
                      (ok, failure) -> self.tell(new TransferSettled(id, unwrap(failure))),
                      context.getExecutionContext());
              Presence target = cmd.toAgentId() == null ? null : present.get(cmd.toAgentId());
              if (target != null) {
                HandedOver notice = new HandedOver(siteId, id, holder);
                target.sessions.forEach(session -> session.tell(notice));
              }
              afterChange(s);
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onTransferSettled(State state, TransferSettled settled) {
    if (settled.failure() != null) {
      // The conversation refused (it closed meanwhile: its Remove frees the agent) or did not answer.
      context.getLog().warn("Site {}: transfer of {} not recorded by the conversation: {}", siteId, settled.conversationId(), settled.failure().toString());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onDecline(State state, Decline cmd) {
    OfferMade offer = offers.get(cmd.conversationId());
    if (offer != null && offer.agentId().equals(cmd.agentId())) {
      passed(cmd.conversationId(), cmd.agentId());
      endOffer(cmd.conversationId(), "declined");
      afterChange(state);
    }
    return Effect().noReply();
  }

  private void startJoin(String conversationId, String agentId) {
    CompletionStage<?> joined = peers.join(siteId, conversationId, agentId);
    ActorRef<Command> self = context.getSelf();
    // Completed on our dispatcher, not the common pool (see ../shared/STACK.md).
    joined.whenCompleteAsync(
        (ok, failure) -> self.tell(new JoinSettled(conversationId, agentId, unwrap(failure))),
        context.getExecutionContext());
  }

  private ReplyEffect<Event, State> onJoinSettled(State state, JoinSettled settled) {
    String id = settled.conversationId();
    if (settled.failure() == null || !settled.agentId().equals(state.agentOf(id))) {
      joinsToRetry.remove(id);
      return Effect().noReply();
    }
    if (settled.failure() instanceof StatusReply.ErrorMessage refusal) {
      context.getLog().info("Site {}: conversation {} refused agent {}: {}", siteId, id, settled.agentId(), refusal.getMessage());
      joinsToRetry.remove(id);
      return Effect().persist(new Released(id, clock.instant())).thenRun(this::afterChange).thenNoReply();
    }
    context.getLog().warn("Site {}: join of {} to {} failed, retrying: {}", siteId, settled.agentId(), id, settled.failure().toString());
    joinsToRetry.put(id, settled.agentId());
    return Effect().noReply();
  }

  // Visitors ---------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onFollow(State state, FollowPosition cmd) {
    String id = cmd.conversationId();
    if (!state.waiting.containsKey(id)
        && (state.assigned.containsKey(id) || recentlyClosed.contains(id))) {
      cmd.follower().tell(new PositionUpdate(siteId, id, 0));
      return Effect().noReply();
    }
    if (!admit(watchedFollowers, cmd.follower(), true, "position followers")) {
      return Effect().noReply();
    }
    followers.computeIfAbsent(id, k -> new HashSet<>()).add(cmd.follower());
    int position = positionOf(state, id);
    if (position > 0) {
      cmd.follower().tell(new PositionUpdate(siteId, id, position));
    }
    return Effect().noReply();
  }

  private void onFollowerGone(ActorRef<PositionUpdate> follower) {
    Iterator<Map.Entry<String, Set<ActorRef<PositionUpdate>>>> it = followers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Set<ActorRef<PositionUpdate>>> e = it.next();
      e.getValue().remove(follower);
      if (e.getValue().isEmpty()) {
        it.remove();
        positionSent.remove(e.getKey());
      }
    }
  }

  private static int positionOf(State state, String conversationId) {
    int i = 1;
    for (String id : state.waiting.keySet()) {
      if (id.equals(conversationId)) {
        return i;
      }
      i++;
    }
    return 0;
  }

  private Availability availability() {
    if (config.hours() != null && !config.hours().isOpen(clock.instant())) {
      return new Availability(siteId, Availability.CLOSED, config.welcomeMessage());
    }
    boolean anyone = present.values().stream().anyMatch(p -> p.online);
    return new Availability(
        siteId, anyone ? Availability.OPEN : Availability.NO_AGENTS, config.welcomeMessage());
  }

  // Configuration and time -------------------------------------------------------------------------------------

  private ReplyEffect<Event, State> refresh() {
    loadConfig();
    return Effect().noReply();
  }

  private void loadConfig() {
    if (configLoading) {
      return;
    }
    configLoading = true;
    configLoadedAt = clock.instant();
    ActorRef<Command> self = context.getSelf();
    CompletionStage<SiteRouting> loaded;
    try {
      loaded = configSource.load(siteId);
    } catch (RuntimeException e) {
      self.tell(new ConfigLoaded(null, e));
      return;
    }
    loaded.whenCompleteAsync(
        (config, failure) -> self.tell(new ConfigLoaded(config, unwrap(failure))), context.getExecutionContext());
  }

  private ReplyEffect<Event, State> onConfigLoaded(State state, ConfigLoaded loaded) {
    configLoading = false;
    boolean first = !configReady;
    configReady = true;
    if (loaded.failure() != null || loaded.config() == null) {
      context.getLog().warn("Site {}: routing configuration not loaded, keeping the previous one: {}", siteId, String.valueOf(loaded.failure()));
      return first ? Effect().noReply().thenUnstashAll() : Effect().noReply();
    }
    config = loaded.config();
    // Offers to agents who left a group or whose group changed policy are re-decided.
    new ArrayList<>(offers.keySet()).forEach(id -> endOffer(id, "withdrawn"));
    afterChange(state);
    return first ? Effect().noReply().thenUnstashAll() : Effect().noReply();
  }

  private ReplyEffect<Event, State> onTick(State state, Tick tick) {
    Instant now = clock.instant();
    if (!Duration.between(configLoadedAt, now).minus(CONFIG_REFRESH_INTERVAL).isNegative()) {
      loadConfig();
    }
    for (Map.Entry<String, OfferMade> e : new ArrayList<>(offers.entrySet())) {
      if (!e.getValue().expiresAt().isAfter(now)) {
        passed(e.getKey(), e.getValue().agentId());
        endOffer(e.getKey(), "expired");
      }
    }
    new HashMap<>(joinsToRetry).forEach((id, agentId) -> {
      if (agentId.equals(state.agentOf(id))) {
        startJoin(id, agentId);
      }
    });
    joinsToRetry.clear();
    if (config.autoCloseAfter() != null
        && !Duration.between(autoCloseCheckedAt, now).minus(AUTO_CLOSE_CHECK_INTERVAL).isNegative()) {
      autoCloseCheckedAt = now;
      for (String id : state.assigned.keySet()) {
        peers.closeIfIdle(id, config.autoCloseAfter(), config.autoCloseNotice());
      }
    }
    afterChange(state);
    return Effect().noReply();
  }

  // Decisions --------------------------------------------------------------------------------------------------

  private void afterChange(State state) {
    dispatch(state);
    publish(state);
  }

  /** Offers waiting conversations to agents with room, as {@link OfferPolicy} decides (docs/ROUTING.md). */
  private void dispatch(State state) {
    Instant now = clock.instant();
    Map<String, Boolean> online = new HashMap<>();
    present.forEach((agentId, presence) -> online.put(agentId, presence.online));
    Map<String, String> out = new HashMap<>();
    offers.forEach((id, offer) -> out.put(id, offer.agentId()));
    OfferPolicy.Decision decision =
        OfferPolicy.decide(
            new OfferPolicy.Input(
                config, now, state.list(), online, state.load, out, passedBy, lastOfferedAt, roundRobinLast,
                state.lastAgentOfVisitor));
    decision.passedReset().forEach(passedBy::remove);
    roundRobinLast.putAll(decision.roundRobinLast());
    for (OfferPolicy.Offer o : decision.offers()) {
      offer(state.waiting.get(o.conversationId()), o.agentId(), now);
    }
  }

  private Set<String> eligibleGroups(Waiting w, Instant now) {
    return OfferPolicy.eligibleGroups(config, w, now);
  }

  private boolean memberOfAny(String agentId, Set<String> groups) {
    return OfferPolicy.memberOfAny(config, agentId, groups);
  }

  private void offer(Waiting w, String agentId, Instant now) {
    Instant expiresAt = now.plus(config.offerTimeout());
    offers.put(w.conversationId(), new OfferMade(agentId, expiresAt));
    lastOfferedAt.put(agentId, now);
    Offer notice = new Offer(siteId, w.conversationId(), w.visitorId(), w.group(), expiresAt);
    Presence p = present.get(agentId);
    if (p != null) {
      p.sessions.forEach(s -> s.tell(notice));
    }
  }

  private void passed(String conversationId, String agentId) {
    Set<String> set = passedBy.computeIfAbsent(conversationId, k -> new HashSet<>());
    if (set.size() < MAX_AGENT_SESSIONS) {
      set.add(agentId);
    }
  }

  private void endOffer(String conversationId, String reason) {
    OfferMade offer = offers.remove(conversationId);
    if (offer == null) {
      return;
    }
    Presence p = present.get(offer.agentId());
    if (p != null) {
      OfferEnded ended = new OfferEnded(siteId, conversationId, reason);
      p.sessions.forEach(s -> s.tell(ended));
    }
  }

  private void withdrawOffersOf(String agentId) {
    for (Map.Entry<String, OfferMade> e : new ArrayList<>(offers.entrySet())) {
      if (e.getValue().agentId().equals(agentId)) {
        endOffer(e.getKey(), "withdrawn");
      }
    }
  }

  private void rememberClosed(String conversationId) {
    recentlyClosed.add(conversationId);
    if (recentlyClosed.size() > MAX_REMEMBERED_CLOSED) {
      recentlyClosed.remove(recentlyClosed.iterator().next());
    }
    passedBy.remove(conversationId);
  }

  private void publish(State state) {
    QueueView view = view(state);
    // No baseline yet means nobody was told anything: there is no change to tell.
    QueueChanged change = publishedWaiting == null ? null : changeSincePublished(view);
    publishedWaiting = view.waiting();
    publishedMissed = view.missed();
    if (change != null) {
      watchers.tellAll(change);
    }
    if (followers.isEmpty()) {
      return;
    }
    Map<String, Integer> positions = new HashMap<>();
    int i = 1;
    for (String id : state.waiting.keySet()) {
      if (followers.containsKey(id)) {
        positions.put(id, i);
      }
      i++;
    }
    Iterator<Map.Entry<String, Set<ActorRef<PositionUpdate>>>> it = followers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Set<ActorRef<PositionUpdate>>> e = it.next();
      String id = e.getKey();
      int position = positions.getOrDefault(id, 0);
      if (position == 0 && !state.assigned.containsKey(id) && !recentlyClosed.contains(id)) {
        continue; // followed before it was queued: wait for it
      }
      Integer before = positionSent.get(id);
      if (before == null || before != position) {
        PositionUpdate update = new PositionUpdate(siteId, id, position);
        e.getValue().forEach(f -> f.tell(update));
        positionSent.put(id, position);
      }
      if (position == 0) {
        it.remove();
        positionSent.remove(id);
      }
    }
  }

  /**
   * The difference between {@code view} and what watchers last saw, or null when nothing they see changed. Since
   * conversations only ever join the queue at its end, the new queue is the old one minus the removed, plus the
   * added at the end.
   */
  private QueueChanged changeSincePublished(QueueView view) {
    List<Waiting> before = publishedWaiting;
    Set<String> now = new HashSet<>();
    view.waiting().forEach(w -> now.add(w.conversationId()));
    Set<String> was = new HashSet<>();
    List<String> removed = new ArrayList<>();
    for (Waiting w : before) {
      was.add(w.conversationId());
      if (!now.contains(w.conversationId())) {
        removed.add(w.conversationId());
      }
    }
    List<Waiting> added = new ArrayList<>();
    for (Waiting w : view.waiting()) {
      if (!was.contains(w.conversationId())) {
        added.add(w);
      }
    }
    boolean missedChanged = !view.missed().equals(publishedMissed);
    if (removed.isEmpty() && added.isEmpty() && !missedChanged) {
      return null;
    }
    return new QueueChanged(
        siteId, List.copyOf(removed), List.copyOf(added), view.waiting().size(), missedChanged ? view.missed() : null);
  }

  private QueueView view(State state) {
    Instant since = clock.instant().minus(MISSED_REMINDER_WINDOW);
    List<Waiting> missed = new ArrayList<>();
    state.missed.values().forEach(m -> {
      if (m.at().isAfter(since)) {
        missed.add(0, m.conversation());
      }
    });
    return new QueueView(siteId, state.list(), missed);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /** Ids the waiting list holds, for tests and tools. */
  public static List<String> ids(QueueView view) {
    List<String> ids = new ArrayList<>(view.waiting().size());
    view.waiting().forEach(w -> ids.add(w.conversationId()));
    return ids;
  }
}
