package dev.parley.agent.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One conversation's state in the client: the server's entries by seq (duplicates dropped), read marks, typing
 * and the visitor's details. Mutable; owned by the {@link Workspace}, which guards it.
 */
final class Conversation {

  /** A visitor's {@code typing: true} counts for this long without a repeat (protocol §4). */
  static final long TYPING_EXPIRY_MILLIS = 6_000;

  /** Keep at most this many entries in memory; older ones drop off the top of the transcript. */
  static final int MAX_TIMELINE_ENTRIES = 2_000;

  final String id;
  String visitorId;
  String status = "waiting";
  final TreeMap<Long, TimelineEntry> entries = new TreeMap<>();
  /** Highest seq such that every seq up to it is held: what resume and sync send. */
  long contiguousSeq;
  long myReadSeq;
  long visitorReadSeq;
  long visitorTypingUntilMillis;
  Instant openedAt;
  VisitorInfo visitor;
  /** Internal notes by noteSeq; the newest {@value #MAX_NOTES} are kept (the server sends the last 100 on sync). */
  final TreeMap<Long, NoteEntry> notes = new TreeMap<>();
  static final int MAX_NOTES = 500;
  /** Messages refused for good, by client id, so they stay visible as failed. */
  final Map<String, TimelineEntry> failed = new LinkedHashMap<>();
  /** True from {@link #discard()} until the server's {@code synced} says the history is whole again. */
  boolean rebuilding;
  /**
   * True while the server replays history it has sent before or that this client never held (a new conversation,
   * a resume after {@code hello}, a rebuild), until that replay's {@code synced}: no read mark is sent meanwhile,
   * or every replayed event would move it once (one mark for the highest seq follows the {@code synced}).
   */
  boolean replaying = true;
  /** The highest seq this client sent a {@code read} for on the current connection, until the server echoes it. */
  long readSentSeq;
  /**
   * Seq → id of our message whose {@code ack} named that seq before its event arrived (acks and events are not
   * ordered, protocol §5): the event at that seq must be that message. An entry leaves when its seq's event
   * arrives. Bounded by the outbox ({@link Outbox#MAX_OUTBOX_MESSAGES}): only acks of sends still in it are noted.
   */
  final Map<Long, String> ackedAhead = new HashMap<>();

  /** What {@link #add} made of an event. */
  enum Added {
    NEW,
    /** The seq is held with the same entry (or is not a seq at all): dropped. */
    DUPLICATE,
    /** The seq is held with another entry: the history held is not the server's. */
    CONTRADICTS
  }

  Conversation(String id, String visitorId) {
    this.id = id;
    this.visitorId = visitorId;
    this.visitor = VisitorInfo.unknown(id, visitorId);
  }

  /** Adds an event unless its seq is held: a replay of the held entry is dropped, another entry contradicts. */
  Added add(TimelineEntry entry) {
    if (entry.seq() <= 0) {
      return Added.DUPLICATE;
    }
    TimelineEntry held = entries.get(entry.seq());
    if (held != null) {
      return held.sameEntry(entry) ? Added.DUPLICATE : Added.CONTRADICTS;
    }
    String acked = ackedAhead.get(entry.seq());
    if (acked != null && !(entry.isMessage() && acked.equals(entry.id()))) {
      return Added.CONTRADICTS; // an earlier ack gave this seq to one of our messages with another id
    }
    ackedAhead.remove(entry.seq());
    entries.put(entry.seq(), entry);
    while (entries.containsKey(contiguousSeq + 1)) {
      contiguousSeq++;
    }
    while (entries.size() > MAX_TIMELINE_ENTRIES) {
      entries.pollFirstEntry();
    }
    if (entry.seq() == 1 || openedAt == null) {
      openedAt = entry.at();
    }
    if ("closed".equals(entry.kind())) {
      status = "closed";
    } else if ("joined".equals(entry.kind()) && !"closed".equals(status)) {
      status = "assigned";
    }
    if (visitorId == null && entry.fromVisitor()) {
      visitorId = entry.authorId();
      visitor = VisitorInfo.unknown(id, visitorId);
    }
    return Added.NEW;
  }

  /** The highest seq held (not necessarily contiguous); 0 when nothing is. */
  long highestSeq() {
    return entries.isEmpty() ? 0 : entries.lastKey();
  }

  /**
   * The ack of our message {@code id} names {@code seq}: false if that contradicts the history held (the seq is held
   * for another entry, or an earlier ack gave it to another message of ours). Otherwise, when the seq's event has
   * not arrived yet, notes that it must be this message.
   */
  boolean acked(long seq, String id) {
    TimelineEntry held = entries.get(seq);
    if (held != null) {
      return held.isMessage() && id.equals(held.id());
    }
    String earlier = ackedAhead.get(seq);
    if (earlier != null) {
      return earlier.equals(id);
    }
    if (seq > contiguousSeq) { // at or below it, an entry not held was dropped for space: nothing to check
      ackedAhead.put(seq, id);
    }
    return true;
  }

  /**
   * Forgets the history held, to be rebuilt from seq 0 (protocol §5). Read marks go too: they are seqs of the
   * history forgotten, and the server's {@code synced} brings them again. Refused messages and the visitor's
   * details stay: they are not part of the server's history.
   */
  void discard() {
    entries.clear();
    ackedAhead.clear();
    contiguousSeq = 0;
    myReadSeq = 0;
    readSentSeq = 0;
    visitorReadSeq = 0;
    openedAt = null;
    rebuilding = true;
    replaying = true;
  }

  /**
   * The seq to send a {@code read} for now that the person sees the conversation, or 0 when none is due (nothing
   * new since the last mark, or a replay is under way); a returned seq counts as sent.
   */
  long readMarkDue() {
    if (replaying || contiguousSeq <= Math.max(myReadSeq, readSentSeq)) {
      return 0;
    }
    readSentSeq = contiguousSeq;
    return contiguousSeq;
  }

  int unread() {
    int n = 0;
    for (TimelineEntry e : entries.tailMap(myReadSeq, false).values()) {
      if (e.isMessage() && e.fromVisitor()) {
        n++;
      }
    }
    return n;
  }

  /** A note of the server's; a repeat of a held noteSeq changes nothing (protocol §10). True when new. */
  boolean note(NoteEntry note) {
    if (notes.putIfAbsent(note.noteSeq(), note) != null) {
      return false;
    }
    while (notes.size() > MAX_NOTES) {
      notes.pollFirstEntry();
    }
    return true;
  }

  ConversationView view(List<TimelineEntry> pending, long nowMillis) {
    List<TimelineEntry> timeline = new ArrayList<>(entries.values());
    timeline.addAll(failed.values());
    timeline.addAll(pending);
    return new ConversationView(
        id,
        visitorId,
        status,
        List.copyOf(timeline),
        contiguousSeq,
        unread(),
        visitorReadSeq,
        nowMillis < visitorTypingUntilMillis,
        openedAt,
        visitor,
        List.copyOf(notes.values()));
  }
}
