package dev.parley.core.conversation;

import dev.parley.core.common.Participant;
import dev.parley.core.serialization.CborSerializable;
import java.time.Instant;

/**
 * One numbered item of a conversation's timeline, as every client shows it.
 *
 * <p>{@code seq} starts at 1 and grows by exactly one per entry. {@code clientMessageId} and {@code text} are set
 * only for {@link Kind#MESSAGE}; for {@link Kind#JOINED} the author is the agent who joined, for {@link
 * Kind#CLOSED} whoever closed. {@code attachment} is set for a message that carries a file (issue 15).
 */
public record Entry(
    long seq, Kind kind, Participant author, String clientMessageId, String text, Instant at,
    Conversation.Attachment attachment)
    implements CborSerializable {

  /** An entry without a file. */
  public Entry(long seq, Kind kind, Participant author, String clientMessageId, String text, Instant at) {
    this(seq, kind, author, clientMessageId, text, at, null);
  }

  public enum Kind {
    MESSAGE,
    JOINED,
    CLOSED,
    /** The agent who held the chat handed it on; {@code text} is null (the target is for agents, in notes). */
    TRANSFERRED
  }

  static Entry of(Conversation.Event event) {
    if (event instanceof Conversation.MessagePosted m) {
      return new Entry(m.seq(), Kind.MESSAGE, m.author(), m.clientMessageId(), m.text(), m.at(), m.attachment());
    } else if (event instanceof Conversation.AgentJoined j) {
      return new Entry(j.seq(), Kind.JOINED, Participant.agent(j.agentId()), null, null, j.at());
    } else if (event instanceof Conversation.Closed c) {
      return new Entry(c.seq(), Kind.CLOSED, c.by(), null, null, c.at());
    } else if (event instanceof Conversation.Transferred t) {
      return new Entry(t.seq(), Kind.TRANSFERRED, Participant.agent(t.fromAgentId()), null, null, t.at());
    }
    throw new IllegalArgumentException("not a timeline event: " + event.getClass().getSimpleName());
  }

  /** The timeline entry an event adds, or null for events that add none (opening, read marks). */
  public static Entry ofEventOrNull(Object event) {
    if (event instanceof Conversation.MessagePosted
        || event instanceof Conversation.AgentJoined
        || event instanceof Conversation.Closed
        || event instanceof Conversation.Transferred) {
      return of((Conversation.Event) event);
    }
    return null;
  }
}
