package dev.parley.agent.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a conversation as the agent sees it: a server event ({@code seq > 0}) or a message of ours still in
 * the outbox ({@code seq == 0}, {@code pending}), or one the server refused for good ({@code failedCode}).
 */
public record TimelineEntry(
    long seq,
    String kind,
    String id,
    String authorRole,
    String authorId,
    String text,
    Instant at,
    boolean pending,
    String failedCode) {

  public boolean fromVisitor() {
    return "visitor".equals(authorRole);
  }

  public boolean isMessage() {
    return "message".equals(kind);
  }

  /**
   * Whether {@code other} is this same timeline entry, as protocol §5 compares them: same kind, author and client
   * message id. (A replay of a held entry is a duplicate; anything else at a held seq contradicts the history.)
   */
  public boolean sameEntry(TimelineEntry other) {
    return Objects.equals(kind, other.kind)
        && Objects.equals(authorRole, other.authorRole)
        && Objects.equals(authorId, other.authorId)
        && Objects.equals(id, other.id);
  }
}
