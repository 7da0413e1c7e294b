package dev.parley.edge.protocol;

import dev.parley.core.common.Limits;

/**
 * The error frames that answer a request an entity refused or the server could not complete, with their English
 * prose. Kept next to {@link ErrorCode} so that the codes and what the protocol says about them live in one place
 * (docs/PROTOCOL.md §8); {@code message} is for logs and people, {@code code} is the contract.
 */
public final class ErrorFrames {

  private ErrorFrames() {}

  /** A business rejection by an entity, about {@code conversationId} when it is not null. */
  public static ServerFrame.Error rejection(ErrorCode code, String conversationId) {
    ServerFrame.Error error = ServerFrame.Error.of(code, rejectionMessage(code));
    return conversationId != null ? error.withConversation(conversationId) : error;
  }

  /** A rejection as an entity words it (a {@code StatusReply} error message), as an error frame. */
  public static ServerFrame.Error rejection(String entityMessage, String conversationId) {
    return rejection(ErrorCode.ofRejectionMessage(entityMessage), conversationId);
  }

  /** An entity did not answer within the ask timeout: the client resends with the same id. */
  public static ServerFrame.Error timeout() {
    return ServerFrame.Error.of(ErrorCode.TIMEOUT, "the server did not answer in time; resend with the same id");
  }

  /** The request failed for a reason that is the server's (logged where it happened): resend with the same id. */
  public static ServerFrame.Error unavailable() {
    return ServerFrame.Error.of(
        ErrorCode.UNAVAILABLE, "the server could not handle this now; resend with the same id");
  }

  static String rejectionMessage(ErrorCode code) {
    return switch (code) {
      case UNKNOWN_CONVERSATION -> "no such conversation";
      case CONVERSATION_CLOSED -> "the conversation is closed";
      case ALREADY_CLAIMED -> "another agent took this conversation first";
      case NOT_ASSIGNED -> "claim the conversation before writing to it";
      case TEXT_EMPTY -> "the text is empty";
      case TEXT_TOO_LONG -> "the text is longer than " + Limits.MAX_TEXT_CHARS + " characters";
      case INVALID_MESSAGE_ID -> "the message id is empty or too long";
      case INVALID_SEQ -> "that seq does not exist in the conversation";
      case TOO_MANY_SUBSCRIBERS -> "too many connections follow this conversation";
      case AT_CAPACITY -> "you already hold as many conversations as your capacity allows";
      case UNKNOWN_GROUP -> "the site has no such group";
      case INVALID_RATING -> "only the visitor rates, with a score from 1 to 5";
      case QUOTA_EXCEEDED -> "this visitor has written or opened as much as the limits allow";
      case NOT_ALLOWED -> "your role at this site does not allow this";
      case UNKNOWN_AGENT -> "no such agent works for this site";
      case INVALID_LABEL -> "a label is one line of 1 to 40 characters, at most 20 per conversation";
      default -> "the request was refused";
    };
  }
}
