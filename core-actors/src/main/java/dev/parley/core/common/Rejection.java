package dev.parley.core.common;

import java.util.Arrays;
import java.util.Optional;
import org.apache.pekko.pattern.StatusReply;

/**
 * Every business rejection an entity can answer with. Nothing is persisted when one is returned.
 *
 * <p>The code is part of the public wire protocol (docs/PROTOCOL.md): clients switch on it, so a code is never
 * renamed once released. Entities reply {@code StatusReply.error(rejection.code())}; the edge turns the code back
 * into a {@link Rejection} with {@link #fromCode(String)}.
 */
public enum Rejection {
  /** The conversation does not exist, or the caller may not know that it exists. */
  UNKNOWN_CONVERSATION("unknown-conversation"),
  /** The conversation is closed; nothing more can be posted to it. */
  CONVERSATION_CLOSED("conversation-closed"),
  /** Another agent claimed the conversation first. */
  ALREADY_CLAIMED("already-claimed"),
  /** An agent tried to write to a conversation assigned to someone else, or to nobody yet. */
  NOT_ASSIGNED("not-assigned"),
  /** Message text is empty after trimming. */
  TEXT_EMPTY("text-empty"),
  /** Message text is longer than {@code Limits.MAX_TEXT_CHARS}. */
  TEXT_TOO_LONG("text-too-long"),
  /** A client message id is empty or longer than {@code Limits.MAX_CLIENT_MESSAGE_ID_CHARS}. */
  INVALID_MESSAGE_ID("invalid-message-id"),
  /** A read mark points past the end of the conversation. */
  INVALID_SEQ("invalid-seq"),
  /** More live subscribers than {@code Conversation.MAX_SUBSCRIBERS}. */
  TOO_MANY_SUBSCRIBERS("too-many-subscribers"),
  /** The agent already holds as many conversations as their capacity allows. */
  AT_CAPACITY("at-capacity"),
  /** A transfer named a group the site does not have. */
  UNKNOWN_GROUP("unknown-group"),
  /** A satisfaction rating outside 1..5, or from someone other than the conversation's visitor. */
  INVALID_RATING("invalid-rating"),
  /**
   * A visitor wrote as much as one conversation may hold from a visitor ({@code Conversation.MAX_VISITOR_*}), or
   * opened as many conversations as one visitor may in a day ({@code Visitor.MAX_CONVERSATIONS_PER_DAY}).
   */
  QUOTA_EXCEEDED("quota-exceeded"),
  /** The caller's role at the site does not allow this (docs/SECURITY.md, "Roles and permissions"). */
  NOT_ALLOWED("not-allowed"),
  /** A transfer named an account that does not work for the site. */
  UNKNOWN_AGENT("unknown-agent"),
  /** A label that is empty, too long or not one line, or one more than a conversation may hold. */
  INVALID_LABEL("invalid-label");

  private final String code;

  Rejection(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public <T> StatusReply<T> reply() {
    return StatusReply.error(code);
  }

  public static Optional<Rejection> fromCode(String code) {
    return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst();
  }
}
