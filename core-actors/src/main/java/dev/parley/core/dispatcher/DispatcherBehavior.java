package dev.parley.core.dispatcher;

import static dev.parley.core.dispatcher.Dispatcher.AUTO_CLOSE_CHECK_INTERVAL;
import static dev.parley.core.dispatcher.Dispatcher.CONFIG_REFRESH_INTERVAL;
import static dev.parley.core.dispatcher.Dispatcher.ENTITY_KEY;
import static dev.parley.core.dispatcher.Dispatcher.MAX_REMEMBERED_CLOSED;
import static dev.parley.core.dispatcher.Dispatcher.MAX_WAITING;

import dev.parley.core.common.EventTags;
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
import dev.parley.core.dispatcher.Dispatcher.QueueNotice;
import dev.parley.core.dispatcher.Dispatcher.QueueSnapshot;
import dev.parley.core.dispatcher.Dispatcher.Queued;
import dev.parley.core.dispatcher.Dispatcher.RefGone;
import dev.parley.core.dispatcher.Dispatcher.RefreshConfig;
import dev.parley.core.dispatcher.Dispatcher.Released;
import dev.parley.core.dispatcher.Dispatcher.Remove;
import dev.parley.core.dispatcher.Dispatcher.Tick;
import dev.parley.core.dispatcher.Dispatcher.Transfer;
import dev.parley.core.dispatcher.Dispatcher.TransferSettled;
import dev.parley.core.dispatcher.Dispatcher.Unwatch;
import dev.parley.core.dispatcher.Dispatcher.Waiting;
import dev.parley.core.dispatcher.Dispatcher.Watch;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.routing.SiteRouting;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The actor of a site's {@link Dispatcher}: it holds the persisted queue and assignments ({@link DispatcherState}),
 * persists decisions and talks; who is present ({@link AgentPresence}), the offers in flight ({@link OfferBook}),
 * who watches the queue ({@link QueuePublisher}) and the configuration are memory only. Who is offered what is
 * {@link OfferPolicy}'s decision, a plain function.
 */
final class DispatcherBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, DispatcherState> {

  static Behavior<Command> create(
      String siteId, RoutingConfig config, DispatcherPeers peers, Clock clock, Duration tickInterval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Tick(), tickInterval);
                  return new DispatcherBehavior(siteId, ctx, config, peers, clock);
                }));
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
  /** Joins that failed with a timeout, retried at each tick: conversation id to agent id. */
  private final Map<String, String> joinsToRetry = new HashMap<>();
  private final LinkedHashSet<String> recentlyClosed = new LinkedHashSet<>();

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
        .build();
  }

  // Queue ------------------------------------------------------------------------------------------------------

  private ReplyEffect<Event, DispatcherState> onEnqueue(DispatcherState state, Enqueue cmd) {
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

  private ReplyEffect<Event, DispatcherState> onRemove(DispatcherState state, Remove cmd) {
    String id = cmd.conversationId();
    rememberClosed(id);
    offers.settled(id, "withdrawn");
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

  private ReplyEffect<Event, DispatcherState> onNoteAssigned(DispatcherState state, NoteAssigned cmd) {
    String id = cmd.conversationId();
    if (cmd.agentId().equals(state.agentOf(id)) || recentlyClosed.contains(id)) {
      return Effect().noReply();
    }
    // Only a client that bypassed the dispatcher gets here; the conversation is the truth.
    context.getLog().warn("Site {}: conversation {} joined by {} without the dispatcher", siteId, id, cmd.agentId());
    offers.settled(id, "taken");
    return Effect()
        .persist(new AssignedTo(id, cmd.visitorId(), cmd.agentId(), clock.instant()))
        .thenRun(this::afterChange)
        .thenNoReply();
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
      return holder.equals(cmd.agentId())
          ? Effect().reply(cmd.replyTo(), StatusReply.ack())
          : Effect().reply(cmd.replyTo(), Rejection.ALREADY_CLAIMED.reply());
    }
    if (recentlyClosed.contains(id)) {
      return Effect().reply(cmd.replyTo(), Rejection.CONVERSATION_CLOSED.reply());
    }
    Waiting waiting = state.waiting.get(id);
    if (waiting != null
        && !cmd.anyGroup()
        && !OfferPolicy.memberOfAny(config, cmd.agentId(), OfferPolicy.eligibleGroups(config, waiting, clock.instant()))) {
      // The conversation waits for a skill group the agent is not in (docs/SECURITY.md, "Roles and permissions").
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ALLOWED.reply());
    }
    if (state.loadOf(cmd.agentId()) >= config.capacityOf(cmd.agentId())) {
      return Effect().reply(cmd.replyTo(), Rejection.AT_CAPACITY.reply());
    }
    offers.settled(id, "taken");
    String visitorId = waiting != null ? waiting.visitorId() : cmd.visitorId();
    return Effect()
        .persist(new AssignedTo(id, visitorId, cmd.agentId(), clock.instant()))
        .thenRun(
            s -> {
              startJoin(id, cmd.agentId());
              afterChange(s);
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, DispatcherState> onTransfer(DispatcherState state, Transfer cmd) {
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
              if (cmd.toAgentId() != null) {
                presence.tell(cmd.toAgentId(), new HandedOver(siteId, id, holder));
              }
              afterChange(s);
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, DispatcherState> onTransferSettled(DispatcherState state, TransferSettled settled) {
    if (settled.failure() != null) {
      // The conversation refused (it closed meanwhile: its Remove frees the agent) or did not answer.
      context
          .getLog()
          .warn(
              "Site {}: transfer of {} not recorded by the conversation: {}",
              siteId, settled.conversationId(), settled.failure().toString());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, DispatcherState> onDecline(DispatcherState state, Decline cmd) {
    if (offers.decline(cmd.conversationId(), cmd.agentId())) {
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

  private ReplyEffect<Event, DispatcherState> onJoinSettled(DispatcherState state, JoinSettled settled) {
    String id = settled.conversationId();
    if (settled.failure() == null || !settled.agentId().equals(state.agentOf(id))) {
      joinsToRetry.remove(id);
      return Effect().noReply();
    }
    if (settled.failure() instanceof StatusReply.ErrorMessage refusal) {
      context
          .getLog()
          .info("Site {}: conversation {} refused agent {}: {}", siteId, id, settled.agentId(), refusal.getMessage());
      joinsToRetry.remove(id);
      return Effect().persist(new Released(id, clock.instant())).thenRun(this::afterChange).thenNoReply();
    }
    context
        .getLog()
        .warn(
            "Site {}: join of {} to {} failed, retrying: {}",
            siteId, settled.agentId(), id, settled.failure().toString());
    joinsToRetry.put(id, settled.agentId());
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
    return state.assigned.containsKey(conversationId) || recentlyClosed.contains(conversationId);
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
        (config, failure) -> self.tell(new ConfigLoaded(config, unwrap(failure))), context.getExecutionContext());
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
    new HashMap<>(joinsToRetry)
        .forEach(
            (id, agentId) -> {
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

  // After every change -----------------------------------------------------------------------------------------

  /** Offers what can be offered now ({@link OfferPolicy}), then tells watchers and followers. */
  private void afterChange(DispatcherState state) {
    offers.decide(config, clock.instant(), state);
    publisher.publish(state, id -> left(state, id));
  }

  private void rememberClosed(String conversationId) {
    recentlyClosed.add(conversationId);
    if (recentlyClosed.size() > MAX_REMEMBERED_CLOSED) {
      recentlyClosed.remove(recentlyClosed.iterator().next());
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
