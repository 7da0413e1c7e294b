package dev.parley.edge.session;

import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.Entry;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ErrorFrames;
import dev.parley.edge.protocol.FrameEncoder;
import dev.parley.edge.protocol.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;

/**
 * The conversations one connection follows, kept in sync as a plain state machine: each conversation's entries
 * reach the client once, in seq order and without a gap, whether they come from a subscription's answer, from the
 * journal or live.
 *
 * <p>It holds no actor and asks nothing itself. The session hands it events — follow or sync this conversation, a
 * subscribe was answered, a page of history was read, a live notification arrived, a retry or the renewal is due
 * — and every call returns a {@link Step}: the frames to send, in order, and the {@link Request}s to make (ask the
 * conversation, read the journal, set a timer). Answers name the sync they belong to by its generation, so that
 * the answers of an abandoned sync are ignored. A sync subscribes after the last seq delivered; when the
 * conversation's tail no longer holds that far back, the journal is read in pages up to where the tail starts,
 * then the conversation is subscribed again for the tail. Live entries that arrive meanwhile are buffered (at most
 * {@link #MAX_BUFFERED_ENTRIES}; beyond, the gap they leave is fetched again) and sent after. Not thread-safe:
 * owned by the session's actor, like everything in it.
 */
final class Following {

  /** Conversations one connection follows at once; more are refused with an error frame. */
  static final int MAX_SUBSCRIPTIONS = 500;
  /** Live entries buffered for one conversation while its gap is being filled; beyond, they are refetched. */
  static final int MAX_BUFFERED_ENTRIES = 256;
  /** Retry delays after a failed subscribe or history read: doubling from the first to the cap, plus jitter. */
  static final Duration RETRY_MIN = Duration.ofMillis(250);
  static final Duration RETRY_MAX = Duration.ofSeconds(10);

  /** Something the session does for this class: an ask, a read, a timer, or telling the connection's role. */
  sealed interface Request permits Subscribe, ReadHistory, RetryLater, InSync {
    String conversationId();
  }

  /** Ask the conversation to (re)subscribe this connection, answering with its tail after {@code afterSeq}. */
  record Subscribe(String conversationId, long afterSeq, long generation) implements Request {}

  /**
   * Read one page of the journal: entries after {@code afterSeq}, up to {@code upToSeq}. The session may delay it
   * while its client is slow to take what it has (then {@link #historyDue} asks again).
   */
  record ReadHistory(String conversationId, long afterSeq, long upToSeq, long generation) implements Request {}

  /** Call {@link #retryDue} after {@code delay}. */
  record RetryLater(String conversationId, long generation, Duration delay) implements Request {}

  /** The conversation is in sync, and it is this visitor's (agents follow the visitor's profile too). */
  record InSync(String conversationId, String siteId, String visitorId) implements Request {}

  /** The outcome of one event: frames for the client, in order, then requests to make. */
  record Step(List<ServerFrame> frames, List<Request> requests) {
    static final Step NONE = new Step(List.of(), List.of());
  }

  /** One followed conversation. */
  private static final class Subscription {
    final String conversationId;
    /** The highest seq sent to the client; entries are sent strictly in order from here. */
    long delivered;
    /** A sync (subscribe, then history if needed) is running; live entries are buffered meanwhile. */
    boolean syncing;
    /** Identifies the running sync, so that answers to an abandoned one are ignored. */
    long generation;
    /** Send a {@code synced} frame when the running sync completes (client-visible syncs, not renewals). */
    boolean announce;
    /** Target of a running history read: entries up to this seq come from the journal; 0 when none runs. */
    long historyUpTo;
    /** The client asked for this conversation (resume or sync), so a refusal is reported to it. */
    boolean requested;
    /** Failed attempts in a row, for the retry's backoff. */
    int failures;
    /** Live entries that arrived during a sync, or ahead of a gap; at most {@link #MAX_BUFFERED_ENTRIES}. */
    final List<Entry> buffered = new ArrayList<>();

    Subscription(String conversationId, long delivered) {
      this.conversationId = conversationId;
      this.delivered = delivered;
    }
  }

  /** What one event produced; the frames and requests of one {@link Step} while it is being built. */
  private static final class Out {
    final List<ServerFrame> frames = new ArrayList<>();
    final List<Request> requests = new ArrayList<>();

    Step step() {
      return frames.isEmpty() && requests.isEmpty() ? Step.NONE : new Step(List.copyOf(frames), List.copyOf(requests));
    }
  }

  private final String sessionId;
  /** Whether this connection sees internal notes (agents do, visitors never). */
  private final boolean notes;
  /** A number in [0, 1) for the retries' jitter. */
  private final DoubleSupplier random;
  private final Logger log;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private long nextGeneration = 1;

  /**
   * @param sessionId for logs
   * @param notes whether internal notes are sent (agents)
   * @param random a number in [0, 1) for the jitter of retries
   */
  Following(String sessionId, boolean notes, DoubleSupplier random, Logger log) {
    this.sessionId = sessionId;
    this.notes = notes;
    this.random = random;
    this.log = log;
  }

  boolean follows(String conversationId) {
    return subscriptions.containsKey(conversationId);
  }

  /** The conversations followed, to unsubscribe from when the session ends. */
  Set<String> conversationIds() {
    return Set.copyOf(subscriptions.keySet());
  }

  // Events -----------------------------------------------------------------------------------------------------

  /**
   * Follows a conversation from {@code afterSeq}; one already followed is synced again and announced. {@code
   * requested}: the client named it (resume), so that a refusal is reported to it.
   */
  Step follow(String conversationId, long afterSeq, boolean requested) {
    Out out = new Out();
    Subscription existing = subscriptions.get(conversationId);
    if (existing != null) {
      existing.requested |= requested;
      startSync(out, existing, true);
      return out.step();
    }
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      out.frames.add(
          ServerFrame.Error.of(
                  ErrorCode.TOO_MANY_SUBSCRIBERS,
                  "one connection follows at most " + MAX_SUBSCRIPTIONS + " conversations")
              .withConversation(conversationId));
      return out.step();
    }
    Subscription sub = new Subscription(conversationId, afterSeq);
    sub.requested = requested;
    subscriptions.put(conversationId, sub);
    startSync(out, sub, true);
    return out.step();
  }

  /** The client's {@code sync}: every entry after {@code afterSeq} again, even those it was sent before. */
  Step sync(String conversationId, long afterSeq) {
    Subscription sub = subscriptions.get(conversationId);
    if (sub == null) {
      return follow(conversationId, afterSeq, true);
    }
    Out out = new Out();
    sub.requested = true;
    sub.delivered = afterSeq;
    sub.buffered.clear();
    startSync(out, sub, true);
    return out.step();
  }

  /** The conversation answered a {@link Subscribe}: a reply, or the ask failed ({@code failure} set). */
  Step subscribeAnswered(
      String conversationId, long generation, StatusReply<Conversation.Subscribed> reply, Throwable failure) {
    Subscription sub = current(conversationId, generation);
    if (sub == null) {
      return Step.NONE;
    }
    Out out = new Out();
    if (failure != null) {
      retryLater(out, sub);
      return out.step();
    }
    if (reply.isError()) {
      subscriptions.remove(sub.conversationId);
      if (sub.requested) {
        out.frames.add(ErrorFrames.rejection(reply.getError().getMessage(), sub.conversationId));
      }
      return out.step();
    }
    sub.failures = 0;
    Conversation.Subscribed subscribed = reply.getValue();
    long stored = subscribed.summary().lastSeq();
    if (stored < sub.delivered) {
      // The client resumed (or this session delivered) past the last seq the journal holds: that history is not
      // the stored one. Never echo the client's position: tell the truth, so that the client resyncs from 0.
      log.error(
          "Session {}: conversation {} ends at seq {} but {} was held; answering with the stored history",
          sessionId, sub.conversationId, stored, sub.delivered);
      sub.delivered = stored;
      sub.buffered.clear();
      sub.announce = true;
    }
    if (subscribed.missingUpToSeq() > sub.delivered) {
      sub.historyUpTo = subscribed.missingUpToSeq();
      readHistory(out, sub);
      return out.step();
    }
    for (Entry entry : subscribed.entries()) {
      if (entry.seq() == sub.delivered + 1) {
        deliver(out, sub, entry);
      }
    }
    finishSync(out, sub, subscribed);
    return out.step();
  }

  /** A page of the journal was read for a {@link ReadHistory} ({@code failure} set if the read failed). */
  Step historyRead(String conversationId, long generation, List<Entry> entries, Throwable failure) {
    Subscription sub = current(conversationId, generation);
    if (sub == null) {
      return Step.NONE;
    }
    Out out = new Out();
    if (failure != null) {
      log.warn("Session {}: history of {} failed: {}", sessionId, sub.conversationId, failure.toString());
      retryLater(out, sub);
      return out.step();
    }
    for (Entry entry : entries) {
      if (entry.seq() == sub.delivered + 1) {
        deliver(out, sub, entry);
      }
    }
    if (sub.delivered < sub.historyUpTo && !entries.isEmpty()) {
      readHistory(out, sub);
    } else {
      // The journal part is done; subscribe again for the tail (and anything that arrived meanwhile).
      startSync(out, sub, sub.announce);
    }
    return out.step();
  }

  /** A delayed {@link ReadHistory} is due: read the next page, if that sync still wants one. */
  Step historyDue(String conversationId, long generation) {
    Subscription sub = current(conversationId, generation);
    if (sub == null || sub.historyUpTo <= 0) {
      return Step.NONE;
    }
    Out out = new Out();
    readHistory(out, sub);
    return out.step();
  }

  /** A {@link RetryLater} is due: the sync starts again. */
  Step retryDue(String conversationId, long generation) {
    Subscription sub = current(conversationId, generation);
    if (sub == null) {
      return Step.NONE;
    }
    Out out = new Out();
    startSync(out, sub, sub.announce);
    return out.step();
  }

  /** A live notification from a conversation. */
  Step notified(Conversation.Notification n) {
    Subscription sub = subscriptions.get(n.conversationId());
    if (sub == null) {
      return Step.NONE;
    }
    Out out = new Out();
    if (n instanceof Conversation.Appended appended) {
      Entry entry = appended.entry();
      if (entry.seq() <= sub.delivered) {
        return Step.NONE;
      }
      if (sub.syncing) {
        if (sub.buffered.size() < MAX_BUFFERED_ENTRIES) {
          sub.buffered.add(entry);
        }
      } else if (entry.seq() == sub.delivered + 1) {
        deliver(out, sub, entry);
      } else {
        sub.buffered.add(entry);
        startSync(out, sub, false);
      }
    } else if (n instanceof Conversation.TypingChanged typing) {
      out.frames.add(
          new ServerFrame.Typing(n.conversationId(), FrameEncoder.author(typing.who()), typing.typing()));
    } else if (n instanceof Conversation.NoteAppended appended && notes) {
      out.frames.add(note(n.conversationId(), appended.note()));
    } else if (n instanceof Conversation.ReadMarked read) {
      out.frames.add(new ServerFrame.Read(n.conversationId(), FrameEncoder.author(read.reader()), read.upToSeq()));
    }
    return out.step();
  }

  /**
   * The periodic renewal: every conversation not syncing subscribes again after its last seq delivered, so that an
   * entity that passivated, restarted or moved (and forgot this subscriber) is followed again and what it appended
   * meanwhile is sent.
   */
  Step renewalDue() {
    Out out = new Out();
    for (Subscription sub : subscriptions.values()) {
      if (!sub.syncing) {
        startSync(out, sub, false);
      }
    }
    return out.step();
  }

  // Steps ------------------------------------------------------------------------------------------------------

  /** The subscription whose running sync is {@code generation}, or null when it ended or was superseded. */
  private Subscription current(String conversationId, long generation) {
    Subscription sub = subscriptions.get(conversationId);
    return sub == null || sub.generation != generation ? null : sub;
  }

  private void startSync(Out out, Subscription sub, boolean announce) {
    sub.syncing = true;
    sub.announce |= announce;
    sub.historyUpTo = 0;
    sub.generation = nextGeneration++;
    out.requests.add(new Subscribe(sub.conversationId, sub.delivered, sub.generation));
  }

  private void readHistory(Out out, Subscription sub) {
    out.requests.add(new ReadHistory(sub.conversationId, sub.delivered, sub.historyUpTo, sub.generation));
  }

  private void finishSync(Out out, Subscription sub, Conversation.Subscribed subscribed) {
    sub.syncing = false;
    sub.historyUpTo = 0;
    boolean gap = flushBuffered(out, sub);
    Conversation.Summary s = subscribed.summary();
    out.requests.add(new InSync(sub.conversationId, s.siteId(), s.visitorId()));
    if (sub.announce) {
      sub.announce = false;
      out.frames.add(
          new ServerFrame.Synced(
              sub.conversationId,
              sub.delivered,
              s.status().name().toLowerCase(Locale.ROOT),
              s.visitorId(),
              s.agentId(),
              subscribed.readMarks().stream()
                  .map(r -> new ServerFrame.ReadMarkView(FrameEncoder.author(r.reader()), r.upToSeq()))
                  .toList()));
      if (notes) {
        subscribed.notes().forEach(n -> out.frames.add(note(sub.conversationId, n)));
      }
    }
    if (gap) {
      startSync(out, sub, false);
    }
  }

  /** Sends buffered live entries that continue the delivered sequence; true if a gap remains. */
  private boolean flushBuffered(Out out, Subscription sub) {
    if (sub.buffered.isEmpty()) {
      return false;
    }
    sub.buffered.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    boolean gap = false;
    for (Entry entry : sub.buffered) {
      if (entry.seq() == sub.delivered + 1) {
        deliver(out, sub, entry);
      } else if (entry.seq() > sub.delivered + 1) {
        gap = true;
        break;
      }
    }
    sub.buffered.clear();
    return gap;
  }

  private void retryLater(Out out, Subscription sub) {
    sub.failures++;
    long millis =
        Math.min(RETRY_MAX.toMillis(), RETRY_MIN.toMillis() * (1L << Math.min(sub.failures, 6)));
    long jitter = (long) (millis * 0.2 * random.getAsDouble());
    out.requests.add(new RetryLater(sub.conversationId, sub.generation, Duration.ofMillis(millis + jitter)));
  }

  private static void deliver(Out out, Subscription sub, Entry entry) {
    sub.delivered = entry.seq();
    out.frames.add(FrameEncoder.event(sub.conversationId, entry));
  }

  private static ServerFrame.Note note(String conversationId, Conversation.Note n) {
    return new ServerFrame.Note(
        conversationId, n.noteSeq(), new ServerFrame.Author("agent", n.agentId()), n.text(), n.at());
  }
}
