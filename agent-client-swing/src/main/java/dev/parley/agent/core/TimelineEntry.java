package dev.parley.agent.core;

import java.time.Instant;

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
}
