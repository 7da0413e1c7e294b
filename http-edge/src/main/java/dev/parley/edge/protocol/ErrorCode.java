package dev.parley.edge.protocol;

import dev.parley.core.common.Rejection;
import java.util.Locale;

/**
 * Every error code the wire protocol uses, in frames and in HTTP error bodies. Part of the public contract
 * (docs/PROTOCOL.md): never renamed once released.
 */
public enum ErrorCode {
  // Frames
  BAD_JSON,
  UNKNOWN_TYPE,
  MISSING_FIELD,
  INVALID_FIELD,
  FRAME_TOO_LARGE,
  BINARY_NOT_SUPPORTED,
  // Session
  NOT_AUTHENTICATED,
  ALREADY_AUTHENTICATED,
  INVALID_TOKEN,
  TOKEN_EXPIRED,
  NOT_ALLOWED,
  HELLO_TIMEOUT,
  IDLE_TIMEOUT,
  OVERLOADED,
  RATE_LIMITED,
  IDENTITY_REJECTED,
  // Server side trouble: retry with the same client message id
  TIMEOUT,
  UNAVAILABLE,
  // Business rejections from the domain (dev.parley.core.common.Rejection)
  UNKNOWN_CONVERSATION,
  CONVERSATION_CLOSED,
  ALREADY_CLAIMED,
  NOT_ASSIGNED,
  TEXT_EMPTY,
  TEXT_TOO_LONG,
  INVALID_MESSAGE_ID,
  INVALID_SEQ,
  TOO_MANY_SUBSCRIBERS,
  AT_CAPACITY,
  INVALID_RATING,
  QUOTA_EXCEEDED,
  INVALID_LABEL,
  // HTTP API
  INVALID_REQUEST,
  REQUEST_TOO_LARGE,
  INVALID_CREDENTIALS,
  UNAUTHORIZED,
  FORBIDDEN,
  NOT_FOUND,
  CONFLICT,
  ORIGIN_NOT_ALLOWED,
  UNKNOWN_SITE,
  UNKNOWN_CONNECTION,
  // Routing configuration API (docs/PROTOCOL.md, "Routing")
  UNKNOWN_GROUP,
  UNKNOWN_AGENT,
  OVERLAPPING_HOURS,
  // Accounts and sign-in (docs/PROTOCOL.md §7)
  TWO_FACTOR_ENROLMENT_REQUIRED,
  ACCOUNT_DISABLED,
  LAST_OWNER;

  /** The code on the wire: lower case, words joined by hyphens. */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static ErrorCode of(Rejection rejection) {
    return valueOf(rejection.name());
  }

  /** A StatusReply error message from an entity, as an error code. */
  public static ErrorCode ofRejectionMessage(String message) {
    return Rejection.fromCode(message).map(ErrorCode::of).orElse(UNAVAILABLE);
  }
}
