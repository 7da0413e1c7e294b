// Over 600 lines on purpose: the command handlers of one event-sourced actor, each building its effect with
// Effect(), which only the behaviour can call. Everything that needs no Effect() lives apart: AgentPresence,
// OfferBook, QueuePublisher, OfferPolicy (the decisions), DispatcherState (one method per event). Find a behaviour
// by its command: commandHandler() lists them in one place, each pointing to its onXxx method below. A claim and a
// transfer are each one request driven to the conversation through persisted intents (decided, confirmed), so each
// has its decide / drive / settle handlers here; what they share with the rest (capacity, offers, publishing) is the
// reason they stay in this actor rather than in a class of their own.
package dev.parley.core.dispatcher;

import static dev.parley.core.dispatcher.Dispatcher.AUTO_CLOSE_CHECK_INTERVAL;
import static dev.parley.core.dispatcher.Dispatcher.CONFIG_REFRESH_INTERVAL;
import static dev.parley.core.dispatcher.Dispatcher.ENTITY_KEY;
import static dev.parley.core.dispatcher.Dispatcher.MAX_WAITING;

import dev.parley.core.common.CrashPoints;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher.FactsArrived;
import dev.parley.core.dispatcher.Dispatcher.JoinConfirmed;
import dev.parley.core.dispatcher.Dispatcher.JoinDecided;
import dev.parley.core.dispatcher.Dispatcher.Joined;

import dev.parley.core.common.EventTags;
import dev.parley.core.common.QueriesFirst;
import dev.parley.core.common.Rejection;
import dev.parley.core.common.Watchers;
import dev.parley.core.dispatcher.Dispatcher.AgentAbsent;
import dev.parley.core.dispatcher.Dispatcher.AgentNotice;
import dev.parley.core.dispatcher.Dispatcher.AgentPresent;
import dev.parley.core.dispatcher.Dispatcher.AssignedTo;
import dev.parley.core.dispatcher.Dispatcher.Assignment;
import dev.parley.core.dispatcher.Dispatcher.Availability;
import dev.parley.core.dispatcher.Dispatcher.Claim;
import dev.parley.core.dispatcher.Dispatcher.Command;
import dev.parley.core.dispatcher.Dispatcher.ConfigLoaded;
import dev.parley.core.dispatcher.Dispatcher.CountWaiting;
import dev.parley.core.dispatcher.Dispatcher.Decline;
import dev.parley.core.dispatcher.Dispatcher.Dequeued;
import dev.parley.core.dispatcher.Dispatcher.Enqueue;
import dev.parley.core.dispatcher.Dispatcher.Event;
import dev.parley.core.dispatcher.Dispatcher.FollowPosition;
import dev.parley.core.dispatcher.Dispatcher.GetAvailability;
import dev.parley.core.dispatcher.Dispatcher.GetQueue;
import dev.parley.core.dispatcher.Dispatcher.HandedOver;
import dev.parley.core.dispatcher.Dispatcher.JoinSettled;
import dev.parley.core.dispatcher.Dispatcher.Missed;
import dev.parley.core.dispatcher.Dispatcher.NoteAssigned;
import dev.parley.core.dispatcher.Dispatcher.PositionUpdate;
import dev.parley.core.dispatcher.Dispatcher.QueueSnapshot;
import dev.parley.core.dispatcher.Dispatcher.Queued;
import dev.parley.core.dispatcher.Dispatcher.RefGone;
import dev.parley.core.dispatcher.Dispatcher.RefreshConfig;
import dev.parley.core.dispatcher.Dispatcher.Released;
import dev.parley.core.dispatcher.Dispatcher.Remove;
import dev.parley.core.dispatcher.Dispatcher.Tick;
import dev.parley.core.dispatcher.Dispatcher.Transfer;
import dev.parley.core.dispatcher.Dispatcher.TransferAbandoned;
import dev.parley.core.dispatcher.Dispatcher.TransferConfirmed;
import dev.parley.core.dispatcher.Dispatcher.TransferDecided;
import dev.parley.core.dispatcher.Dispatcher.TransferDone;
import dev.parley.core.dispatcher.Dispatcher.TransferSettled;
import dev.parley.core.dispatcher.Dispatcher.Handed;
import dev.parley.core.dispatcher.Dispatcher.Unwatch;
import dev.parley.core.dispatcher.Dispatcher.Waiting;
import dev.parley.core.dispatcher.Dispatcher.Watch;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.routing.SiteRouting;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The actor of a site's {@link Dispatcher}: it holds the persisted queue and assignments ({@link DispatcherState}),
 * persists decisions and talks; who is present ({@link AgentPresence}), the offers in flight ({@link OfferBook}),
 * who watches the queue ({@link QueuePublisher}) and the configuration are memory only. Who is offered what is
 * {@link OfferPolicy}'s decision, a plain function.
 *
 * <p>Why this file passes 600 lines: what is left here are the command handlers, and each builds its effect with
 * {@code Effect()}, which only the behaviour itself can call; splitting them further would pass the effect
 * factory and half the actor's fields around. Everything that needs no {@code Effect()} already lives apart (the
 * four classes above and {@link DispatcherState}, one method per event).
 */
final class DispatcherBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, DispatcherState> {

  /** Claimers of one conversation waiting for its join at once; beyond, the oldest is dropped (it timed out). */
  static final int MAX_CLAIM_WAITERS = 16;

  static Behavior<Command> create(
      String siteId, RoutingConfig config, DispatcherPeers peers, Clock clock, Duration tickInterval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Tick(), tickInterval);
                  DispatcherBehavior dispatcher = new DispatcherBehavior(siteId, ctx, config, peers, clock);
                  return QueriesFirst.wrap(Command.class, dispatcher::answeredNow, dispatcher);
                }));
  }

  /**
   * The questions visitors' sessions ask on every arrival (how many of this address wait, is anyone there, where
   * am I in the queue) and the queue view, answered at once from the state instead of behind the Dispatcher's
   * writes: a burst of new conversations persists one queue entry after another, and questions stashed behind
   * them timed out or overflowed the stash (docs/BENCHMARKS.md). Advisory reads only; nothing here is decided.
   */
  private boolean answeredNow(Command command) {
    DispatcherState state = live;
    if (state == null || !configReady) {
      return false; // recovering, or the site's configuration not known yet: the entity stashes as before
    }
    if (command instanceof CountWaiting count) {
      count.replyTo().tell(state.waitingOf(count.clientKey()));
    } else if (command instanceof GetAvailability get) {
      get.replyTo().tell(availability());
    } else if (command instanceof GetQueue get) {
      get.replyTo().tell(publisher.view(state));
    } else if (command instanceof FollowPosition follow) {
      onFollow(state, follow);
    } else {
      return false;
    }
    return true;
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
  private final AgentPresence presence;
  private final OfferBook offers;
  private final QueuePublisher publisher;
  /** The recovered state, for the questions answered before the stash ({@link #answeredNow}); null until then. */
  private DispatcherState live;
  /** Joins and transfers asked of conversations, and who waits for them. */
  private final Drives drives;

  private DispatcherBehavior(
      String siteId,
      ActorContext<Command> context,
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
    this.presence = new AgentPresence(deathWatch);
    this.offers = new OfferBook(siteId, presence);
    this.publisher = new QueuePublisher(siteId, clock, context.getLog(), deathWatch);
    this.drives = new Drives(siteId, peers, context);
    loadConfig();
  }

  @Override
  public DispatcherState emptyState() {
    return new DispatcherState();
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
  public SnapshotAdapter<DispatcherState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(DispatcherState state) {
        return state.toSnapshot();
      }

      @Override
      public DispatcherState fromJournal(Object from) {
        return DispatcherState.fromSnapshot((QueueSnapshot) from);
      }
    };
  }

  @Override
  public CommandHandlerWithReply<Command, Event, DispatcherState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        // Until the site's configuration is first known, nothing is decided on a guess (a group lost at
        // enqueue, a capacity too high): commands wait in the stash (bounded by pekko's stash-capacity).
        .onCommand(cmd -> !configReady && !(cmd instanceof ConfigLoaded), (state, cmd) -> Effect().stash())
        .onCommand(Enqueue.class, this::onEnqueue)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(NoteAssigned.class, this::onNoteAssigned)
        .onCommand(Watch.class, this::onWatch)
        .onCommand(Unwatch.class, this::onUnwatch)
        .onCommand(RefGone.class, this::onRefGone)
        .onCommand(GetQueue.class, (state, cmd) -> Effect().reply(cmd.replyTo(), publisher.view(state)))
        .onCommand(CountWaiting.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.waitingOf(cmd.clientKey())))
        .onCommand(AgentPresent.class, this::onAgentPresent)
        .onCommand(AgentAbsent.class, this::onAgentAbsent)
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Decline.class, this::onDecline)
        .onCommand(Transfer.class, this::onTransfer)
        .onCommand(TransferSettled.class, this::onTransferSettled)
        .onCommand(FollowPosition.class, this::onFollow)
        .onCommand(GetAvailability.class, (state, cmd) -> Effect().reply(cmd.replyTo(), availability()))
        .onCommand(RefreshConfig.class, this::onRefresh)
        .onCommand(ConfigLoaded.class, this::onConfigLoaded)
        .onCommand(Tick.class, this::onTick)
        .onCommand(JoinSettled.class, this::onJoinSettled)
        .onCommand(FactsArrived.class, this::onFactsArrived)
        .build();
  }

  @Override
  public EventHandler<DispatcherState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Queued.class, DispatcherState::queued)
        .onEvent(Dequeued.class, DispatcherState::dequeued)
        .onEvent(Missed.class, DispatcherState::missed)
        .onEvent(AssignedTo.class, DispatcherState::assignedTo)
        .onEvent(Released.class, DispatcherState::released)
        .onEvent(JoinDecided.class, DispatcherState::joinDecided)
        .onEvent(JoinConfirmed.class, DispatcherState::joinConfirmed)
        .onEvent(TransferDecided.class, DispatcherState::transferDecided)
        .onEvent(TransferConfirmed.class, DispatcherState::transferConfirmed)
        .onEvent(TransferAbandoned.class, DispatcherState::transferAbandoned)
        .build();
  }

  @Override
  public SignalHandler<DispatcherState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              live = state; // the one instance every event changes from now on (DispatcherState is mutable)
              // Claims and transfers decided before a crash that the conversation did not confirm finish now.
              state.pendingTransfers.values().forEach(drives::transfer);
              state.pendingJoins.values().forEach(a -> drive(a.conversationId(), a.agentId()));
            })
        .build();
  }

  // Queue ------------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, DispatcherState> onEnqueue(DispatcherState state, Enqueue cmd) {
    String id = cmd.conversationId();
    if (state.waiting.containsKey(id) || state.assigned.containsKey(id)) {
      return acked(cmd.replyTo());
    }
    if (state.waiting.size() >= MAX_WAITING) {
      context
          .getLog()
          .error("Site {} has {} waiting conversations; {} is not queued until one leaves", siteId, MAX_WAITING, id);
      return acked(cmd.replyTo());
    }
    RoutingHints hints = RoutingHints.orNone(cmd.hints());
    String group = config.groupFor(hints);
    return Effect()
        .persist(new Queued(id, cmd.visitorId(), cmd.since(), group, hints.clientKey()))
        .thenRun(this::afterChange)
        .thenRun(s -> ack(cmd.replyTo()))
        .thenNoReply();
  }

  private ReplyEffect<Event, DispatcherState> onRemove(DispatcherState state, Remove cmd) {
    String id = cmd.conversationId();
    offers.settled(id, "withdrawn");
    drives.answerClaims(id, Rejection.CONVERSATION_CLOSED.reply());
    publisher.ended(id);
    Waiting w = state.waiting.get(id);
    if (w != null) {
      Missed missed = new Missed(id, w.visitorId(), w.since(), w.group(), clock.instant());
      return Effect()
          .persist(List.of(new Dequeued(id), missed))
          .thenRun(this::afterChange)
          .thenRun(s -> ack(cmd.replyTo()))
          .thenNoReply();
    }
    if (state.assigned.containsKey(id)) {
      return Effect()
          .persist(new Released(id, clock.instant()))
          .thenRun(this::afterChange)
          .thenRun(s -> ack(cmd.replyTo()))
          .thenNoReply();
    }
    Dispatcher.Unanswered unanswered = cmd.unanswered();
    if (unanswered != null && !state.missed.containsKey(id)) {
      // Closed before it was ever queued here: still a visitor nobody answered.
      String group = config.groupFor(RoutingHints.orNone(unanswered.hints()));
      return Effect()
          .persist(new Missed(id, unanswered.visitorId(), unanswered.since(), group, clock.instant()))
          .thenRun(this::afterChange)
          .thenRun(s -> ack(cmd.replyTo()))
          .thenNoReply();
    }
    return acked(cmd.replyTo());
  }

  private ReplyEffect<Event, DispatcherState> onNoteAssigned(DispatcherState state, NoteAssigned cmd) {
    String id = cmd.conversationId();
    if (cmd.agentId().equals(state.agentOf(id))) {
      return acked(cmd.replyTo());
    }
    // Only a client that bypassed the dispatcher gets here; the conversation is the truth.
    context.getLog().warn("Site {}: conversation {} joined by {} without the dispatcher", siteId, id, cmd.agentId());
    offers.settled(id, "taken");
    return Effect()
        .persist(new AssignedTo(id, cmd.visitorId(), cmd.agentId(), clock.instant()))
        .thenRun(this::afterChange)
        .thenRun(s -> ack(cmd.replyTo()))
        .thenNoReply();
  }

  /** Acknowledges an effect of the routing feed (nothing when nobody asked). */
  private static void ack(ActorRef<Done> replyTo) {
    if (replyTo != null) {
      replyTo.tell(Done.getInstance());
    }
  }

  private ReplyEffect<Event, DispatcherState> acked(ActorRef<Done> replyTo) {
    ack(replyTo);
    return Effect().noReply();
  }

  private ReplyEffect<Event, DispatcherState> onWatch(DispatcherState state, Watch cmd) {
    publisher.watch(cmd.watcher(), state);
    return Effect().noReply();
  }

  private ReplyEffect<Event, DispatcherState> onUnwatch(DispatcherState state, Unwatch cmd) {
    publisher.unwatch(cmd.watcher());
    return Effect().noReply();
  }

  @SuppressWarnings("unchecked")
  private ReplyEffect<Event, DispatcherState> onRefGone(DispatcherState state, RefGone gone) {
    ActorRef<?> ref = gone.ref();
    boolean session = presence.isSession(ref);
    boolean follower = publisher.isFollower(ref);
    String agentId = session ? presence.agentOf(ref) : null;
    deathWatch.stopped(ref); // every set forgets it
    if (session) {
      sessionGone(state, (ActorRef<AgentNotice>) ref, agentId);
    }
    if (follower) {
      publisher.followerGone((ActorRef<PositionUpdate>) ref);
    }
    return Effect().noReply();
  }

  // Agents -----------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, DispatcherState> onAgentPresent(DispatcherState state, AgentPresent cmd) {
    switch (presence.announce(cmd.agentId(), cmd.online(), cmd.session())) {
      case REFUSED:
        context.getLog().error("Site {} has {} agent sessions; refusing one more", siteId, presence.sessionCount());
        return Effect().noReply();
      case WENT_OFFLINE:
        offers.withdrawAllOf(cmd.agentId());
        break;
      default:
        break;
    }
    afterChange(state);
    return Effect().noReply();
  }

  /** An agent session said it left: it is forgotten as if it had stopped. */
  private ReplyEffect<Event, DispatcherState> onAgentAbsent(DispatcherState state, AgentAbsent cmd) {
    String agentId = presence.agentOf(cmd.session());
    if (agentId != null) {
      presence.forget(cmd.session());
      sessionGone(state, cmd.session(), agentId);
    }
    return Effect().noReply();
  }

  private void sessionGone(DispatcherState state, ActorRef<AgentNotice> session, String agentId) {
    if (presence.sessionGone(session, agentId)) {
      offers.withdrawAllOf(agentId);
    }
    afterChange(state);
  }

  private ReplyEffect<Event, DispatcherState> onClaim(DispatcherState state, Claim cmd) {
    String id = cmd.conversationId();
    String holder = state.agentOf(id);
    if (holder != null) {
      if (!holder.equals(cmd.agentId())) {
        return Effect().reply(cmd.replyTo(), Rejection.ALREADY_CLAIMED.reply());
      }
      // A repeat (a resend after a reconnect or a timeout): answered with the seq of the join, once recorded.
      drives.awaitJoin(id, cmd.replyTo());
      drive(id, holder);
      return Effect().noReply();
    }
    Waiting waiting = state.waiting.get(id);
    if (waiting == null) {
      // Not seen here (its queue entry may have been lost with a crash): the conversation says what it is.
      ActorRef<Command> self = context.getSelf();
      peers
          .facts(siteId, id)
          .whenCompleteAsync(
              (facts, failure) -> self.tell(new FactsArrived(cmd, facts, Drives.unwrap(failure))),
              context.getExecutionContext());
      return Effect().noReply();
    }
    return decide(state, cmd, waiting);
  }

  private ReplyEffect<Event, DispatcherState> onFactsArrived(DispatcherState state, FactsArrived arrived) {
    Claim cmd = arrived.claim();
    String id = cmd.conversationId();
    if (state.agentOf(id) != null || state.waiting.containsKey(id)) {
      return onClaim(state, cmd); // learnt meanwhile
    }
    Conversation.Facts facts = arrived.facts();
    if (arrived.failure() != null) {
      context.getLog().warn("Site {}: facts of {} not known: {}", siteId, id, arrived.failure().toString());
      return Effect().reply(cmd.replyTo(), StatusReply.error(arrived.failure()));
    }
    if (facts.status() == Conversation.Status.EMPTY || !siteId.equals(facts.siteId())) {
      return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_CONVERSATION.reply());
    }
    switch (facts.status()) {
      case CLOSED:
        return Effect().reply(cmd.replyTo(), Rejection.CONVERSATION_CLOSED.reply());
      case ASSIGNED:
        // Someone joined without this dispatcher: the conversation is the truth, and the load is counted.
        AssignedTo truth = new AssignedTo(id, facts.visitorId(), facts.agentId(), clock.instant());
        return Effect()
            .persist(truth)
            .thenRun(this::afterChange)
            .thenReply(
                cmd.replyTo(),
                s ->
                    facts.agentId().equals(cmd.agentId())
                        ? StatusReply.success(new Joined(id, facts.joinedSeq()))
                        : Rejection.ALREADY_CLAIMED.reply());
      default:
        RoutingHints hints = RoutingHints.orNone(facts.hints());
        Waiting waiting =
            new Waiting(id, facts.visitorId(), facts.openedAt(), config.groupFor(hints), hints.clientKey());
        return decide(state, cmd, waiting);
    }
  }

  /** A claim of a waiting conversation: within the agent's groups and capacity, it is decided and persisted. */
  private ReplyEffect<Event, DispatcherState> decide(DispatcherState state, Claim cmd, Waiting waiting) {
    String id = cmd.conversationId();
    if (!cmd.anyGroup()
        && !OfferPolicy.memberOfAny(config, cmd.agentId(), OfferPolicy.eligibleGroups(config, waiting, clock.instant()))) {
      // The conversation waits for a skill group the agent is not in (docs/SECURITY.md, "Roles and permissions").
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ALLOWED.reply());
    }
    if (state.loadOf(cmd.agentId()) >= config.capacityOf(cmd.agentId())) {
      return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
    }
    offers.settled(id, "taken");
    drives.awaitJoin(id, cmd.replyTo());
    return Effect()
        .persist(new JoinDecided(id, waiting.visitorId(), cmd.agentId(), clock.instant()))
        .thenRun(
            s -> {
              CrashPoints.reached(CrashPoints.CLAIM_DECIDED);
              drive(id, cmd.agentId());
              afterChange(s);
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, DispatcherState> onTransfer(DispatcherState state, Transfer cmd) {
    String id = cmd.conversationId();
    if (cmd.transferId() != null) {
      TransferDone done = state.recentTransfers.get(cmd.transferId());
      if (done != null && done.conversationId().equals(id)) {
        // A resend of a transfer recorded already (its answer was lost with a connection or a node).
        return Effect().reply(cmd.replyTo(), StatusReply.success(new Handed(id, done.seq())));
      }
      TransferDecided pending = state.pendingTransfers.get(id);
      if (pending != null && pending.transferId().equals(cmd.transferId())) {
        drives.awaitTransfer(pending.transferId(), cmd.replyTo());
        drives.transfer(pending);
        return Effect().noReply();
      }
    }
    if (state.pendingTransfers.containsKey(id) || state.pendingJoins.containsKey(id)) {
      // The conversation has not recorded the last decision about it yet: this one is decided after it.
      drives.behind(cmd);
      return Effect().noReply();
    }
    Assignment held = state.assigned.get(id);
    if (held == null || (!held.agentId().equals(cmd.fromAgentId()) && !cmd.anyConversation())) {
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ASSIGNED.reply());
    }
    if (cmd.toAgentId() != null && !config.hasAgent(cmd.toAgentId())) {
      // Nobody could answer a conversation handed to an account of another site, or to a made-up id.
      loadConfig(); // a new account may be newer than the configuration held here
      return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_AGENT.reply());
    }
    String holder = held.agentId(); // the caller, or another agent when a supervisor transfers or takes over
    if (cmd.toAgentId() != null) {
      if (cmd.toAgentId().equals(holder)) {
        return Effect().reply(cmd.replyTo(), StatusReply.success(new Handed(id, 0)));
      }
      if (state.loadOf(cmd.toAgentId()) >= config.capacityOf(cmd.toAgentId())) {
        return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
      }
    } else {
      if (config.group(cmd.toGroup()).isEmpty()) {
        return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_GROUP.reply());
      }
      if (state.waiting.size() >= MAX_WAITING) {
        return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
      }
    }
    String transferId = cmd.transferId() != null ? cmd.transferId() : UUID.randomUUID().toString();
    TransferDecided decided =
        new TransferDecided(
            transferId, id, held.visitorId(), holder, cmd.toAgentId(), cmd.toGroup(), cmd.note(), clock.instant());
    offers.settled(id, "transferred");
    drives.awaitTransfer(transferId, cmd.replyTo());
    return Effect()
        .persist(decided)
        .thenRun(
            s -> {
              CrashPoints.reached(CrashPoints.TRANSFER_DECIDED);
              drives.transfer(decided);
              afterChange(s);
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, DispatcherState> onTransferSettled(DispatcherState state, TransferSettled settled) {
    String id = settled.conversationId();
    drives.transferAnswered(settled.transferId());
    TransferDecided pending = state.pendingTransfers.get(id);
    if (pending == null || !pending.transferId().equals(settled.transferId())) {
      // Superseded meanwhile (the conversation closed): the requesters hear how the conversation answered.
      drives.answerTransfer(
          settled.transferId(),
          settled.failure() != null
              ? StatusReply.error(settled.failure())
              : StatusReply.success(new Handed(id, settled.seq())));
      afterDecision(state, id);
      return Effect().noReply();
    }
    if (settled.failure() == null) {
      return Effect()
          .persist(new TransferConfirmed(settled.transferId(), id, settled.seq()))
          .thenRun(
              s -> {
                if (pending.toAgentId() != null) {
                  presence.tell(pending.toAgentId(), new HandedOver(siteId, id, pending.fromAgentId()));
                }
                drives.answerTransfer(settled.transferId(), StatusReply.success(new Handed(id, settled.seq())));
                afterDecision(s, id);
              })
          .thenNoReply();
    }
    if (settled.failure() instanceof StatusReply.ErrorMessage refusal) {
      context
          .getLog()
          .warn("Site {}: conversation {} refused transfer {}: {}", siteId, id, settled.transferId(), refusal.getMessage());
      return Effect()
          .persist(new TransferAbandoned(settled.transferId(), id, refusal.getMessage()))
          .thenRun(
              s -> {
                drives.answerTransfer(settled.transferId(), StatusReply.error(refusal.getMessage()));
                afterChange(s);
                afterDecision(s, id);
              })
          .thenNoReply();
    }
    // A timeout: the decision stays pending and the next tick asks again; the requesters wait or resend.
    context
        .getLog()
        .warn("Site {}: transfer {} of {} not recorded yet, retrying: {}",
            siteId, settled.transferId(), id, settled.failure().toString());
    return Effect().noReply();
  }

  /**
   * The last decision about a conversation settled: a join decided meanwhile may be driven now, and transfers
   * that waited behind it are decided, in the order they came.
   */
  private void afterDecision(DispatcherState state, String conversationId) {
    if (state.pendingTransfers.containsKey(conversationId)) {
      return;
    }
    Assignment join = state.pendingJoins.get(conversationId);
    if (join != null) {
      drive(conversationId, join.agentId());
      return;
    }
    drives.releaseBehind(conversationId).forEach(context.getSelf()::tell);
  }

  private ReplyEffect<Event, DispatcherState> onDecline(DispatcherState state, Decline cmd) {
    if (offers.decline(cmd.conversationId(), cmd.agentId())) {
      afterChange(state);
    }
    return Effect().noReply();
  }

  /** Has the conversation record the join of its holder, unless already asked and not answered yet. */
  private void drive(String conversationId, String agentId) {
    if (live != null && live.pendingTransfers.containsKey(conversationId)) {
      return; // the conversation records the transfer first; its confirmation drives this join (afterDecision)
    }
    drives.join(conversationId, agentId);
  }

  private ReplyEffect<Event, DispatcherState> onJoinSettled(DispatcherState state, JoinSettled settled) {
    String id = settled.conversationId();
    drives.joinAnswered(id);
    if (!settled.agentId().equals(state.agentOf(id))) {
      // Superseded meanwhile (closed, released or transferred): the claimers hear how the conversation answered.
      drives.answerClaims(
          id,
          settled.failure() != null
              ? StatusReply.error(settled.failure())
              : StatusReply.success(new Joined(id, settled.seq())));
      afterDecision(state, id);
      return Effect().noReply();
    }
    if (settled.failure() == null) {
      Joined joined = new Joined(id, settled.seq());
      if (!state.pendingJoins.containsKey(id)) {
        drives.answerClaims(id, StatusReply.success(joined));
        afterDecision(state, id);
        return Effect().noReply();
      }
      return Effect()
          .persist(new JoinConfirmed(id, settled.agentId(), settled.seq()))
          .thenRun(
              s -> {
                CrashPoints.reached(CrashPoints.JOIN_RECORDED);
                drives.answerClaims(id, StatusReply.success(joined));
                afterDecision(s, id);
              })
          .thenNoReply();
    }
    if (settled.failure() instanceof StatusReply.ErrorMessage refusal) {
      context
          .getLog()
          .info("Site {}: conversation {} refused agent {}: {}", siteId, id, settled.agentId(), refusal.getMessage());
      return Effect()
          .persist(new Released(id, clock.instant()))
          .thenRun(
              s -> {
                drives.answerClaims(id, StatusReply.error(refusal.getMessage()));
                afterChange(s);
                afterDecision(s, id);
              })
          .thenNoReply();
    }
    // A timeout: the decision stays pending and the next tick asks again; the claimers wait or resend.
    context
        .getLog()
        .warn(
            "Site {}: join of {} to {} failed, retrying: {}",
            siteId, settled.agentId(), id, settled.failure().toString());
    return Effect().noReply();
  }

  // Visitors ---------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, DispatcherState> onFollow(DispatcherState state, FollowPosition cmd) {
    String id = cmd.conversationId();
    boolean ended = !state.waiting.containsKey(id) && left(state, id);
    publisher.follow(id, cmd.follower(), ended, state);
    return Effect().noReply();
  }

  /** Whether a conversation that does not wait has left for good (assigned or closed), not yet to be queued. */
  private boolean left(DispatcherState state, String conversationId) {
    return state.assigned.containsKey(conversationId);
  }

  private Availability availability() {
    if (config.hours() != null && !config.hours().isOpen(clock.instant())) {
      return new Availability(siteId, Availability.CLOSED, config.welcomeMessage());
    }
    return new Availability(
        siteId, presence.anyoneOnline() ? Availability.OPEN : Availability.NO_AGENTS, config.welcomeMessage());
  }

  // Configuration and time -------------------------------------------------------------------------------------

  private ReplyEffect<Event, DispatcherState> onRefresh(DispatcherState state, RefreshConfig cmd) {
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
        (config, failure) -> self.tell(new ConfigLoaded(config, Drives.unwrap(failure))), context.getExecutionContext());
  }

  private ReplyEffect<Event, DispatcherState> onConfigLoaded(DispatcherState state, ConfigLoaded loaded) {
    configLoading = false;
    boolean first = !configReady;
    configReady = true;
    if (loaded.failure() != null || loaded.config() == null) {
      context
          .getLog()
          .warn(
              "Site {}: routing configuration not loaded, keeping the previous one: {}",
              siteId, String.valueOf(loaded.failure()));
      return first ? Effect().noReply().thenUnstashAll() : Effect().noReply();
    }
    config = loaded.config();
    // Offers to agents who left a group or whose group changed policy are re-decided.
    offers.withdrawAll();
    afterChange(state);
    return first ? Effect().noReply().thenUnstashAll() : Effect().noReply();
  }

  private ReplyEffect<Event, DispatcherState> onTick(DispatcherState state, Tick tick) {
    Instant now = clock.instant();
    if (!Duration.between(configLoadedAt, now).minus(CONFIG_REFRESH_INTERVAL).isNegative()) {
      loadConfig();
    }
    offers.expire(now);
    state.pendingTransfers.values().forEach(drives::transfer);
    state.pendingJoins.values().forEach(a -> drive(a.conversationId(), a.agentId()));
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

  // After every change -----------------------------------------------------------------------------------------

  /** Offers what can be offered now ({@link OfferPolicy}), then tells watchers and followers. */
  private void afterChange(DispatcherState state) {
    offers.decide(config, clock.instant(), state);
    publisher.publish(state, id -> left(state, id));
  }
}
