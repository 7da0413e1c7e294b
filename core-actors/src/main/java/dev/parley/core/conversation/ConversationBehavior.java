// Over 600 lines on purpose, like DispatcherBehavior: the command handlers of one event-sourced actor, split by
// state (empty, open, closed, any), each building its effect with Effect(), which only the behaviour can call.
// What needs no Effect() lives apart: Conversation (the protocol), ConversationState (one method per event),
// Access (who may do what), Entry. Find a behaviour by its command in commandHandler().
package dev.parley.core.conversation;

import static dev.parley.core.conversation.Conversation.ENTITY_KEY;
import static dev.parley.core.conversation.Conversation.MAX_SUBSCRIBERS;
import static dev.parley.core.conversation.Conversation.MAX_VISITOR_CHARS;
import static dev.parley.core.conversation.Conversation.MAX_VISITOR_MESSAGES;
import static dev.parley.core.conversation.Conversation.SNAPSHOT_EVERY_EVENTS;

import dev.parley.core.access.Permission;
import dev.parley.core.common.Caller;
import dev.parley.core.common.CrashPoints;
import dev.parley.core.feed.RoutingFeed;
import dev.parley.core.common.EventTags;
import dev.parley.core.common.Limits;
import dev.parley.core.common.Participant;
import dev.parley.core.common.Rejection;
import dev.parley.core.common.Watchers;
import dev.parley.core.conversation.Conversation.AddLabel;
import dev.parley.core.conversation.Conversation.AddNote;
import dev.parley.core.conversation.Conversation.AgentJoined;
import dev.parley.core.conversation.Conversation.Appended;
import dev.parley.core.conversation.Conversation.Asked;
import dev.parley.core.conversation.Conversation.Claim;
import dev.parley.core.conversation.Conversation.Claimed;
import dev.parley.core.conversation.Conversation.Close;
import dev.parley.core.conversation.Conversation.CloseIfIdle;
import dev.parley.core.conversation.Conversation.Closed;
import dev.parley.core.conversation.Conversation.Command;
import dev.parley.core.conversation.Conversation.ContentErased;
import dev.parley.core.conversation.Conversation.EraseContent;
import dev.parley.core.conversation.Conversation.Ended;
import dev.parley.core.conversation.Conversation.Event;
import dev.parley.core.conversation.Conversation.GetFacts;
import dev.parley.core.conversation.Conversation.GetSummary;
import dev.parley.core.conversation.Conversation.MarkRead;
import dev.parley.core.conversation.Conversation.MessagePosted;
import dev.parley.core.conversation.Conversation.Note;
import dev.parley.core.conversation.Conversation.NoteAppended;
import dev.parley.core.conversation.Conversation.NoteWritten;
import dev.parley.core.conversation.Conversation.Notification;
import dev.parley.core.conversation.Conversation.Opened;
import dev.parley.core.conversation.Conversation.PostMessage;
import dev.parley.core.conversation.Conversation.Posted;
import dev.parley.core.conversation.Conversation.LabelAdded;
import dev.parley.core.conversation.Conversation.LabelRemoved;
import dev.parley.core.conversation.Conversation.Labelled;
import dev.parley.core.conversation.Conversation.Rate;
import dev.parley.core.conversation.Conversation.Rated;
import dev.parley.core.conversation.Conversation.ReadMarked;
import dev.parley.core.conversation.Conversation.ReadUpTo;
import dev.parley.core.conversation.Conversation.RemoveLabel;
import dev.parley.core.conversation.Conversation.SetTyping;
import dev.parley.core.conversation.Conversation.Snapshot;
import dev.parley.core.conversation.Conversation.Status;
import dev.parley.core.conversation.Conversation.Subscribe;
import dev.parley.core.conversation.Conversation.Subscribed;
import dev.parley.core.conversation.Conversation.SubscriberGone;
import dev.parley.core.conversation.Conversation.Transfer;
import dev.parley.core.conversation.Conversation.TransferRecorded;
import dev.parley.core.conversation.Conversation.Transferred;
import dev.parley.core.conversation.Conversation.TypingChanged;
import dev.parley.core.conversation.Conversation.Unsubscribe;
import dev.parley.core.routing.RoutingHints;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The actor of a {@link Conversation}: command handlers by state (empty, open, closed, then those of any state),
 * access checked once per command ({@link #siteChecked}, {@link #readChecked}, rules in {@link Access}), one event
 * handler per event ({@link ConversationState}).
 *
 * <p>Why over ~600 lines: a tenth is imports of the protocol's records, and the rest is one short handler per
 * command and state; splitting the handlers of one actor across files would hide which state answers what.
 */
final class ConversationBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, ConversationState> {

  static Behavior<Command> create(String conversationId, Conversation.QueueHint hint, Clock clock) {
    return Behaviors.setup(ctx -> new ConversationBehavior(conversationId, ctx, hint, clock));
  }

  private final String conversationId;
  private final ActorContext<Command> context;
  /** The tag of every event of this entity, and the two of those the routing feed acts on (EventTags). */
  private final Set<String> tags;
  private final Set<String> routedTags;
  private final Conversation.QueueHint queueHint;
  private final Clock clock;
  /** The visitor's quota in this conversation: {@code parley.core.conversation.*} (defaults: MAX_VISITOR_*). */
  private final int maxVisitorMessages;
  private final long maxVisitorChars;
  /** Live subscribers and who they are. Owned by this actor; lost on restart by design (see Conversation). */
  private final Watchers<Notification, Caller> subscribers;

  private ConversationBehavior(
      String conversationId, ActorContext<Command> context, Conversation.QueueHint queueHint, Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), conversationId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.conversationId = conversationId;
    this.tags = Set.of(EventTags.tag(ENTITY_KEY.name(), conversationId));
    this.routedTags = Set.of(EventTags.tag(ENTITY_KEY.name(), conversationId), EventTags.tag(EventTags.ROUTING, conversationId));
    this.context = context;
    this.queueHint = queueHint;
    this.clock = clock;
    this.subscribers = Watchers.of(context, MAX_SUBSCRIBERS, SubscriberGone::new);
    com.typesafe.config.Config config = context.getSystem().settings().config();
    this.maxVisitorMessages =
        config.hasPath(QUOTA + "max-visitor-messages") ? config.getInt(QUOTA + "max-visitor-messages") : MAX_VISITOR_MESSAGES;
    this.maxVisitorChars =
        config.hasPath(QUOTA + "max-visitor-chars") ? config.getLong(QUOTA + "max-visitor-chars") : MAX_VISITOR_CHARS;
  }

  private static final String QUOTA = "parley.core.conversation.";

  @Override
  public ConversationState emptyState() {
    return new ConversationState();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return RoutingFeed.concerns(event) ? routedTags : tags; // as Conversation.tagsOf, without a set per event
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY_EVENTS, 2);
  }

  @Override
  public SnapshotAdapter<ConversationState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(ConversationState state) {
        return state.toSnapshot();
      }

      @Override
      public ConversationState fromJournal(Object from) {
        return ConversationState.fromSnapshot((Snapshot) from);
      }
    };
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public CommandHandlerWithReply<Command, Event, ConversationState> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder
        .forState(s -> s.status == Status.EMPTY)
        .onCommand(PostMessage.class, this::onOpen)
        .onCommand(EraseContent.class, this::onEraseNothing);
    builder
        .forState(s -> s.status == Status.WAITING || s.status == Status.ASSIGNED)
        .onCommand(PostMessage.class, siteChecked(this::onPost))
        .onCommand(Claim.class, siteChecked(this::onClaim))
        .onCommand(Close.class, readChecked(this::onClose))
        .onCommand(Transfer.class, siteChecked(this::onTransfer))
        .onCommand(SetTyping.class, this::onTyping)
        .onCommand(CloseIfIdle.class, this::onCloseIfIdle)
        .onCommand(EraseContent.class, this::onEraseOpen);
    builder
        .forState(s -> s.status == Status.CLOSED)
        .onCommand(PostMessage.class, siteChecked(this::onPostClosed))
        .onCommand(Claim.class, siteChecked(this::onClaimClosed))
        .onCommand(Close.class, readChecked(this::onCloseAgain))
        .onCommand(Transfer.class, siteChecked(this::onTransferClosed))
        .onCommand(EraseContent.class, this::onEraseClosed);
    builder
        .forAnyState()
        .onCommand(Subscribe.class, readChecked(this::onSubscribe))
        .onCommand(MarkRead.class, readChecked(this::onMarkRead))
        .onCommand(AddNote.class, readChecked(this::onAddNote))
        .onCommand(Rate.class, readChecked(this::onRate))
        .onCommand(AddLabel.class, readChecked((s, c) -> onLabel(s, c, c.label(), true)))
        .onCommand(RemoveLabel.class, readChecked((s, c) -> onLabel(s, c, c.label(), false)))
        .onCommand(GetSummary.class, siteChecked(this::onGetSummary))
        .onCommand(GetFacts.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.facts(conversationId)))
        .onCommand(Unsubscribe.class, this::onUnsubscribe)
        .onCommand(SubscriberGone.class, this::onSubscriberGone)
        // Typing and idle checks mean nothing to an empty or closed conversation.
        .onCommand(SetTyping.class, (state, cmd) -> Effect().noReply())
        .onCommand(CloseIfIdle.class, (state, cmd) -> Effect().noReply())
        // Whatever else a caller asks of an empty conversation: it does not exist.
        .onCommand(Asked.class, (state, cmd) -> reject((Asked) cmd, Rejection.UNKNOWN_CONVERSATION));
    return builder.build();
  }

  @Override
  public EventHandler<ConversationState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Opened.class, ConversationState::opened)
        .onEvent(MessagePosted.class, ConversationState::messagePosted)
        .onEvent(AgentJoined.class, ConversationState::agentJoined)
        .onEvent(ReadUpTo.class, ConversationState::readUpTo)
        .onEvent(Closed.class, ConversationState::closed)
        .onEvent(Transferred.class, ConversationState::transferred)
        .onEvent(NoteWritten.class, ConversationState::noteWritten)
        .onEvent(Rated.class, ConversationState::rated)
        .onEvent(ContentErased.class, ConversationState::contentErased)
        .onEvent(LabelAdded.class, ConversationState::labelAdded)
        .onEvent(LabelRemoved.class, ConversationState::labelRemoved)
        .build();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Access, once per command

  /** Runs {@code handler} if the caller may know of the conversation ({@link Access#site}); else refuses. */
  private <R, C extends Asked<R>> BiFunction<ConversationState, C, ReplyEffect<Event, ConversationState>> siteChecked(
      BiFunction<ConversationState, C, ReplyEffect<Event, ConversationState>> handler) {
    return (state, cmd) -> {
      Optional<Rejection> denied = Access.site(state, cmd.caller());
      return denied.isPresent() ? reject(cmd, denied.get()) : handler.apply(state, cmd);
    };
  }

  /** Runs {@code handler} if the caller may see the conversation ({@link Access#read}); else refuses. */
  private <R, C extends Asked<R>> BiFunction<ConversationState, C, ReplyEffect<Event, ConversationState>> readChecked(
      BiFunction<ConversationState, C, ReplyEffect<Event, ConversationState>> handler) {
    return (state, cmd) -> {
      Optional<Rejection> denied = Access.read(state, cmd.caller());
      return denied.isPresent() ? reject(cmd, denied.get()) : handler.apply(state, cmd);
    };
  }

  private <R> ReplyEffect<Event, ConversationState> reject(Asked<R> cmd, Rejection rejection) {
    return Effect().reply(cmd.replyTo(), rejection.<R>reply());
  }

  // ---------------------------------------------------------------------------------------------------------
  // Empty: only the visitor's first message, under the id its Visitor reserved, opens it

  private ReplyEffect<Event, ConversationState> onOpen(ConversationState state, PostMessage cmd) {
    Caller caller = cmd.caller();
    if (!cmd.opens() || !caller.isVisitor() || caller.siteIds().size() != 1) {
      return reject(cmd, Rejection.UNKNOWN_CONVERSATION);
    }
    Optional<Rejection> invalid = MessageRules.check(cmd.clientMessageId(), cmd.text());
    if (invalid.isPresent()) {
      return reject(cmd, invalid.get());
    }
    Instant now = clock.instant();
    String siteId = caller.siteIds().iterator().next();
    if (cmd.attachment() != null && !siteId.equals(cmd.attachment().siteId())) {
      return reject(cmd, Rejection.NOT_ALLOWED);
    }
    Opened opened = new Opened(siteId, caller.id(), now, RoutingHints.orNone(cmd.hints()));
    List<Event> events =
        List.of(
            opened,
            new MessagePosted(1, caller.participant(), cmd.clientMessageId(), cmd.text(), now, cmd.attachment()));
    return Effect()
        .persist(events)
        .thenRun(s -> queueHint.opened(conversationId, opened))
        .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(posted(s.lastSeq, false, now)));
  }

  private ReplyEffect<Event, ConversationState> onEraseNothing(ConversationState state, EraseContent cmd) {
    return Effect().reply(cmd.replyTo(), StatusReply.success(lastSequenceNumber(context)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Open: waiting or assigned

  private ReplyEffect<Event, ConversationState> onPost(ConversationState state, PostMessage cmd) {
    Optional<ReplyEffect<Event, ConversationState>> answered = repeatOrInvalid(state, cmd);
    if (answered.isPresent()) {
      return answered.get();
    }
    Caller caller = cmd.caller();
    if (caller.isAgent() && !caller.id().equals(state.agentId)) {
      return reject(cmd, Rejection.NOT_ASSIGNED);
    }
    if (cmd.attachment() != null && !cmd.attachment().siteId().equals(state.siteId)) {
      return reject(cmd, Rejection.NOT_ALLOWED); // a file of another site: tenants never mix
    }
    if (caller.isVisitor()
        && (state.visitorMessages >= maxVisitorMessages
            || state.visitorChars + cmd.text().length() > maxVisitorChars)) {
      return reject(cmd, Rejection.QUOTA_EXCEEDED);
    }
    Instant now = clock.instant();
    MessagePosted event =
        new MessagePosted(
            state.lastSeq + 1, caller.participant(), cmd.clientMessageId(), cmd.text(), now, cmd.attachment());
    return Effect()
        .persist(event)
        .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(posted(event.seq(), false, now)));
  }

  /**
   * What a post to an existing conversation is answered with before anything is decided: a bad client message
   * id, an idempotent repeat (the original seq, nothing persisted, nobody notified again), or a bad text.
   */
  private Optional<ReplyEffect<Event, ConversationState>> repeatOrInvalid(ConversationState state, PostMessage cmd) {
    Optional<Rejection> invalid = MessageRules.check(cmd.clientMessageId(), cmd.text());
    if (invalid.isPresent() && invalid.get() == Rejection.INVALID_MESSAGE_ID) {
      return Optional.of(reject(cmd, invalid.get()));
    }
    Optional<Long> earlier = state.seqOf(cmd.caller().participant(), cmd.clientMessageId());
    if (earlier.isPresent()) {
      return Optional.of(Effect().reply(cmd.replyTo(), StatusReply.success(posted(earlier.get(), true, null))));
    }
    return invalid.map(rejection -> reject(cmd, rejection));
  }

  private ReplyEffect<Event, ConversationState> onClaim(ConversationState state, Claim cmd) {
    Caller caller = cmd.caller();
    if (!caller.isAgent()) {
      return reject(cmd, Rejection.UNKNOWN_CONVERSATION);
    }
    if (state.status == Status.ASSIGNED) {
      if (caller.id().equals(state.agentId)) {
        // A repeated claim (a resend after a reconnect) answers with the seq of the join it repeats.
        return Effect().reply(cmd.replyTo(), StatusReply.success(new Claimed(conversationId, state.joinedSeq)));
      }
      return reject(cmd, Rejection.ALREADY_CLAIMED);
    }
    AgentJoined event = new AgentJoined(state.lastSeq + 1, caller.id(), clock.instant());
    return Effect()
        .persist(event)
        .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new Claimed(conversationId, event.seq())));
  }

  private ReplyEffect<Event, ConversationState> onClose(ConversationState state, Close cmd) {
    if (!mayClose(state, cmd.caller())) {
      return reject(cmd, Rejection.NOT_ALLOWED);
    }
    Closed event = new Closed(state.lastSeq + 1, cmd.caller().participant(), clock.instant());
    return persistClose(event)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new Ended(conversationId, event.seq())));
  }

  /** An agent closes their own conversations; closing others' is for supervisors and up. */
  private static boolean mayClose(ConversationState state, Caller caller) {
    return !caller.isAgent()
        || caller.id().equals(state.agentId)
        || caller.may(state.siteId, Permission.CLOSE_ANY_CONVERSATION);
  }

  /**
   * Persists a close, then tells the subscribers. What the close means to the queue, the agent and the visitor
   * is the routing feed's (dev.parley.core.feed.RoutingFeed), read from the journal.
   */
  private EffectBuilder<Event, ConversationState> persistClose(Closed event) {
    return Effect()
        .persist(event)
        .thenRun(
            s -> {
              CrashPoints.reached(CrashPoints.CLOSE_RECORDED);
              queueHint.closed(conversationId, s.siteId);
              broadcast(new Appended(conversationId, s.tail.peekLast()));
            });
  }

  private ReplyEffect<Event, ConversationState> onTransfer(ConversationState state, Transfer cmd) {
    Caller caller = cmd.caller();
    if (!caller.isAgent()) {
      return reject(cmd, Rejection.NOT_ASSIGNED);
    }
    Long recorded = state.transferSeq(cmd.transferId());
    if (recorded != null) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(new TransferRecorded(conversationId, recorded)));
    }
    if (cmd.toAgentId() != null && cmd.toAgentId().equals(state.agentId)) {
      // The target holds it already (a take-over by the holder, or a repeat without an id): nothing to record.
      return Effect().reply(cmd.replyTo(), StatusReply.success(new TransferRecorded(conversationId, 0)));
    }
    if (!caller.id().equals(state.agentId)) {
      return reject(cmd, Rejection.NOT_ASSIGNED);
    }
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>(3);
    long transferSeq = state.lastSeq + 1;
    events.add(new Transferred(transferSeq, caller.id(), cmd.toAgentId(), cmd.toGroup(), now, cmd.transferId()));
    if (cmd.toAgentId() != null) {
      events.add(new AgentJoined(state.lastSeq + 2, cmd.toAgentId(), now));
    }
    if (cmd.note() != null && !cmd.note().isBlank()) {
      events.add(
          new NoteWritten(state.lastNoteSeq + 1, caller.id(), "transfer-" + (state.lastSeq + 1), cmd.note(), now));
    }
    long firstSeq = state.lastSeq + 1;
    long notesBefore = state.lastNoteSeq;
    return Effect()
        .persist(events)
        .thenRun(
            s -> {
              CrashPoints.reached(CrashPoints.TRANSFER_RECORDED);
              s.tail.stream()
                  .filter(e -> e.seq() >= firstSeq)
                  .forEach(e -> broadcast(new Appended(conversationId, e)));
              s.notes.stream().filter(n -> n.noteSeq() > notesBefore).forEach(this::broadcastNote);
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new TransferRecorded(conversationId, transferSeq)));
  }

  private ReplyEffect<Event, ConversationState> onTyping(ConversationState state, SetTyping cmd) {
    if (Access.read(state, cmd.caller()).isEmpty()) {
      Participant who = cmd.caller().participant();
      TypingChanged note = new TypingChanged(conversationId, who, cmd.typing());
      subscribers.forEach(
          (subscriber, subscriberCaller) -> {
            if (!subscriberCaller.participant().equals(who)) {
              subscriber.tell(note);
            }
          });
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, ConversationState> onCloseIfIdle(ConversationState state, CloseIfIdle cmd) {
    if (state.status != Status.ASSIGNED || state.lastVisitorAt == null) {
      return Effect().noReply();
    }
    // The visitor's silence only counts once an agent has answered their last message: a chat whose visitor
    // is waiting for a reply is never warned or closed for that wait (issue 14).
    if (state.lastAgentAt == null || state.lastAgentAt.isBefore(state.lastVisitorAt)) {
      return Effect().noReply();
    }
    Instant now = clock.instant();
    Duration idle = Duration.between(state.lastAgentAt, now); // silent since the agent's answer
    if (idle.compareTo(cmd.after()) >= 0) {
      return persistClose(new Closed(state.lastSeq + 1, Participant.system(), now)).thenNoReply();
    }
    boolean noticed = state.idleNoticeAt != null && state.idleNoticeAt.isAfter(state.lastAgentAt);
    if (!noticed && idle.compareTo(cmd.after().minus(cmd.notice())) >= 0) {
      long minutes = Math.max(1, cmd.notice().toMinutes());
      String text =
          "This chat will close in " + minutes + " minute" + (minutes == 1 ? "" : "s") + " without a reply.";
      MessagePosted notice =
          new MessagePosted(state.lastSeq + 1, Participant.system(), "idle-" + (state.lastSeq + 1), text, now);
      return Effect()
          .persist(notice)
          .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
          .thenNoReply();
    }
    return Effect().noReply();
  }

  /** Erasing an open conversation closes it (by the system) first. */
  private ReplyEffect<Event, ConversationState> onEraseOpen(ConversationState state, EraseContent cmd) {
    Instant now = clock.instant();
    Closed close = new Closed(state.lastSeq + 1, Participant.system(), now);
    return Effect()
        .persist(List.of(close, new ContentErased(now)))
        .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(lastSequenceNumber(context)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Closed: nothing is posted, claimed or transferred any more; repeats still get their original answers

  private ReplyEffect<Event, ConversationState> onPostClosed(ConversationState state, PostMessage cmd) {
    return repeatOrInvalid(state, cmd).orElseGet(() -> reject(cmd, Rejection.CONVERSATION_CLOSED));
  }

  private ReplyEffect<Event, ConversationState> onClaimClosed(ConversationState state, Claim cmd) {
    return reject(cmd, cmd.caller().isAgent() ? Rejection.CONVERSATION_CLOSED : Rejection.UNKNOWN_CONVERSATION);
  }

  private ReplyEffect<Event, ConversationState> onTransferClosed(ConversationState state, Transfer cmd) {
    Long recorded = state.transferSeq(cmd.transferId());
    if (recorded != null && cmd.caller().isAgent()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(new TransferRecorded(conversationId, recorded)));
    }
    return reject(cmd, cmd.caller().isAgent() ? Rejection.CONVERSATION_CLOSED : Rejection.NOT_ASSIGNED);
  }

  /** Closing a closed conversation answers with the seq of the original close. */
  private ReplyEffect<Event, ConversationState> onCloseAgain(ConversationState state, Close cmd) {
    if (!mayClose(state, cmd.caller())) {
      return reject(cmd, Rejection.NOT_ALLOWED);
    }
    Entry closing = state.tail.peekLast();
    long seq = closing != null && closing.kind() == Entry.Kind.CLOSED ? closing.seq() : 0;
    return Effect().reply(cmd.replyTo(), StatusReply.success(new Ended(conversationId, seq)));
  }

  private ReplyEffect<Event, ConversationState> onEraseClosed(ConversationState state, EraseContent cmd) {
    if (state.erased) {
      return onEraseNothing(state, cmd);
    }
    return Effect()
        .persist(new ContentErased(clock.instant()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(lastSequenceNumber(context)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Any state (access already checked)

  private ReplyEffect<Event, ConversationState> onSubscribe(ConversationState state, Subscribe cmd) {
    Caller caller = cmd.caller();
    if (!subscribers.add(cmd.subscriber(), caller)) {
      return reject(cmd, Rejection.TOO_MANY_SUBSCRIBERS);
    }
    long afterSeq = Math.max(0, cmd.afterSeq());
    List<Entry> entries = new ArrayList<>();
    for (Entry entry : state.tail) {
      if (entry.seq() > afterSeq) {
        entries.add(entry);
      }
    }
    long firstInTail = state.tail.isEmpty() ? state.lastSeq + 1 : state.tail.peekFirst().seq();
    long missingUpTo = afterSeq < firstInTail - 1 ? firstInTail - 1 : 0;
    return Effect()
        .reply(
            cmd.replyTo(),
            StatusReply.success(
                new Subscribed(
                    conversationId,
                    state.summary(conversationId),
                    entries,
                    missingUpTo,
                    List.copyOf(state.readMarks.values()),
                    caller.isAgent() ? List.copyOf(state.notes) : List.of())));
  }

  private ReplyEffect<Event, ConversationState> onUnsubscribe(ConversationState state, Unsubscribe cmd) {
    subscribers.remove(cmd.subscriber());
    return Effect().noReply();
  }

  private ReplyEffect<Event, ConversationState> onSubscriberGone(ConversationState state, SubscriberGone cmd) {
    subscribers.stopped(cmd.subscriber());
    return Effect().noReply();
  }

  private ReplyEffect<Event, ConversationState> onMarkRead(ConversationState state, MarkRead cmd) {
    if (cmd.upToSeq() < 0 || cmd.upToSeq() > state.lastSeq) {
      return reject(cmd, Rejection.INVALID_SEQ);
    }
    Participant reader = cmd.caller().participant();
    if (cmd.upToSeq() <= state.readMarkOf(reader)) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    ReadUpTo event = new ReadUpTo(reader, cmd.upToSeq(), clock.instant());
    return Effect()
        .persist(event)
        .thenRun(s -> broadcast(new ReadMarked(conversationId, reader, cmd.upToSeq())))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, ConversationState> onAddNote(ConversationState state, AddNote cmd) {
    Caller caller = cmd.caller();
    if (!caller.isAgent()) {
      return reject(cmd, Rejection.UNKNOWN_CONVERSATION);
    }
    Optional<Rejection> invalid = MessageRules.check(cmd.clientMessageId(), cmd.text());
    if (invalid.isPresent()) {
      return reject(cmd, invalid.get());
    }
    Long earlier = state.dedup.get(ConversationState.noteKey(caller.id(), cmd.clientMessageId()));
    if (earlier != null) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(earlier));
    }
    NoteWritten event =
        new NoteWritten(state.lastNoteSeq + 1, caller.id(), cmd.clientMessageId(), cmd.text(), clock.instant());
    return Effect()
        .persist(event)
        .thenRun(s -> broadcastNote(s.notes.peekLast()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(event.noteSeq()));
  }

  private ReplyEffect<Event, ConversationState> onRate(ConversationState state, Rate cmd) {
    String comment = cmd.comment() == null || cmd.comment().isBlank() ? null : cmd.comment();
    if (!cmd.caller().isVisitor()
        || cmd.score() < 1
        || cmd.score() > 5
        || (comment != null && comment.length() > Limits.MAX_TEXT_CHARS)) {
      return reject(cmd, Rejection.INVALID_RATING);
    }
    if (state.rating != null
        && state.rating.score() == cmd.score()
        && java.util.Objects.equals(state.rating.comment(), comment)) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect()
        .persist(new Rated(cmd.score(), comment, clock.instant()))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  /**
   * Adds or removes a label ({@link Labels}): agents only (a visitor is told the conversation does not exist); a
   * label it has already, or lacks already, persists nothing and answers the labels.
   */
  private ReplyEffect<Event, ConversationState> onLabel(
      ConversationState state, Asked<Labelled> cmd, String raw, boolean add) {
    if (!cmd.caller().isAgent()) {
      return reject(cmd, Rejection.UNKNOWN_CONVERSATION);
    }
    Optional<String> label = Labels.normalise(raw);
    if (label.isEmpty() || (add && !state.labels.contains(label.get()) && !Labels.roomFor(state.labels))) {
      return reject(cmd, Rejection.INVALID_LABEL);
    }
    if (state.labels.contains(label.get()) == add) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(state.labelled(conversationId)));
    }
    String agent = cmd.caller().id();
    Instant now = clock.instant();
    Event event = add ? new LabelAdded(label.get(), agent, now) : new LabelRemoved(label.get(), agent, now);
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> StatusReply.success(s.labelled(conversationId)));
  }

  private ReplyEffect<Event, ConversationState> onGetSummary(ConversationState state, GetSummary cmd) {
    return Effect().reply(cmd.replyTo(), StatusReply.success(state.summary(conversationId)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Rules and output

  private void broadcast(Notification notification) {
    subscribers.tellAll(notification);
  }

  /** Notes go to agents only: a visitor's subscription never receives one. */
  private void broadcastNote(Note note) {
    NoteAppended appended = new NoteAppended(conversationId, note);
    subscribers.forEach(
        (subscriber, subscriberCaller) -> {
          if (subscriberCaller.isAgent()) {
            subscriber.tell(appended);
          }
        });
  }

  private Posted posted(long seq, boolean duplicate, Instant at) {
    return new Posted(conversationId, seq, duplicate, at);
  }
}
