package dev.parley.core.visitor;

import dev.parley.core.common.Rejection;
import dev.parley.core.common.EventTags;
import dev.parley.core.common.Watchers;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
 * A visitor of one site, sharded by {@code siteId:visitorId} and event-sourced.
 *
 * <p>It is the one place that opens a visitor's conversation, so two tabs or two retries can never open two: it
 * hands out the id of the visitor's open conversation, choosing a fresh one when there is none. It also keeps what
 * agents see of the visitor: the identity the host site passed, the device, where they came from (referrer and
 * campaign) and a bounded trail of the pages they opened. Which connections are open (presence) and who watches the
 * profile stay in memory and are never written to the journal.
 */
public final class Visitor
    extends EventSourcedBehaviorWithEnforcedReplies<Visitor.Command, Visitor.Event, Visitor.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Visitor");

  /** Earlier conversations remembered, newest last; the oldest is forgotten beyond this. */
  public static final int MAX_PAST_CONVERSATIONS = 50;
  /** Open connections tracked for presence; more are still served but not counted. */
  public static final int MAX_TRACKED_SESSIONS = 32;
  /** Pages remembered in the trail, newest last. */
  public static final int MAX_PAGES = 50;
  /**
   * Conversations one visitor may open in a day; beyond, {@link Rejection#QUOTA_EXCEEDED}. A shopper rarely needs
   * more than a few; the per-address limits of the edge bound what a visitor that drops its token can do.
   */
  public static final int MAX_CONVERSATIONS_PER_DAY = 20;
  /** Agent sessions watching the profile at once; more are refused (they see it on their next renewal). */
  public static final int MAX_WATCHERS = 64;

  public static String entityId(String siteId, String visitorId) {
    return siteId + ":" + visitorId;
  }

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * The id of the visitor's open conversation, reserving a new one if there is none or if the current one is
   * {@code staleConversationId} (the caller learned it was closed).
   */
  public record EnsureConversation(
      String staleConversationId, ActorRef<StatusReply<String>> replyTo) implements Command {}

  public record GetProfile(ActorRef<Profile> replyTo) implements Command {}

  /** A conversation of this visitor was closed. Idempotent; {@code replyTo} (null: nobody) hears once durable. */
  public record NoteConversationClosed(String conversationId, ActorRef<Done> replyTo) implements Command {
    public NoteConversationClosed(String conversationId) {
      this(conversationId, null);
    }
  }

  /** A connection of this visitor opened; it is forgotten when the session stops. */
  public record Connected(ActorRef<?> session) implements Command {}

  public record Disconnected(ActorRef<?> session) implements Command {}

  private record SessionGone(ActorRef<?> session) implements Command {}

  /** The host site identified the visitor (checked by the edge where the site demands a signature). */
  public record Identify(Identity identity, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /**
   * Erase what is known about the visitor (privacy): persists {@link Erased} and replies, once durable, with the
   * journal sequence number up to which the journal's earlier events are to be rewritten ({@link #scrubbed}). Not
   * a client command: the erasure job sends it.
   */
  public record Erase(ActorRef<StatusReply<Long>> replyTo) implements Command {}

  /** The visitor opened a page. */
  public record ViewPage(PageView page) implements Command {}

  /**
   * Records a proactive invitation's life (docs/DECISIONS.md, "Proactive invitations"): sent to the visitor, then
   * once answered. Only recorded; the live invitation is the edge's. {@code event} is {@link InvitationSent} or
   * {@link InvitationAnswered}.
   */
  public record RecordInvitation(Event event) implements Command {}

  /** A connection of the visitor came from this device; stored only when it differs from the last one. */
  public record SeenOn(Device device) implements Command {}

  /** Sends the profile now and after every change, until unwatched or stopped; repeating it is harmless. */
  public record Watch(ActorRef<Profile> watcher) implements Command {}

  public record Unwatch(ActorRef<Profile> watcher) implements Command {}

  private record WatcherGone(ActorRef<?> watcher) implements Command {}

  // Replies ----------------------------------------------------------------------------------------------------

  public record Profile(
      String siteId,
      String visitorId,
      String currentConversationId,
      List<String> pastConversationIds,
      boolean online,
      Identity identity,
      Device device,
      String referrer,
      Map<String, String> utm,
      List<PageView> pages,
      /** Visits so far, this one included once it was counted. */
      int visits,
      /** When the visitor was last active (a visit's start or a page), or null: decides whether a visit is new. */
      Instant lastActiveAt)
      implements CborSerializable {}

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record ConversationStarted(String conversationId, Instant at) implements Event {}

  public record ConversationEnded(String conversationId, Instant at) implements Event {}

  public record Identified(Identity identity, Instant at) implements Event {}

  public record PageViewed(PageView page) implements Event {}

  /**
   * The visitor was invited to chat, with {@code text}: by an agent ({@code agentId}), or {@code automatic}ally by
   * the site's rule {@code ruleId} (then {@code agentId} is null). Events written before automatic invitations
   * read as {@code automatic = false}.
   */
  public record InvitationSent(
      String invitationId, String agentId, String text, Instant at, boolean automatic, String ruleId)
      implements Event {}

  /**
   * The visitor answered an invitation: {@code accepted} (then {@code conversationId} is the chat it opened),
   * {@code closed}, or {@code ignored} (no answer in time, or the visitor left).
   */
  public record InvitationAnswered(
      String invitationId, String agentId, String outcome, String conversationId, Instant at) implements Event {}

  public record DeviceSeen(Device device, Instant at) implements Event {}

  /** A new visit began: the visitor came online after {@link Visits#GAP} without activity (or for the first time). */
  public record VisitStarted(Instant at) implements Event {}

  /**
   * Everything known about the visitor was erased (privacy): identity, device, referrer, campaign and page trail.
   * The journal's earlier events are rewritten too (docs/DECISIONS.md). The conversation ids stay, so that their
   * words can be erased as well.
   */
  public record Erased(Instant at) implements Event {}

  /**
   * An event as the journal keeps it once the visitor is erased: no identity, device, addresses or titles; the
   * conversation ids and times stay.
   */
  public static Event scrubbed(Event event) {
    if (event instanceof Identified i) {
      return new Identified(null, i.at());
    } else if (event instanceof PageViewed v) {
      return new PageViewed(new PageView("", null, null, v.page().at()));
    } else if (event instanceof DeviceSeen d) {
      return new DeviceSeen(null, d.at());
    }
    return event;
  }

  // State ------------------------------------------------------------------------------------------------------

  /**
   * {@code referrer}: the last page of another site that sent the visitor here; {@code utm}: the campaign of the
   * last page address that carried one.
   */
  public record State(
      String currentConversationId,
      List<String> pastConversationIds,
      Identity identity,
      Device device,
      String referrer,
      Map<String, String> utm,
      List<PageView> pages,
      /** When the newest conversations started, at most {@link #MAX_CONVERSATIONS_PER_DAY}; null in old snapshots. */
      List<Instant> recentStarts,
      /** Visits counted so far ({@link Visits}); 0 in snapshots older than visit counting. */
      int visits,
      /** When the last visit started; null before the first (and in older snapshots). */
      Instant lastVisitAt)
      implements CborSerializable {

    public State {
      pastConversationIds = List.copyOf(pastConversationIds);
      utm = utm == null ? Map.of() : Map.copyOf(utm);
      pages = pages == null ? List.of() : List.copyOf(pages);
      recentStarts = recentStarts == null ? List.of() : List.copyOf(recentStarts);
    }

    public State(
        String currentConversationId,
        List<String> pastConversationIds,
        Identity identity,
        Device device,
        String referrer,
        Map<String, String> utm,
        List<PageView> pages) {
      this(currentConversationId, pastConversationIds, identity, device, referrer, utm, pages, List.of(), 0, null);
    }

    /** When the visitor was last seen doing something: the later of the last visit's start and the last page. */
    Instant lastActiveAt() {
      Instant page = pages.isEmpty() ? null : pages.get(pages.size() - 1).at();
      if (page == null) {
        return lastVisitAt;
      }
      return lastVisitAt == null || page.isAfter(lastVisitAt) ? page : lastVisitAt;
    }

    static State empty() {
      return new State(null, List.of(), null, null, null, Map.of(), List.of(), List.of(), 0, null);
    }

    /** Conversations started in the day before {@code now}. */
    int startedSince(Instant now) {
      Instant dayAgo = now.minus(Duration.ofDays(1));
      return (int) recentStarts.stream().filter(at -> at.isAfter(dayAgo)).count();
    }

    State apply(Event event) {
      if (event instanceof ConversationStarted s) {
        List<Instant> starts = new ArrayList<>(recentStarts);
        starts.add(s.at());
        while (starts.size() > MAX_CONVERSATIONS_PER_DAY) {
          starts.remove(0);
        }
        return new State(
            s.conversationId(), archive(currentConversationId), identity, device, referrer, utm, pages, starts, visits,
            lastVisitAt);
      } else if (event instanceof VisitStarted v) {
        return new State(
            currentConversationId, pastConversationIds, identity, device, referrer, utm, pages, recentStarts,
            visits + 1, v.at());
      } else if (event instanceof ConversationEnded e) {
        if (e.conversationId().equals(currentConversationId)) {
          return withConversations(null, archive(currentConversationId));
        }
        return this;
      } else if (event instanceof Identified i) {
        return new State(
            currentConversationId, pastConversationIds, i.identity(), device, referrer, utm, pages, recentStarts, visits, lastVisitAt);
      } else if (event instanceof DeviceSeen d) {
        return new State(
            currentConversationId, pastConversationIds, identity, d.device(), referrer, utm, pages, recentStarts, visits, lastVisitAt);
      } else if (event instanceof Erased e) {
        return new State(
            currentConversationId, pastConversationIds, null, null, null, Map.of(), List.of(), recentStarts, visits, lastVisitAt);
      } else if (event instanceof PageViewed v) {
        List<PageView> trail = new ArrayList<>(pages);
        trail.add(v.page());
        while (trail.size() > MAX_PAGES) {
          trail.remove(0);
        }
        PageView page = v.page();
        String from = Campaign.isExternal(page.referrer(), page.url()) ? page.referrer() : referrer;
        Map<String, String> campaign = Campaign.utm(page.url());
        return new State(
            currentConversationId,
            pastConversationIds,
            identity,
            device,
            from,
            campaign.isEmpty() ? utm : campaign,
            trail,
            recentStarts,
            visits,
            lastVisitAt);
      }
      return this;
    }

    private State withConversations(String current, List<String> past) {
      return new State(current, past, identity, device, referrer, utm, pages, recentStarts, visits, lastVisitAt);
    }

    private List<String> archive(String conversationId) {
      if (conversationId == null || pastConversationIds.contains(conversationId)) {
        return pastConversationIds;
      }
      List<String> past = new ArrayList<>(pastConversationIds);
      past.add(conversationId);
      while (past.size() > MAX_PAST_CONVERSATIONS) {
        past.remove(0);
      }
      return past;
    }
  }

  // Behavior ---------------------------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), Clock.systemUTC())));
  }

  public static Behavior<Command> create(String entityId, Clock clock) {
    return Behaviors.setup(ctx -> new Visitor(entityId, ctx, clock));
  }

  private final String siteId;
  private final String visitorId;
  /** The one tag of every event of this entity (EventTags). */
  private final Set<String> tags;
  private final ActorContext<Command> context;
  private final Clock clock;
  /** Open connections; owned by this actor, in memory only. */
  private final Watchers<Void, Boolean> sessions;
  /** Agent sessions watching the profile; owned by this actor, in memory only. */
  private final Watchers<Profile, Boolean> watchers;

  private Visitor(String entityId, ActorContext<Command> context, Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    int colon = entityId.indexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("visitor entity id must be siteId:visitorId");
    }
    this.siteId = entityId.substring(0, colon);
    this.tags = Set.of(EventTags.tag(ENTITY_KEY.name(), entityId));
    this.visitorId = entityId.substring(colon + 1);
    this.context = context;
    this.clock = clock;
    this.sessions = Watchers.of(context, MAX_TRACKED_SESSIONS, SessionGone::new);
    this.watchers = Watchers.of(context, MAX_WATCHERS, WatcherGone::new);
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(50, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(EnsureConversation.class, this::onEnsure)
        .onCommand(GetProfile.class, this::onGetProfile)
        .onCommand(NoteConversationClosed.class, this::onClosed)
        .onCommand(Connected.class, this::onConnected)
        .onCommand(Disconnected.class, (state, cmd) -> forget(state, cmd.session(), false))
        .onCommand(SessionGone.class, (state, cmd) -> forget(state, cmd.session(), true))
        .onCommand(Identify.class, this::onIdentify)
        .onCommand(Erase.class, this::onErase)
        .onCommand(ViewPage.class, this::onViewPage)
        .onCommand(
            RecordInvitation.class,
            (state, cmd) ->
                cmd.event() instanceof InvitationSent || cmd.event() instanceof InvitationAnswered
                    ? Effect().persist(cmd.event()).thenNoReply()
                    : Effect().noReply())
        .onCommand(SeenOn.class, this::onSeenOn)
        .onCommand(Watch.class, this::onWatch)
        .onCommand(Unwatch.class, (state, cmd) -> unwatch(cmd.watcher()))
        .onCommand(WatcherGone.class, (state, cmd) -> {
          watchers.stopped(cmd.watcher());
          return Effect().noReply();
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  private ReplyEffect<Event, State> onEnsure(State state, EnsureConversation cmd) {
    String current = state.currentConversationId();
    if (current != null && !current.equals(cmd.staleConversationId())) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(current));
    }
    Instant now = clock.instant();
    if (state.startedSince(now) >= MAX_CONVERSATIONS_PER_DAY) {
      return Effect().reply(cmd.replyTo(), Rejection.QUOTA_EXCEEDED.reply());
    }
    List<Event> events = new ArrayList<>(2);
    if (current != null) {
      events.add(new ConversationEnded(current, now));
    }
    String fresh = UUID.randomUUID().toString();
    events.add(new ConversationStarted(fresh, now));
    return Effect().persist(events).thenReply(cmd.replyTo(), s -> StatusReply.success(fresh));
  }

  private ReplyEffect<Event, State> onErase(State state, Erase cmd) {
    return Effect()
        .persist(new Erased(clock.instant()))
        .thenRun(this::notifyWatchers)
        .thenReply(
            cmd.replyTo(),
            s -> StatusReply.success(
                lastSequenceNumber(context)));
  }

  private ReplyEffect<Event, State> onGetProfile(State state, GetProfile cmd) {
    return Effect().reply(cmd.replyTo(), profile(state));
  }

  private Profile profile(State state) {
    return new Profile(
        siteId,
        visitorId,
        state.currentConversationId(),
        state.pastConversationIds(),
        !sessions.isEmpty(),
        state.identity(),
        state.device(),
        state.referrer(),
        state.utm(),
        state.pages(),
        state.visits(),
        state.lastActiveAt());
  }

  private void notifyWatchers(State state) {
    if (!watchers.isEmpty()) {
      Profile profile = profile(state);
      watchers.tellAll(profile);
    }
  }

  private ReplyEffect<Event, State> onIdentify(State state, Identify cmd) {
    if (cmd.identity().equals(state.identity())) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect()
        .persist(new Identified(cmd.identity(), clock.instant()))
        .thenRun(this::notifyWatchers)
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onViewPage(State state, ViewPage cmd) {
    return Effect().persist(new PageViewed(cmd.page())).thenRun(this::notifyWatchers).thenNoReply();
  }

  private ReplyEffect<Event, State> onSeenOn(State state, SeenOn cmd) {
    if (cmd.device().equals(state.device())) {
      return Effect().noReply();
    }
    return Effect()
        .persist(new DeviceSeen(cmd.device(), clock.instant()))
        .thenRun(this::notifyWatchers)
        .thenNoReply();
  }

  /**
   * A watcher gets the profile when it starts watching; a repeated watch (sessions renew theirs periodically, to
   * come back after this entity restarted) sends nothing, since every change is sent anyway.
   */
  private ReplyEffect<Event, State> onWatch(State state, Watch cmd) {
    if (watchers.contains(cmd.watcher())) {
      return Effect().noReply();
    }
    watchers.add(cmd.watcher(), true); // when full, refused: it sees the profile on its next renewal
    cmd.watcher().tell(profile(state));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> unwatch(ActorRef<Profile> watcher) {
    watchers.remove(watcher);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onClosed(State state, NoteConversationClosed cmd) {
    if (!cmd.conversationId().equals(state.currentConversationId())) {
      if (cmd.replyTo() != null) {
        cmd.replyTo().tell(Done.getInstance());
      }
      return Effect().noReply();
    }
    return Effect()
        .persist(new ConversationEnded(cmd.conversationId(), clock.instant()))
        .thenRun(
            s -> {
              if (cmd.replyTo() != null) {
                cmd.replyTo().tell(Done.getInstance());
              }
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onConnected(State state, Connected cmd) {
    boolean cameOnline = sessions.isEmpty();
    if (sessions.add(opaque(cmd.session()), true) && cameOnline) {
      Instant now = clock.instant();
      if (Visits.isNewVisit(state.lastActiveAt(), now)) {
        return Effect().persist(new VisitStarted(now)).thenRun(this::notifyWatchers).thenNoReply();
      }
      notifyWatchers(state);
    }
    return Effect().noReply();
  }

  /** A session closed ({@code stopped}: it is gone) — when it was the last, the visitor went offline. */
  private ReplyEffect<Event, State> forget(State state, ActorRef<?> session, boolean stopped) {
    if (!sessions.contains(session)) {
      return Effect().noReply();
    }
    if (stopped) {
      sessions.stopped(session);
    } else {
      sessions.remove(opaque(session));
    }
    if (sessions.isEmpty()) {
      notifyWatchers(state);
    }
    return Effect().noReply();
  }

  /** Sessions are only counted and watched here, never told anything: their message type does not matter. */
  @SuppressWarnings("unchecked")
  private static ActorRef<Void> opaque(ActorRef<?> session) {
    return (ActorRef<Void>) session;
  }
}
