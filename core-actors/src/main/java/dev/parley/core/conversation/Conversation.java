package dev.parley.core.conversation;

import dev.parley.core.access.Permission;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Limits;
import dev.parley.core.common.Participant;
import dev.parley.core.common.Rejection;
import dev.parley.core.common.Watchers;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.common.EventTags;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One chat between a visitor and the shop, sharded by conversation id and event-sourced.
 *
 * <p>It owns the order of everything said: each timeline entry (message, agent joined, closed) gets the next
 * {@code seq}, with no gaps, and a message is acknowledged only after its event is in the journal. {@link
 * PostMessage} is idempotent on (author, client message id), so a client that never saw its ack can resend
 * safely. Live subscribers (the edge sessions of the visitor and the agents) are transient: a subscriber names the
 * last seq it holds and receives the gap before live entries, and must renew its subscription periodically because
 * it is forgotten whenever the entity passivates, restarts or moves.
 *
 * <p>A conversation is created by the first message of its visitor, under an id that the visitor's own entity
 * chose; until then it is empty and answers everything else with {@link Rejection#UNKNOWN_CONVERSATION}.
 */
public final class Conversation
    extends EventSourcedBehaviorWithEnforcedReplies<
        Conversation.Command, Conversation.Event, Conversation.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Conversation");

  /** Timeline entries kept in memory for fast resume; older ones come from {@link ConversationHistory}. */
  public static final int MAX_TAIL_ENTRIES = 200;
  /** Client message ids remembered for deduplication, newest first; older ids are forgotten. */
  public static final int MAX_DEDUP_IDS = 2_000;
  /** Live subscribers at once; more are rejected with {@link Rejection#TOO_MANY_SUBSCRIBERS}. */
  public static final int MAX_SUBSCRIBERS = 64;
  /** Events between snapshots: recovery replays at most this many events after the newest snapshot. */
  public static final int SNAPSHOT_EVERY_EVENTS = 100;
  /**
   * What one conversation may hold from its visitor: messages and characters. Beyond, a visitor's post is refused
   * with {@link Rejection#QUOTA_EXCEEDED} (agents are not limited). A busy real chat is a few hundred messages;
   * the quota bounds what one anonymous visitor can make the database store.
   */
  public static final int MAX_VISITOR_MESSAGES = 1_000;
  public static final long MAX_VISITOR_CHARS = 400_000;
  /** Internal notes kept in the entity (and sent to agents on sync); older ones stay in the journal only. */
  public static final int MAX_NOTES = 100;
  /**
   * A waiting conversation repeats its announcement to the dispatcher at most this often (on a visitor message),
   * to repair an announcement lost with a crashed node without flooding the dispatcher on busy nights.
   */
  public static final Duration REANNOUNCE_INTERVAL = Duration.ofSeconds(30);

  // ---------------------------------------------------------------------------------------------------------
  // Commands

  /** Everything a conversation understands. */
  public sealed interface Command extends CborSerializable {}

  /**
   * Post a message. Replies with the entry's seq, or with the original seq and {@code duplicate = true} when
   * (author, clientMessageId) was posted before.
   *
   * <p>{@code opens} says that the caller's own {@link dev.parley.core.visitor.Visitor} entity reserved this
   * conversation id for the caller: only such a post may open an empty conversation. Anything else addressed to
   * an empty conversation is told it does not exist.
   */
  public record PostMessage(
      Caller caller,
      String clientMessageId,
      String text,
      boolean opens,
      ActorRef<StatusReply<Posted>> replyTo,
      RoutingHints hints)
      implements Command {

    /** {@code hints} only matter when the post opens the conversation; null means none. */
    public PostMessage(
        Caller caller,
        String clientMessageId,
        String text,
        boolean opens,
        ActorRef<StatusReply<Posted>> replyTo) {
      this(caller, clientMessageId, text, opens, replyTo, RoutingHints.NONE);
    }

    /** A post to a conversation that exists already. */
    public PostMessage(
        Caller caller, String clientMessageId, String text, ActorRef<StatusReply<Posted>> replyTo) {
      this(caller, clientMessageId, text, false, replyTo);
    }
  }

  /**
   * Receive live {@link Notification}s from now on, and in the reply every entry after {@code afterSeq} that is
   * still in the tail. Subscribing again with the same subscriber renews the subscription.
   */
  public record Subscribe(
      Caller caller,
      ActorRef<Notification> subscriber,
      long afterSeq,
      ActorRef<StatusReply<Subscribed>> replyTo)
      implements Command {}

  public record Unsubscribe(ActorRef<Notification> subscriber) implements Command {}

  /** An agent takes a waiting conversation. The first claim wins. */
  public record Claim(Caller caller, ActorRef<StatusReply<Claimed>> replyTo) implements Command {}

  /** The caller has seen every entry up to {@code upToSeq}. Persisted; never lowers an earlier mark. */
  public record MarkRead(Caller caller, long upToSeq, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Typing started or stopped. Sent to the other subscribers, never persisted. */
  public record SetTyping(Caller caller, boolean typing) implements Command {}

  /** Close the conversation. Closing a closed conversation answers with the seq of the original close. */
  public record Close(Caller caller, ActorRef<StatusReply<Ended>> replyTo) implements Command {}

  public record GetSummary(Caller caller, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /**
   * The assigned agent hands the conversation to another agent ({@code toAgentId}) or back to the queue of a
   * group ({@code toGroup}), with an optional internal note. Decided by the site's dispatcher first (capacity);
   * a repeat after it succeeded answers success again. Visible as a {@link Entry.Kind#TRANSFERRED} entry.
   */
  public record Transfer(
      Caller caller, String toAgentId, String toGroup, String note, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Sent periodically by the site's dispatcher for assigned conversations when the site auto-closes idle chats:
   * once the visitor has been silent for {@code after} minus {@code notice}, a system message warns them (once
   * per silence); once silent for {@code after}, the system closes the conversation. Otherwise nothing happens.
   */
  public record CloseIfIdle(Duration after, Duration notice) implements Command {}

  /**
   * The visitor rates the conversation (1 to 5, optional comment), typically when it closes. The last rating
   * counts; repeating the same rating persists nothing. Not a timeline entry.
   */
  public record Rate(Caller caller, int score, String comment, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * An agent of the site writes an internal note. Notes are numbered by their own {@code noteSeq}, outside the
   * timeline's {@code seq}, and reach agents only: a visitor never sees one, nor a gap. Idempotent on
   * (author, clientMessageId); replies with the note's noteSeq.
   */
  public record AddNote(Caller caller, String clientMessageId, String text, ActorRef<StatusReply<Long>> replyTo)
      implements Command {}

  /**
   * Erase the conversation's words (privacy): an open conversation is closed by the system first, then {@link
   * ContentErased} is persisted. Idempotent. Replies, once durable, with the journal sequence number up to which
   * the journal's earlier events are to be rewritten without their texts ({@link #scrubbed}). Not a client
   * command: the erasure job sends it.
   */
  public record EraseContent(ActorRef<StatusReply<Long>> replyTo) implements Command {}

  /**
   * An agent who may see the conversation labels it ({@link Labels}: normalised to lower case, at most 20), in any
   * status but empty. Adding a label it has, or removing one it lacks, persists nothing. Replies with the labels.
   */
  public record AddLabel(Caller caller, String label, ActorRef<StatusReply<Labelled>> replyTo)
      implements Command {}

  public record RemoveLabel(Caller caller, String label, ActorRef<StatusReply<Labelled>> replyTo)
      implements Command {}

  private record SubscriberGone(ActorRef<?> subscriber) implements Command {}

  // ---------------------------------------------------------------------------------------------------------
  // Replies and notifications

  public record Posted(String conversationId, long seq, boolean duplicate, Instant at)
      implements CborSerializable {}

  public record Claimed(String conversationId, long seq) implements CborSerializable {}

  /** The labels of a conversation after an {@link AddLabel} or {@link RemoveLabel}, in the order added. */
  public record Labelled(String conversationId, List<String> labels) implements CborSerializable {}

  public record Ended(String conversationId, long seq) implements CborSerializable {}

  public record ReadMark(Participant reader, long upToSeq) implements CborSerializable {}

  /**
   * The answer to {@link Subscribe}. {@code entries} holds the tail's entries after the subscriber's seq; when
   * {@code missingUpToSeq > 0}, entries from the subscriber's seq up to it are no longer in the tail and must be
   * read from {@link ConversationHistory} before {@code entries}.
   */
  public record Subscribed(
      String conversationId,
      Summary summary,
      List<Entry> entries,
      long missingUpToSeq,
      List<ReadMark> readMarks,
      List<Note> notes)
      implements CborSerializable {}

  public record Summary(
      String conversationId,
      String siteId,
      String visitorId,
      Status status,
      String agentId,
      long lastSeq,
      Instant openedAt)
      implements CborSerializable {}

  public enum Status {
    /** No message yet: the id is reserved by a visitor but nothing was said. */
    EMPTY,
    WAITING,
    ASSIGNED,
    CLOSED
  }

  /** What live subscribers receive. */
  public sealed interface Notification extends CborSerializable {
    String conversationId();
  }

  public record Appended(String conversationId, Entry entry) implements Notification {}

  public record TypingChanged(String conversationId, Participant who, boolean typing)
      implements Notification {}

  public record ReadMarked(String conversationId, Participant reader, long upToSeq)
      implements Notification {}

  /** Sent to agent subscribers only. */
  public record NoteAppended(String conversationId, Note note) implements Notification {}

  public record Note(long noteSeq, String agentId, String text, Instant at) implements CborSerializable {}

  // ---------------------------------------------------------------------------------------------------------
  // Events: past tense, never renamed or moved once released.

  public sealed interface Event extends CborSerializable {}

  /** {@code hints} was added after release: null in older events. */
  public record Opened(String siteId, String visitorId, Instant at, RoutingHints hints) implements Event {
    public Opened(String siteId, String visitorId, Instant at) {
      this(siteId, visitorId, at, null);
    }
  }

  public record MessagePosted(
      long seq, Participant author, String clientMessageId, String text, Instant at)
      implements Event {}

  public record AgentJoined(long seq, String agentId, Instant at) implements Event {}

  public record ReadUpTo(Participant reader, long upToSeq, Instant at) implements Event {}

  public record Closed(long seq, Participant by, Instant at) implements Event {}

  /** {@code toAgentId} null: back to the queue of {@code toGroup}; then an {@link AgentJoined} may follow. */
  public record Transferred(long seq, String fromAgentId, String toAgentId, String toGroup, Instant at)
      implements Event {}

  public record NoteWritten(long noteSeq, String agentId, String clientMessageId, String text, Instant at)
      implements Event {}

  /** The visitor's satisfaction rating; recorded for the read side and stats, never shown in the timeline. */
  public record Rated(int score, String comment, Instant at) implements Event {}

  /**
   * The conversation's words were erased (privacy: the visitor asked, or the site's retention period passed). The
   * journal's earlier events are rewritten with empty texts as well (docs/DECISIONS.md); this event tells the
   * entity and every read model to forget what they hold. Seqs, authors and times stay, for statistics. A message
   * with empty text is an erased one (texts are never empty otherwise).
   */
  public record ContentErased(Instant at) implements Event {}

  /** An agent labelled the conversation (labels are lower case, see {@link Labels}). Not a timeline entry. */
  public record LabelAdded(String label, String agentId, Instant at) implements Event {}

  public record LabelRemoved(String label, String agentId, Instant at) implements Event {}

  // ---------------------------------------------------------------------------------------------------------
  // State

  /**
   * The conversation's state. Mutable for speed (a copy per message of the dedup window would cost more than the
   * message), owned by the entity actor and touched only from its command and event handlers. Snapshots go
   * through {@link #toSnapshot()}, an immutable copy taken on the actor's thread.
   */
  public static final class State {
    String siteId;
    String visitorId;
    Status status = Status.EMPTY;
    String agentId;
    long lastSeq;
    /** The seq of the {@link AgentJoined} that gave the conversation to {@code agentId}; 0 when nobody holds it. */
    long joinedSeq;
    Instant openedAt;
    /** Where the opening message asked to be routed; never null. */
    RoutingHints hints = RoutingHints.NONE;
    final ArrayDeque<Entry> tail = new ArrayDeque<>();
    final LinkedHashMap<String, Long> dedup = new LinkedHashMap<>();
    final Map<String, ReadMark> readMarks = new HashMap<>();
    /** Internal notes, newest last, at most {@link #MAX_NOTES}; numbered apart from the timeline. */
    final ArrayDeque<Note> notes = new ArrayDeque<>();
    long lastNoteSeq;
    /** When the visitor last wrote (or the conversation opened), and when the idle notice was last posted. */
    Instant lastVisitorAt;
    Instant idleNoticeAt;
    /** When an agent last wrote; null until one has. Auto-close waits for an agent's reply (issue 14). */
    Instant lastAgentAt;
    /** The last rating, or null. Not in snapshots: a repeat after recovery from a snapshot is persisted again. */
    Rated rating;
    /** What the visitor wrote so far, against {@link #MAX_VISITOR_MESSAGES} and {@link #MAX_VISITOR_CHARS}. */
    int visitorMessages;
    long visitorChars;
    /** The words were erased ({@link ContentErased}). */
    boolean erased;
    /** Labels, in the order they were added ({@link LabelAdded}). */
    final java.util.LinkedHashSet<String> labels = new java.util.LinkedHashSet<>();

    public Status status() {
      return status;
    }

    public long lastSeq() {
      return lastSeq;
    }

    public List<Entry> tail() {
      return List.copyOf(tail);
    }

    Summary summary(String conversationId) {
      return new Summary(conversationId, siteId, visitorId, status, agentId, lastSeq, openedAt);
    }

    Optional<Long> seqOf(Participant author, String clientMessageId) {
      return Optional.ofNullable(dedup.get(dedupKey(author, clientMessageId)));
    }

    long readMarkOf(Participant reader) {
      ReadMark mark = readMarks.get(reader.key());
      return mark == null ? 0 : mark.upToSeq();
    }

    State apply(Event event) {
      if (event instanceof Opened o) {
        siteId = o.siteId();
        visitorId = o.visitorId();
        openedAt = o.at();
        lastVisitorAt = o.at();
        hints = RoutingHints.orNone(o.hints());
        status = Status.WAITING;
      } else if (event instanceof MessagePosted m) {
        append(Entry.of(m));
        if (m.author().role() == Participant.Role.VISITOR) {
          lastVisitorAt = m.at();
          visitorMessages++;
          visitorChars += m.text().length();
        } else if (m.author().role() == Participant.Role.SYSTEM) {
          idleNoticeAt = m.at();
        } else if (m.author().role() == Participant.Role.AGENT) {
          lastAgentAt = m.at();
        }
        dedup.put(dedupKey(m.author(), m.clientMessageId()), m.seq());
        if (dedup.size() > MAX_DEDUP_IDS) {
          dedup.remove(dedup.keySet().iterator().next());
        }
      } else if (event instanceof AgentJoined j) {
        append(Entry.of(j));
        agentId = j.agentId();
        joinedSeq = j.seq();
        status = Status.ASSIGNED;
      } else if (event instanceof ReadUpTo r) {
        readMarks.put(r.reader().key(), new ReadMark(r.reader(), r.upToSeq()));
      } else if (event instanceof Closed c) {
        append(Entry.of(c));
        status = Status.CLOSED;
      } else if (event instanceof Transferred t) {
        append(Entry.of(t));
        agentId = null;
        joinedSeq = 0;
        status = Status.WAITING;
        if (t.toGroup() != null) {
          hints = new RoutingHints(t.toGroup(), hints.pageUrl());
        }
      } else if (event instanceof Rated r) {
        rating = r;
      } else if (event instanceof ContentErased e) {
        eraseContent();
        erased = true;
      } else if (event instanceof LabelAdded l) {
        labels.add(l.label());
      } else if (event instanceof LabelRemoved l) {
        labels.remove(l.label());
      } else if (event instanceof NoteWritten n) {
        lastNoteSeq = n.noteSeq();
        notes.addLast(new Note(n.noteSeq(), n.agentId(), n.text(), n.at()));
        if (notes.size() > MAX_NOTES) {
          notes.removeFirst();
        }
        dedup.put(noteKey(n.agentId(), n.clientMessageId()), n.noteSeq());
      }
      return this;
    }

    /**
     * The timeline grows by exactly one seq per entry. A journal that replays anything else (a gap, a repeat) does
     * not hold the history that was acknowledged: recovery fails here, loudly, and the conversation serves nobody
     * rather than a rewritten history (docs/DECISIONS.md).
     */
    /** Forgets every text: messages in the tail, notes, the rating's comment. */
    private void eraseContent() {
      List<Entry> kept = new ArrayList<>(tail);
      tail.clear();
      for (Entry e : kept) {
        tail.addLast(e.text() == null ? e : new Entry(e.seq(), e.kind(), e.author(), e.clientMessageId(), "", e.at()));
      }
      List<Note> keptNotes = new ArrayList<>(notes);
      notes.clear();
      keptNotes.forEach(n -> notes.addLast(new Note(n.noteSeq(), n.agentId(), "", n.at())));
      if (rating != null) {
        rating = new Rated(rating.score(), null, rating.at());
      }
    }

    private void append(Entry entry) {
      if (entry.seq() != lastSeq + 1) {
        throw new IllegalStateException(
            "broken history: entry seq " + entry.seq() + " follows seq " + lastSeq + " (" + entry.kind() + ")");
      }
      lastSeq = entry.seq();
      tail.addLast(entry);
      if (tail.size() > MAX_TAIL_ENTRIES) {
        tail.removeFirst();
      }
    }

    Snapshot toSnapshot() {
      List<DedupId> ids = new ArrayList<>(dedup.size());
      dedup.forEach((key, seq) -> ids.add(new DedupId(key, seq)));
      return new Snapshot(
          siteId,
          visitorId,
          status,
          agentId,
          lastSeq,
          openedAt,
          List.copyOf(tail),
          ids,
          List.copyOf(readMarks.values()),
          hints,
          List.copyOf(notes),
          lastNoteSeq,
          lastVisitorAt,
          idleNoticeAt,
          joinedSeq,
          visitorMessages,
          visitorChars,
          erased,
          List.copyOf(labels),
          lastAgentAt);
    }

    static State fromSnapshot(Snapshot s) {
      State state = new State();
      state.siteId = s.siteId();
      state.visitorId = s.visitorId();
      state.status = s.status();
      state.agentId = s.agentId();
      state.lastSeq = s.lastSeq();
      state.openedAt = s.openedAt();
      state.hints = RoutingHints.orNone(s.hints());
      if (s.notes() != null) {
        state.notes.addAll(s.notes());
      }
      state.lastNoteSeq = s.lastNoteSeq();
      state.lastVisitorAt = s.lastVisitorAt() != null ? s.lastVisitorAt() : s.openedAt();
      state.idleNoticeAt = s.idleNoticeAt();
      state.tail.addAll(s.tail());
      state.joinedSeq = s.joinedSeq() != null ? s.joinedSeq() : joinedSeqInTail(state);
      state.visitorMessages = s.visitorMessages() != null ? s.visitorMessages() : 0;
      state.visitorChars = s.visitorChars() != null ? s.visitorChars() : 0;
      state.erased = Boolean.TRUE.equals(s.erased());
      if (s.labels() != null) {
        state.labels.addAll(s.labels());
      }
      state.lastAgentAt = s.lastAgentAt() != null ? s.lastAgentAt() : lastAgentAtInTail(s.tail());
      s.dedup().forEach(d -> state.dedup.put(d.key(), d.seq()));
      s.readMarks().forEach(r -> state.readMarks.put(r.reader().key(), r));
      return state;
    }

    /** For snapshots taken before lastAgentAt was kept: the newest agent message still in the tail, or null. */
    private static Instant lastAgentAtInTail(List<Entry> tail) {
      Instant at = null;
      for (Entry e : tail) {
        if (e.kind() == Entry.Kind.MESSAGE && e.author().role() == Participant.Role.AGENT) {
          at = e.at();
        }
      }
      return at;
    }

    /** For snapshots taken before joinedSeq was kept: the newest join of the current agent still in the tail. */
    private static long joinedSeqInTail(State state) {
      if (state.agentId == null) {
        return 0;
      }
      var entries = state.tail.descendingIterator();
      while (entries.hasNext()) {
        Entry e = entries.next();
        if (e.kind() == Entry.Kind.JOINED && state.agentId.equals(e.author().id())) {
          return e.seq();
        }
      }
      return state.lastSeq;
    }

    static String noteKey(String agentId, String clientMessageId) {
      return "note|" + agentId + "|" + clientMessageId;
    }

    private static String dedupKey(Participant author, String clientMessageId) {
      return author.key() + "|" + clientMessageId;
    }
  }

  public record DedupId(String key, long seq) implements CborSerializable {}

  /** The immutable form of {@link State} that goes to the snapshot store. */
  public record Snapshot(
      String siteId,
      String visitorId,
      Status status,
      String agentId,
      long lastSeq,
      Instant openedAt,
      List<Entry> tail,
      List<DedupId> dedup,
      List<ReadMark> readMarks,
      RoutingHints hints,
      List<Note> notes,
      long lastNoteSeq,
      Instant lastVisitorAt,
      Instant idleNoticeAt,
      /** Added after release: null in older snapshots. */
      Long joinedSeq,
      /** Added after release: null in older snapshots (counted from there on). */
      Integer visitorMessages,
      Long visitorChars,
      /** Added after release: null in older snapshots (not erased). */
      Boolean erased,
      /** Added after release: null in older snapshots (no labels). */
      List<String> labels,
      /** Added after release: null in older snapshots and until an agent writes (read from the tail). */
      Instant lastAgentAt)
      implements CborSerializable {}

  // ---------------------------------------------------------------------------------------------------------
  // Behavior

  public static void init(ActorSystem<?> system, ConversationPeers peers) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), peers, Clock.systemUTC())));
  }

  public static Behavior<Command> create(
      String conversationId, ConversationPeers peers, Clock clock) {
    return Behaviors.setup(ctx -> new Conversation(conversationId, ctx, peers, clock));
  }

  private final String conversationId;
  private final ActorContext<Command> context;
  /** The one tag of every event of this entity (EventTags). */
  private final Set<String> tags;
  private final ConversationPeers peers;
  private final Clock clock;
  /** Live subscribers and who they are. Owned by this actor; lost on restart by design (see class doc). */
  private final Watchers<Notification, Caller> subscribers;
  /** When this incarnation last announced itself as waiting (System.nanoTime); 0 for never. Owned by this actor. */
  private long lastAnnouncedNanos;

  private Conversation(
      String conversationId, ActorContext<Command> context, ConversationPeers peers, Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), conversationId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.conversationId = conversationId;
    this.tags = Set.of(EventTags.tag(ENTITY_KEY.name(), conversationId));
    this.context = context;
    this.peers = peers;
    this.clock = clock;
    this.subscribers = Watchers.of(context, MAX_SUBSCRIBERS, SubscriberGone::new);
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
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY_EVENTS, 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return state.toSnapshot();
      }

      @Override
      public State fromJournal(Object from) {
        return State.fromSnapshot((Snapshot) from);
      }
    };
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              // A waiting conversation re-announces itself: the notification that put it in the queue may have
              // been lost with a crashed node.
              if (state.status == Status.WAITING) {
                announceWaiting(state);
              }
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(PostMessage.class, this::onPost)
        .onCommand(Subscribe.class, this::onSubscribe)
        .onCommand(Unsubscribe.class, this::onUnsubscribe)
        .onCommand(SubscriberGone.class, this::onSubscriberGone)
        .onCommand(Claim.class, this::onClaim)
        .onCommand(MarkRead.class, this::onMarkRead)
        .onCommand(SetTyping.class, this::onTyping)
        .onCommand(Close.class, this::onClose)
        .onCommand(GetSummary.class, this::onGetSummary)
        .onCommand(Transfer.class, this::onTransfer)
        .onCommand(AddNote.class, this::onAddNote)
        .onCommand(Rate.class, this::onRate)
        .onCommand(CloseIfIdle.class, this::onCloseIfIdle)
        .onCommand(EraseContent.class, this::onEraseContent)
        .onCommand(AddLabel.class, this::onAddLabel)
        .onCommand(RemoveLabel.class, this::onRemoveLabel)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Command handlers

  private ReplyEffect<Event, State> onPost(State state, PostMessage cmd) {
    Caller caller = cmd.caller();
    Optional<Rejection> invalid = validateMessage(cmd.clientMessageId(), cmd.text());
    if (state.status == Status.EMPTY) {
      if (!cmd.opens() || !caller.isVisitor() || caller.siteIds().size() != 1) {
        return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_CONVERSATION.reply());
      }
      if (invalid.isPresent()) {
        return Effect().reply(cmd.replyTo(), invalid.get().reply());
      }
      Instant now = clock.instant();
      String siteId = caller.siteIds().iterator().next();
      List<Event> events =
          List.of(
              new Opened(siteId, caller.id(), now, RoutingHints.orNone(cmd.hints())),
              new MessagePosted(1, caller.participant(), cmd.clientMessageId(), cmd.text(), now));
      return Effect()
          .persist(events)
          .thenRun(this::announceWaiting)
          .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
          .thenReply(cmd.replyTo(), s -> StatusReply.success(posted(s.lastSeq, false, now)));
    }
    Optional<Rejection> denied = siteAccess(state, caller);
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    if (invalid.isPresent() && invalid.get() == Rejection.INVALID_MESSAGE_ID) {
      return Effect().reply(cmd.replyTo(), invalid.get().reply());
    }
    Optional<Long> earlier = state.seqOf(caller.participant(), cmd.clientMessageId());
    if (earlier.isPresent()) {
      // Idempotent repeat: the original seq, nothing persisted, nobody notified again.
      return Effect()
          .reply(cmd.replyTo(), StatusReply.success(posted(earlier.get(), true, null)));
    }
    if (invalid.isPresent()) {
      return Effect().reply(cmd.replyTo(), invalid.get().reply());
    }
    if (state.status == Status.CLOSED) {
      return Effect().reply(cmd.replyTo(), Rejection.CONVERSATION_CLOSED.reply());
    }
    if (caller.isAgent() && !caller.id().equals(state.agentId)) {
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ASSIGNED.reply());
    }
    if (caller.isVisitor()
        && (state.visitorMessages >= MAX_VISITOR_MESSAGES
            || state.visitorChars + cmd.text().length() > MAX_VISITOR_CHARS)) {
      return Effect().reply(cmd.replyTo(), Rejection.QUOTA_EXCEEDED.reply());
    }
    Instant now = clock.instant();
    MessagePosted event =
        new MessagePosted(
            state.lastSeq + 1, caller.participant(), cmd.clientMessageId(), cmd.text(), now);
    return Effect()
        .persist(event)
        .thenRun(
            s -> {
              broadcast(new Appended(conversationId, s.tail.peekLast()));
              if (s.status == Status.WAITING
                  && caller.isVisitor()
                  && System.nanoTime() - lastAnnouncedNanos > REANNOUNCE_INTERVAL.toNanos()) {
                announceWaiting(s);
              }
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.success(posted(event.seq(), false, now)));
  }

  private ReplyEffect<Event, State> onSubscribe(State state, Subscribe cmd) {
    Caller caller = cmd.caller();
    Optional<Rejection> denied = readAccess(state, caller);
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    if (!subscribers.add(cmd.subscriber(), caller)) {
      return Effect().reply(cmd.replyTo(), Rejection.TOO_MANY_SUBSCRIBERS.reply());
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

  private ReplyEffect<Event, State> onUnsubscribe(State state, Unsubscribe cmd) {
    subscribers.remove(cmd.subscriber());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onSubscriberGone(State state, SubscriberGone cmd) {
    subscribers.stopped(cmd.subscriber());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim cmd) {
    Caller caller = cmd.caller();
    if (!caller.isAgent()) {
      return Effect().reply(cmd.replyTo(), Rejection.UNKNOWN_CONVERSATION.reply());
    }
    Optional<Rejection> denied = siteAccess(state, caller);
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    switch (state.status) {
      case ASSIGNED:
        if (caller.id().equals(state.agentId)) {
          // A repeated claim (a resend after a reconnect) answers with the seq of the join it repeats.
          return Effect()
              .reply(
                  cmd.replyTo(), StatusReply.success(new Claimed(conversationId, state.joinedSeq)));
        }
        return Effect().reply(cmd.replyTo(), Rejection.ALREADY_CLAIMED.reply());
      case CLOSED:
        return Effect().reply(cmd.replyTo(), Rejection.CONVERSATION_CLOSED.reply());
      default:
        AgentJoined event = new AgentJoined(state.lastSeq + 1, caller.id(), clock.instant());
        return Effect()
            .persist(event)
            .thenRun(
                s -> {
                  broadcast(new Appended(conversationId, s.tail.peekLast()));
                  peers.assigned(s.siteId, conversationId, s.visitorId, s.agentId);
                })
            .thenReply(
                cmd.replyTo(), s -> StatusReply.success(new Claimed(conversationId, event.seq())));
    }
  }

  private ReplyEffect<Event, State> onMarkRead(State state, MarkRead cmd) {
    Optional<Rejection> denied = readAccess(state, cmd.caller());
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    if (cmd.upToSeq() < 0 || cmd.upToSeq() > state.lastSeq) {
      return Effect().reply(cmd.replyTo(), Rejection.INVALID_SEQ.reply());
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

  private ReplyEffect<Event, State> onTyping(State state, SetTyping cmd) {
    if (state.status == Status.WAITING || state.status == Status.ASSIGNED) {
      if (readAccess(state, cmd.caller()).isEmpty()) {
        Participant who = cmd.caller().participant();
        TypingChanged note = new TypingChanged(conversationId, who, cmd.typing());
        subscribers.forEach(
            (subscriber, subscriberCaller) -> {
              if (!subscriberCaller.participant().equals(who)) {
                subscriber.tell(note);
              }
            });
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onClose(State state, Close cmd) {
    Optional<Rejection> denied = readAccess(state, cmd.caller());
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    Caller caller = cmd.caller();
    if (caller.isAgent()
        && !caller.id().equals(state.agentId)
        && !caller.may(state.siteId, Permission.CLOSE_ANY_CONVERSATION)) {
      // An agent closes their own conversations; closing others' is for supervisors and up.
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ALLOWED.reply());
    }
    if (state.status == Status.CLOSED) {
      Entry closing = state.tail.peekLast();
      long seq = closing != null && closing.kind() == Entry.Kind.CLOSED ? closing.seq() : 0;
      return Effect().reply(cmd.replyTo(), StatusReply.success(new Ended(conversationId, seq)));
    }
    Closed event = new Closed(state.lastSeq + 1, cmd.caller().participant(), clock.instant());
    return persistClose(event)
        .thenReply(
            cmd.replyTo(), s -> StatusReply.success(new Ended(conversationId, event.seq())));
  }

  /** Persists a close, then tells the subscribers and the peers. */
  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> persistClose(Closed event) {
    return Effect()
        .persist(event)
        .thenRun(
            s -> {
              broadcast(new Appended(conversationId, s.tail.peekLast()));
              peers.closed(s.siteId, conversationId, s.visitorId, s.agentId);
            });
  }

  private ReplyEffect<Event, State> onTransfer(State state, Transfer cmd) {
    Caller caller = cmd.caller();
    Optional<Rejection> denied = siteAccess(state, caller);
    if (denied.isPresent() || !caller.isAgent()) {
      return Effect().reply(cmd.replyTo(), denied.orElse(Rejection.NOT_ASSIGNED).reply());
    }
    if (state.status == Status.CLOSED) {
      return Effect().reply(cmd.replyTo(), Rejection.CONVERSATION_CLOSED.reply());
    }
    if (cmd.toAgentId() != null && cmd.toAgentId().equals(state.agentId)) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack()); // a repeat of a transfer that happened
    }
    if (!caller.id().equals(state.agentId)) {
      return Effect().reply(cmd.replyTo(), Rejection.NOT_ASSIGNED.reply());
    }
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>(3);
    events.add(new Transferred(state.lastSeq + 1, caller.id(), cmd.toAgentId(), cmd.toGroup(), now));
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
              s.tail.stream().filter(e -> e.seq() >= firstSeq).forEach(e -> broadcast(new Appended(conversationId, e)));
              s.notes.stream().filter(n -> n.noteSeq() > notesBefore).forEach(this::broadcastNote);
              peers.transferred(s.siteId, conversationId, s.visitorId, caller.id(), cmd.toAgentId());
              if (s.status == Status.WAITING) {
                announceWaiting(s);
              }
            })
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onAddNote(State state, AddNote cmd) {
    Caller caller = cmd.caller();
    Optional<Rejection> denied = readAccess(state, caller);
    if (denied.isPresent() || !caller.isAgent()) {
      return Effect().reply(cmd.replyTo(), denied.orElse(Rejection.UNKNOWN_CONVERSATION).reply());
    }
    Optional<Rejection> invalid = validateMessage(cmd.clientMessageId(), cmd.text());
    if (invalid.isPresent()) {
      return Effect().reply(cmd.replyTo(), invalid.get().reply());
    }
    Long earlier = state.dedup.get(State.noteKey(caller.id(), cmd.clientMessageId()));
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

  private ReplyEffect<Event, State> onCloseIfIdle(State state, CloseIfIdle cmd) {
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
      String text = "This chat will close in " + minutes + " minute" + (minutes == 1 ? "" : "s") + " without a reply.";
      MessagePosted notice =
          new MessagePosted(state.lastSeq + 1, Participant.system(), "idle-" + (state.lastSeq + 1), text, now);
      return Effect()
          .persist(notice)
          .thenRun(s -> broadcast(new Appended(conversationId, s.tail.peekLast())))
          .thenNoReply();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onEraseContent(State state, EraseContent cmd) {
    if (state.status == Status.EMPTY || state.erased) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.success(lastSequenceNumber(context)));
    }
    Instant now = clock.instant();
    if (state.status != Status.CLOSED) {
      Closed close = new Closed(state.lastSeq + 1, Participant.system(), now);
      return Effect()
          .persist(List.of(close, new ContentErased(now)))
          .thenRun(
              s -> {
                broadcast(new Appended(conversationId, s.tail.peekLast()));
                peers.closed(s.siteId, conversationId, s.visitorId, s.agentId);
              })
          .thenReply(cmd.replyTo(), s -> StatusReply.success(lastSequenceNumber(context)));
    }
    return Effect()
        .persist(new ContentErased(now))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(lastSequenceNumber(context)));
  }

  /**
   * An event as the journal keeps it once the conversation's words are erased: texts emptied, the page address
   * and the rating's comment dropped; everything else (seqs, authors, times, score) stays.
   */
  public static Event scrubbed(Event event) {
    if (event instanceof MessagePosted m) {
      return new MessagePosted(m.seq(), m.author(), m.clientMessageId(), "", m.at());
    } else if (event instanceof NoteWritten n) {
      return new NoteWritten(n.noteSeq(), n.agentId(), n.clientMessageId(), "", n.at());
    } else if (event instanceof Rated r) {
      return new Rated(r.score(), null, r.at());
    } else if (event instanceof Opened o) {
      RoutingHints h = RoutingHints.orNone(o.hints());
      return new Opened(o.siteId(), o.visitorId(), o.at(), new RoutingHints(h.group(), null, null));
    }
    return event;
  }

  private ReplyEffect<Event, State> onRate(State state, Rate cmd) {
    Optional<Rejection> denied = readAccess(state, cmd.caller());
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    String comment = cmd.comment() == null || cmd.comment().isBlank() ? null : cmd.comment();
    if (!cmd.caller().isVisitor()
        || cmd.score() < 1
        || cmd.score() > 5
        || (comment != null && comment.length() > Limits.MAX_TEXT_CHARS)) {
      return Effect().reply(cmd.replyTo(), Rejection.INVALID_RATING.reply());
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

  private ReplyEffect<Event, State> onAddLabel(State state, AddLabel cmd) {
    Optional<Rejection> denied = readAccess(state, cmd.caller());
    if (denied.isPresent() || !cmd.caller().isAgent()) {
      return Effect().reply(cmd.replyTo(), denied.orElse(Rejection.UNKNOWN_CONVERSATION).reply());
    }
    Optional<String> label = Labels.normalise(cmd.label());
    if (label.isEmpty() || (!state.labels.contains(label.get()) && !Labels.roomFor(state.labels))) {
      return Effect().reply(cmd.replyTo(), Rejection.INVALID_LABEL.reply());
    }
    if (state.labels.contains(label.get())) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(new Labelled(conversationId, List.copyOf(state.labels))));
    }
    return Effect()
        .persist(new LabelAdded(label.get(), cmd.caller().id(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new Labelled(conversationId, List.copyOf(s.labels))));
  }

  private ReplyEffect<Event, State> onRemoveLabel(State state, RemoveLabel cmd) {
    Optional<Rejection> denied = readAccess(state, cmd.caller());
    if (denied.isPresent() || !cmd.caller().isAgent()) {
      return Effect().reply(cmd.replyTo(), denied.orElse(Rejection.UNKNOWN_CONVERSATION).reply());
    }
    Optional<String> label = Labels.normalise(cmd.label());
    if (label.isEmpty()) {
      return Effect().reply(cmd.replyTo(), Rejection.INVALID_LABEL.reply());
    }
    if (!state.labels.contains(label.get())) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(new Labelled(conversationId, List.copyOf(state.labels))));
    }
    return Effect()
        .persist(new LabelRemoved(label.get(), cmd.caller().id(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new Labelled(conversationId, List.copyOf(s.labels))));
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

  private ReplyEffect<Event, State> onGetSummary(State state, GetSummary cmd) {
    Optional<Rejection> denied = siteAccess(state, cmd.caller());
    if (denied.isPresent()) {
      return Effect().reply(cmd.replyTo(), denied.get().reply());
    }
    return Effect().reply(cmd.replyTo(), StatusReply.success(state.summary(conversationId)));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Rules

  /**
   * Who may know that a conversation exists, its status and who holds it (not its words): its own visitor, and
   * every agent of its site — so that a claim of a conversation another agent took first is told {@code
   * already-claimed}, and a message to another agent's conversation {@code not-assigned}. Anyone else is told it
   * does not exist.
   */
  private static Optional<Rejection> siteAccess(State state, Caller caller) {
    if (state.status == Status.EMPTY || !caller.belongsTo(state.siteId)) {
      return Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    if (caller.isVisitor()) {
      return caller.id().equals(state.visitorId) ? Optional.empty() : Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    return caller.isAgent() ? Optional.empty() : Optional.of(Rejection.UNKNOWN_CONVERSATION);
  }

  /**
   * Who may see a conversation: its own visitor; agents of its site while it waits or when it is theirs; and the
   * site's supervisors, admins and owners always (docs/SECURITY.md, "Roles and permissions"). Anyone else is told
   * it does not exist, so that ids of other tenants cannot be probed.
   */
  private static Optional<Rejection> readAccess(State state, Caller caller) {
    if (state.status == Status.EMPTY || !caller.belongsTo(state.siteId)) {
      return Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    if (caller.isVisitor()) {
      return caller.id().equals(state.visitorId) ? Optional.empty() : Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    if (!caller.isAgent()) {
      return Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    boolean mine = caller.id().equals(state.agentId);
    if (mine || state.status == Status.WAITING || caller.may(state.siteId, Permission.READ_ALL_CONVERSATIONS)) {
      return Optional.empty();
    }
    return Optional.of(Rejection.UNKNOWN_CONVERSATION);
  }

  private static Optional<Rejection> validateMessage(String clientMessageId, String text) {
    if (clientMessageId == null
        || clientMessageId.isBlank()
        || clientMessageId.length() > Limits.MAX_CLIENT_MESSAGE_ID_CHARS) {
      return Optional.of(Rejection.INVALID_MESSAGE_ID);
    }
    if (text == null || text.isBlank()) {
      return Optional.of(Rejection.TEXT_EMPTY);
    }
    if (text.length() > Limits.MAX_TEXT_CHARS) {
      return Optional.of(Rejection.TEXT_TOO_LONG);
    }
    return Optional.empty();
  }

  private void announceWaiting(State state) {
    lastAnnouncedNanos = System.nanoTime();
    peers.waiting(state.siteId, conversationId, state.visitorId, state.openedAt, state.hints);
  }

  private void broadcast(Notification notification) {
    subscribers.tellAll(notification);
  }

  private Posted posted(long seq, boolean duplicate, Instant at) {
    return new Posted(conversationId, seq, duplicate, at);
  }
}
