package dev.parley.core.conversation;

import static dev.parley.core.conversation.Conversation.MAX_DEDUP_IDS;
import static dev.parley.core.conversation.Conversation.MAX_NOTES;
import static dev.parley.core.conversation.Conversation.MAX_TAIL_ENTRIES;

import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation.AgentJoined;
import dev.parley.core.conversation.Conversation.Closed;
import dev.parley.core.conversation.Conversation.ContentErased;
import dev.parley.core.conversation.Conversation.DedupId;
import dev.parley.core.conversation.Conversation.Facts;
import dev.parley.core.conversation.Conversation.LabelAdded;
import dev.parley.core.conversation.Conversation.LabelRemoved;
import dev.parley.core.conversation.Conversation.MessagePosted;
import dev.parley.core.conversation.Conversation.Note;
import dev.parley.core.conversation.Conversation.NoteWritten;
import dev.parley.core.conversation.Conversation.Opened;
import dev.parley.core.conversation.Conversation.Rated;
import dev.parley.core.conversation.Conversation.ReadMark;
import dev.parley.core.conversation.Conversation.ReadUpTo;
import dev.parley.core.conversation.Conversation.Snapshot;
import dev.parley.core.conversation.Conversation.Status;
import dev.parley.core.conversation.Conversation.Summary;
import dev.parley.core.conversation.Conversation.Transferred;
import dev.parley.core.routing.RoutingHints;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state of a {@link Conversation}, changed by one method per event (see {@link
 * ConversationBehavior#eventHandler()}). Mutable for speed (a copy per message of the dedup window would cost more than the
 * message), owned by the entity actor and touched only from its command and event handlers. Snapshots go
 * through {@link #toSnapshot()}, an immutable copy taken on the actor's thread.
 */
public final class ConversationState {
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
  /** Internal notes, newest last, at most {@link Conversation#MAX_NOTES}; numbered apart from the timeline. */
  final ArrayDeque<Note> notes = new ArrayDeque<>();
  long lastNoteSeq;
  /** When the visitor last wrote (or the conversation opened), and when the idle notice was last posted. */
  Instant lastVisitorAt;
  Instant idleNoticeAt;
  /** When an agent last wrote; null until one has. Auto-close waits for an agent's reply (issue 14). */
  Instant lastAgentAt;
  /** The last rating, or null. Not in snapshots: a repeat after recovery from a snapshot is persisted again. */
  Rated rating;
  /** What the visitor wrote so far, against {@link Conversation#MAX_VISITOR_MESSAGES} and {@link Conversation#MAX_VISITOR_CHARS}. */
  int visitorMessages;
  long visitorChars;
  /** The words were erased ({@link ContentErased}). */
  boolean erased;
  /** Labels, in the order they were added ({@link LabelAdded}). */
  final LinkedHashSet<String> labels = new LinkedHashSet<>();

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

  Facts facts(String conversationId) {
    return new Facts(conversationId, siteId, visitorId, status, agentId, joinedSeq, openedAt, hints);
  }

  Optional<Long> seqOf(Participant author, String clientMessageId) {
    return Optional.ofNullable(dedup.get(dedupKey(author, clientMessageId)));
  }

  long readMarkOf(Participant reader) {
    ReadMark mark = readMarks.get(reader.key());
    return mark == null ? 0 : mark.upToSeq();
  }

  /** {@link Opened}: the first message opened it; it waits for an agent. */
  ConversationState opened(Opened o) {
    siteId = o.siteId();
    visitorId = o.visitorId();
    openedAt = o.at();
    lastVisitorAt = o.at();
    hints = RoutingHints.orNone(o.hints());
    status = Status.WAITING;
    return this;
  }

  ConversationState messagePosted(MessagePosted m) {
    append(Entry.of(m));
    if (m.author().role() == Participant.Role.VISITOR) {
      lastVisitorAt = m.at();
      visitorMessages++;
      visitorChars += m.text().length();
    } else if (m.author().role() == Participant.Role.AGENT) {
      lastAgentAt = m.at();
    } else if (m.author().role() == Participant.Role.SYSTEM) {
      idleNoticeAt = m.at();
    }
    dedup.put(dedupKey(m.author(), m.clientMessageId()), m.seq());
    if (dedup.size() > MAX_DEDUP_IDS) {
      dedup.remove(dedup.keySet().iterator().next());
    }
    return this;
  }

  ConversationState agentJoined(AgentJoined j) {
    append(Entry.of(j));
    agentId = j.agentId();
    joinedSeq = j.seq();
    status = Status.ASSIGNED;
    return this;
  }

  ConversationState readUpTo(ReadUpTo r) {
    readMarks.put(r.reader().key(), new ReadMark(r.reader(), r.upToSeq()));
    return this;
  }

  ConversationState closed(Closed c) {
    append(Entry.of(c));
    status = Status.CLOSED;
    return this;
  }

  ConversationState transferred(Transferred t) {
    append(Entry.of(t));
    if (t.transferId() != null) {
      dedup.put(transferKey(t.transferId()), t.seq());
      if (dedup.size() > MAX_DEDUP_IDS) {
        dedup.remove(dedup.keySet().iterator().next());
      }
    }
    agentId = null;
    joinedSeq = 0;
    status = Status.WAITING;
    if (t.toGroup() != null) {
      hints = new RoutingHints(t.toGroup(), hints.pageUrl());
    }
    return this;
  }

  ConversationState rated(Rated r) {
    rating = r;
    return this;
  }

  ConversationState contentErased(ContentErased e) {
    eraseContent();
    erased = true;
    return this;
  }

  ConversationState labelAdded(LabelAdded l) {
    labels.add(l.label());
    return this;
  }

  ConversationState labelRemoved(LabelRemoved l) {
    labels.remove(l.label());
    return this;
  }

  ConversationState noteWritten(NoteWritten n) {
    lastNoteSeq = n.noteSeq();
    notes.addLast(new Note(n.noteSeq(), n.agentId(), n.text(), n.at()));
    if (notes.size() > MAX_NOTES) {
      notes.removeFirst();
    }
    dedup.put(noteKey(n.agentId(), n.clientMessageId()), n.noteSeq());
    return this;
  }

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

  /**
   * The timeline grows by exactly one seq per entry. A journal that replays anything else (a gap, a repeat) does
   * not hold the history that was acknowledged: recovery fails here, loudly, and the conversation serves nobody
   * rather than a rewritten history (docs/DECISIONS.md).
   */
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

  Conversation.Labelled labelled(String conversationId) {
    return new Conversation.Labelled(conversationId, List.copyOf(labels));
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

  static ConversationState fromSnapshot(Snapshot s) {
    ConversationState state = new ConversationState();
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
    state.lastAgentAt = s.lastAgentAt() != null ? s.lastAgentAt() : lastAgentAtInTail(s.tail());
    state.tail.addAll(s.tail());
    state.joinedSeq = s.joinedSeq() != null ? s.joinedSeq() : joinedSeqInTail(state);
    state.visitorMessages = s.visitorMessages() != null ? s.visitorMessages() : 0;
    state.visitorChars = s.visitorChars() != null ? s.visitorChars() : 0;
    state.erased = Boolean.TRUE.equals(s.erased());
    if (s.labels() != null) {
      state.labels.addAll(s.labels());
    }
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
  private static long joinedSeqInTail(ConversationState state) {
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

  /** The seq of the {@code transferred} entry that recorded a dispatcher's transfer, if still remembered. */
  Long transferSeq(String transferId) {
    return transferId == null ? null : dedup.get(transferKey(transferId));
  }

  private static String transferKey(String transferId) {
    return "transfer|" + transferId;
  }

  static String noteKey(String agentId, String clientMessageId) {
    return "note|" + agentId + "|" + clientMessageId;
  }

  private static String dedupKey(Participant author, String clientMessageId) {
    return author.key() + "|" + clientMessageId;
  }
}
