package dev.parley.core.visitor;

import static dev.parley.core.visitor.Visitor.MAX_CONVERSATIONS_PER_DAY;
import static dev.parley.core.visitor.Visitor.MAX_TRACKED_SESSIONS;
import static dev.parley.core.visitor.Visitor.MAX_WATCHERS;

import dev.parley.core.common.Rejection;
import dev.parley.core.common.EventTags;
import dev.parley.core.common.Watchers;
import dev.parley.core.conversation.Conversation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import dev.parley.core.visitor.Visitor.*;

/**
 * The actor of a {@link Visitor}: opens the visitor's conversations (and decides where a message without a live
 * one goes), keeps the profile agents see, and in memory only who is connected and who watches the profile.
 */
final class VisitorBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

  private static final EntityTypeKey<Command> ENTITY_KEY = Visitor.ENTITY_KEY;

  private final String siteId;
  private final String visitorId;
  /** The one tag of every event of this entity (EventTags). */
  private final Set<String> tags;
  private final ActorContext<Command> context;
  private final Clock clock;
  private final Conversations conversations;
  /** Open connections; owned by this actor, in memory only. */
  private final Watchers<Void, Boolean> sessions;
  /** Agent sessions watching the profile; owned by this actor, in memory only. */
  private final Watchers<Profile, Boolean> watchers;

  VisitorBehavior(String entityId, ActorContext<Command> context, Clock clock, Conversations conversations) {
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
    this.conversations = conversations;
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
        .onCommand(Send.class, this::onSend)
        .onCommand(PostAnswered.class, this::onPostAnswered)
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
    List<Event> opening = opening(current);
    if (state.startedSince(clock.instant()) >= MAX_CONVERSATIONS_PER_DAY) {
      return Effect().reply(cmd.replyTo(), Rejection.QUOTA_EXCEEDED.reply());
    }
    String fresh = ((ConversationStarted) opening.get(opening.size() - 1)).conversationId();
    return Effect().persist(opening).thenReply(cmd.replyTo(), s -> StatusReply.success(fresh));
  }

  private ReplyEffect<Event, State> onSend(State state, Send cmd) {
    String current = state.currentConversationId();
    if (current != null && !current.equals(cmd.staleConversationId())) {
      postTo(cmd, current, false);
      return Effect().noReply();
    }
    List<Event> opening = opening(current);
    if (state.startedSince(clock.instant()) >= MAX_CONVERSATIONS_PER_DAY) {
      return Effect().reply(cmd.replyTo(), Rejection.QUOTA_EXCEEDED.reply());
    }
    String fresh = ((ConversationStarted) opening.get(opening.size() - 1)).conversationId();
    return Effect().persist(opening).thenRun(s -> postTo(cmd, fresh, true)).thenNoReply();
  }

  /** The events that end {@code current} (when there is one) and start a conversation under a fresh id, last. */
  private List<Event> opening(String current) {
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>(2);
    if (current != null) {
      events.add(new ConversationEnded(current, now));
    }
    events.add(new ConversationStarted(UUID.randomUUID().toString(), now));
    return events;
  }

  /** Posts a {@link Send} to one of this visitor's conversations (its own: the post may open it). */
  private void postTo(Send cmd, String conversationId, boolean fresh) {
    context.pipeToSelf(
        conversations.post(
            conversationId,
            replyTo ->
                new Conversation.PostMessage(
                    cmd.caller(), cmd.clientMessageId(), cmd.text(), true, replyTo, cmd.hints())),
        (reply, failure) -> new PostAnswered(cmd, conversationId, fresh, reply, failure));
  }

  private ReplyEffect<Event, State> onPostAnswered(State state, PostAnswered answered) {
    Send cmd = answered.send();
    StatusReply<Conversation.Posted> reply = answered.reply();
    if (answered.failure() != null) {
      return Effect().reply(cmd.replyTo(), StatusReply.error(answered.failure()));
    }
    if (reply.isError()) {
      if (!answered.fresh() && Rejection.CONVERSATION_CLOSED.code().equals(reply.getError().getMessage())) {
        // Closed before this visitor heard (the routing feed tells it a moment later): a new conversation.
        return onSend(
            state,
            new Send(cmd.caller(), cmd.clientMessageId(), cmd.text(), cmd.hints(), answered.conversationId(), cmd.replyTo()));
      }
      return Effect().reply(cmd.replyTo(), StatusReply.error(reply.getError().getMessage()));
    }
    return Effect().reply(cmd.replyTo(), StatusReply.success(new Sent(answered.conversationId(), reply.getValue())));
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
