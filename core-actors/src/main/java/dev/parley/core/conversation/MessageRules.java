package dev.parley.core.conversation;

import dev.parley.core.common.Limits;
import dev.parley.core.common.Rejection;
import java.util.Optional;

/** What makes a message or a note acceptable, as a plain function (the limits are in {@link Limits}). */
final class MessageRules {

  private MessageRules() {}

  /** The rejection of a message with this client id and text, or empty when it is acceptable. */
  static Optional<Rejection> check(String clientMessageId, String text) {
    if (clientMessageId == null
        || clientMessageId.isBlank()
        || clientMessageId.length() > Limits.MAX_CLIENT_MESSAGE_ID_CHARS) {
      return Optional.of(Rejection.INVALID_MESSAGE_ID);
    }
    if (text == null || text.isBlank()) {
      return Optional.of(Rejection.TEXT_EMPTY);
    }
    if (text.length() > Limits.MAX_TEXT_CHARS) {
      return Optional.of(Rejection.TEXT_TOO_LONG);
    }
    return Optional.empty();
  }
}
