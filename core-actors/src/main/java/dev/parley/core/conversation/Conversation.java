package dev.parley.core.conversation;

import dev.parley.core.common.Caller;
import dev.parley.core.common.EventTags;
import dev.parley.core.common.Participant;
import dev.parley.core.common.Rejection;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * One chat between a visitor and the shop, sharded by conversation id and event-sourced: its protocol (commands,
 * replies, notifications, events and the snapshot form). The actor is {@link ConversationBehavior}, its state
 * {@link ConversationState}, who may see what {@link Access}.
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
 *
 * <p>The nested classes keep their names (they are the serialized names of released events and snapshots).
 */
public final class Conversation {

  private Conversation() {}

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

  // ---------------------------------------------------------------------------------------------------------
  // Commands

  /** Everything a conversation understands. */
  public sealed interface Command extends CborSerializable {}

  /**
   * A command of a caller (a visitor's or an agent's session) that is answered: the behaviour checks the caller's
   * access once, for every such command, and answers a refusal with the same {@code replyTo}.
   */
  public sealed interface Asked<R> extends Command {
    Caller caller();

    ActorRef<StatusReply<R>> replyTo();
  }

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
      RoutingHints hints,
      Attachment attachment)
      implements Asked<Posted> {

    /** A post without a file. */
    public PostMessage(
        Caller caller,
        String clientMessageId,
        String text,
        boolean opens,
        ActorRef<StatusReply<Posted>> replyTo,
        RoutingHints hints) {
      this(caller, clientMessageId, text, opens, replyTo, hints, null);
    }

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
      implements Asked<Subscribed> {}

  public record Unsubscribe(ActorRef<Notification> subscriber) implements Command {}

  /** An agent takes a waiting conversation. The first claim wins. */
  public record Claim(Caller caller, ActorRef<StatusReply<Claimed>> replyTo) implements Asked<Claimed> {}

  /** The caller has seen every entry up to {@code upToSeq}. Persisted; never lowers an earlier mark. */
  public record MarkRead(Caller caller, long upToSeq, ActorRef<StatusReply<Done>> replyTo)
      implements Asked<Done> {}

  /** Typing started or stopped. Sent to the other subscribers, never persisted. */
  public record SetTyping(Caller caller, boolean typing) implements Command {}

  /** Close the conversation. Closing a closed conversation answers with the seq of the original close. */
  public record Close(Caller caller, ActorRef<StatusReply<Ended>> replyTo) implements Asked<Ended> {}

  public record GetSummary(Caller caller, ActorRef<StatusReply<Summary>> replyTo)
      implements Asked<Summary> {}

  /**
   * What the domain's other entities need to know about a conversation, without a caller's access check: sent by
   * the site's dispatcher about a conversation it has not seen yet. An empty conversation answers with status
   * {@link Status#EMPTY} and null site.
   */
  public record GetFacts(ActorRef<Facts> replyTo) implements Command {}

  /**
   * The assigned agent hands the conversation to another agent ({@code toAgentId}) or back to the queue of a
   * group ({@code toGroup}), with an optional internal note. Decided by the site's dispatcher first (capacity),
   * which sends it until it is answered: idempotent on {@code transferId} (a repeat answers the seq of the
   * recorded {@code transferred} entry, even after a close). Visible as a {@link Entry.Kind#TRANSFERRED} entry.
   */
  public record Transfer(
      Caller caller,
      String transferId,
      String toAgentId,
      String toGroup,
      String note,
      ActorRef<StatusReply<TransferRecorded>> replyTo)
      implements Asked<TransferRecorded> {}

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
      implements Asked<Done> {}

  /**
   * An agent of the site writes an internal note. Notes are numbered by their own {@code noteSeq}, outside the
   * timeline's {@code seq}, and reach agents only: a visitor never sees one, nor a gap. Idempotent on
   * (author, clientMessageId); replies with the note's noteSeq.
   */
  public record AddNote(Caller caller, String clientMessageId, String text, ActorRef<StatusReply<Long>> replyTo)
      implements Asked<Long> {}

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
      implements Asked<Labelled> {}

  public record RemoveLabel(Caller caller, String label, ActorRef<StatusReply<Labelled>> replyTo)
      implements Asked<Labelled> {}

  /** A subscriber stopped (death watch); local to the entity. */
  record SubscriberGone(ActorRef<?> subscriber) implements Command {}

  // ---------------------------------------------------------------------------------------------------------
  // Replies and notifications

  public record Posted(String conversationId, long seq, boolean duplicate, Instant at)
      implements CborSerializable {}

  public record Claimed(String conversationId, long seq) implements CborSerializable {}

  /** A {@link Transfer} is recorded as entry {@code seq} (0: the target already held it, no entry was needed). */
  public record TransferRecorded(String conversationId, long seq) implements CborSerializable {}

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

  /**
   * The answer to {@link GetFacts}: the site, visitor and group the conversation was queued for, its status and
   * holder, and the seq of the holder's join (0 when nobody holds it).
   */
  public record Facts(
      String conversationId,
      String siteId,
      String visitorId,
      Status status,
      String agentId,
      long joinedSeq,
      Instant openedAt,
      RoutingHints hints)
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

  /** {@code attachment} was added after release (issue 15): null in older events and for text alone. */
  public record MessagePosted(
      long seq, Participant author, String clientMessageId, String text, Instant at, Attachment attachment)
      implements Event {
    public MessagePosted(long seq, Participant author, String clientMessageId, String text, Instant at) {
      this(seq, author, clientMessageId, text, at, null);
    }
  }

  /**
   * A file sent with a message (issue 15): the server's id for it, the site it was uploaded to (a conversation takes
   * files of its own site only), its name as people see it (text only), its size,
   * the media type found in its content, an image's size in pixels (null for other files) and whether it has a
   * thumbnail. The bytes are in the blob store; the edge checked the upload was complete and the sender's own
   * before the post, so a message with an attachment is acknowledged only when both are durable.
   */
  public record Attachment(
      String fileId,
      String siteId,
      String name,
      long sizeBytes,
      String mediaType,
      Integer width,
      Integer height,
      boolean thumbnail)
      implements CborSerializable {}

  public record AgentJoined(long seq, String agentId, Instant at) implements Event {}

  public record ReadUpTo(Participant reader, long upToSeq, Instant at) implements Event {}

  public record Closed(long seq, Participant by, Instant at) implements Event {}

  /**
   * {@code toAgentId} null: back to the queue of {@code toGroup}; then an {@link AgentJoined} may follow. {@code
   * transferId}: the dispatcher's decision this records; added after release, null in older events.
   */
  public record Transferred(
      long seq, String fromAgentId, String toAgentId, String toGroup, Instant at, String transferId)
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

  public record DedupId(String key, long seq) implements CborSerializable {}

  /** The immutable form of {@link ConversationState} that goes to the snapshot store. */
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
  // Wiring

  /**
   * The fast path into and out of the site's queue: told once, right after {@code Opened} (before the visitor's
   * ack) and right after {@code Closed}, so that the queue (and admission's count of an address's waiting
   * conversations) follows at once. Only a hint: the routing feed is what guarantees both, at least once, and a
   * lost hint only costs the feed's lag. Tests of the conversation alone pass {@link #NONE}.
   */
  public interface QueueHint {
    void opened(String conversationId, Opened opened);

    void closed(String conversationId, String siteId);

    QueueHint NONE =
        new QueueHint() {
          @Override
          public void opened(String conversationId, Opened opened) {}

          @Override
          public void closed(String conversationId, String siteId) {}
        };
  }

  /**
   * Registers the entity type. Beyond the {@link QueueHint}, a conversation tells nobody else anything itself:
   * what its events mean to the queue, the agents and the visitor is delivered from the journal by the routing feed
   * (dev.parley.core.feed).
   */
  public static void init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    QueueHint hint =
        new QueueHint() {
          @Override
          public void opened(String conversationId, Opened o) {
            dispatcher(o.siteId())
                .tell(
                    new dev.parley.core.dispatcher.Dispatcher.Enqueue(
                        conversationId, o.visitorId(), o.at(), RoutingHints.orNone(o.hints())));
          }

          @Override
          public void closed(String conversationId, String siteId) {
            dispatcher(siteId).tell(new dev.parley.core.dispatcher.Dispatcher.Remove(conversationId));
          }

          private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<dev.parley.core.dispatcher.Dispatcher.Command>
              dispatcher(String siteId) {
            return sharding.entityRefFor(dev.parley.core.dispatcher.Dispatcher.ENTITY_KEY, siteId);
          }
        };
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), hint, Clock.systemUTC())));
  }

  /**
   * The tags of a conversation's event: its slice's {@code conversation-s}, and {@code routing-s} as well for the
   * events the routing feed acts on ({@link dev.parley.core.feed.RoutingFeed#concerns}).
   */
  public static Set<String> tagsOf(String conversationId, Event event) {
    String own = EventTags.tag(ENTITY_KEY.name(), conversationId);
    return dev.parley.core.feed.RoutingFeed.concerns(event)
        ? Set.of(own, EventTags.tag(EventTags.ROUTING, conversationId))
        : Set.of(own);
  }

  public static Behavior<Command> create(String conversationId, Clock clock) {
    return create(conversationId, QueueHint.NONE, clock);
  }

  public static Behavior<Command> create(String conversationId, QueueHint hint, Clock clock) {
    return ConversationBehavior.create(conversationId, hint, clock);
  }


  /**
   * An event as the journal keeps it once the conversation's words are erased: texts emptied, the page address
   * and the rating's comment dropped; everything else (seqs, authors, times, score) stays.
   */
  public static Event scrubbed(Event event) {
    if (event instanceof MessagePosted m) {
      // The file goes with the words: Erasures deletes its bytes and row.
      return new MessagePosted(m.seq(), m.author(), m.clientMessageId(), "", m.at(), null);
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
}
