package dev.parley.agent.core;

import java.time.Instant;
import java.util.List;

/** An immutable picture of one conversation, handed to listeners; safe to read on any thread. */
public record ConversationView(
    String id,
    String visitorId,
    String status,
    List<TimelineEntry> timeline,
    long lastSeq,
    int unread,
    long visitorReadSeq,
    boolean visitorTyping,
    Instant openedAt,
    VisitorInfo visitor,
    List<NoteEntry> notes) {

  public boolean closed() {
    return "closed".equals(status);
  }

  /** The visitor's name when known, else a short form of the visitor id. */
  public String title() {
    if (visitor.name() != null && !visitor.name().isBlank()) {
      return visitor.name();
    }
    String v = visitorId == null ? id : visitorId;
    return v.length() > 8 ? v.substring(0, 8) : v;
  }
}
