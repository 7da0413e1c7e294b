package dev.parley.edge.protocol;

import static dev.parley.edge.protocol.ErrorCode.Retry.FINAL;
import static dev.parley.edge.protocol.ErrorCode.Retry.RETRY;

import dev.parley.core.common.Rejection;
import java.util.Locale;
import java.util.Optional;

/**
 * Every error code the wire protocol uses, in frames and in HTTP error bodies. Part of the public contract
 * (docs/PROTOCOL.md): never renamed once released.
 *
 * <p>This is also the one table of which errors a retry can cure (PROTOCOL.md §8, column {@code retry}): every
 * error frame and HTTP error body carries {@code retry} from here, so no client keeps its own list. {@code RETRY}
 * means the very same request, with the same id, sent again later without anything else changing, may succeed
 * (after {@code retryAfterMs} where given, after {@code hello} for {@code not-authenticated}, over a new connection
 * for the two timeouts); {@code FINAL} means it never will as it is: the client gives it up and tells the person.
 */
public enum ErrorCode {
  // Frames
  BAD_JSON(FINAL),
  UNKNOWN_TYPE(FINAL),
  MISSING_FIELD(FINAL),
  INVALID_FIELD(FINAL),
  FRAME_TOO_LARGE(FINAL),
  BINARY_NOT_SUPPORTED(FINAL),
  // Session
  NOT_AUTHENTICATED(RETRY),
  ALREADY_AUTHENTICATED(FINAL),
  INVALID_TOKEN(FINAL),
  TOKEN_EXPIRED(FINAL),
  NOT_ALLOWED(FINAL),
  HELLO_TIMEOUT(RETRY),
  IDLE_TIMEOUT(RETRY),
  OVERLOADED(RETRY),
  RATE_LIMITED(RETRY),
  IDENTITY_REJECTED(FINAL),
  // Server side trouble: retry with the same client message id
  TIMEOUT(RETRY),
  UNAVAILABLE(RETRY),
  // Business rejections from the domain (dev.parley.core.common.Rejection)
  UNKNOWN_CONVERSATION(FINAL),
  CONVERSATION_CLOSED(FINAL),
  ALREADY_CLAIMED(FINAL),
  NOT_ASSIGNED(FINAL),
  TEXT_EMPTY(FINAL),
  TEXT_TOO_LONG(FINAL),
  INVALID_MESSAGE_ID(FINAL),
  INVALID_SEQ(FINAL),
  TOO_MANY_SUBSCRIBERS(RETRY),
  AT_CAPACITY(FINAL),
  INVALID_RATING(FINAL),
  QUOTA_EXCEEDED(FINAL),
  INVALID_LABEL(FINAL),
  VISITOR_OFFLINE(FINAL),
  // HTTP API
  INVALID_REQUEST(FINAL),
  REQUEST_TOO_LARGE(FINAL),
  INVALID_CREDENTIALS(FINAL),
  UNAUTHORIZED(FINAL),
  FORBIDDEN(FINAL),
  NOT_FOUND(FINAL),
  CONFLICT(FINAL),
  ORIGIN_NOT_ALLOWED(FINAL),
  UNKNOWN_SITE(FINAL),
  UNKNOWN_CONNECTION(FINAL),
  // Routing configuration API (docs/PROTOCOL.md, "Routing")
  UNKNOWN_GROUP(FINAL),
  UNKNOWN_AGENT(FINAL),
  OVERLAPPING_HOURS(FINAL),
  // Accounts and sign-in (docs/PROTOCOL.md §7)
  TWO_FACTOR_ENROLMENT_REQUIRED(FINAL),
  ACCOUNT_DISABLED(FINAL),
  LAST_OWNER(FINAL),
  // Files (docs/PROTOCOL.md §13)
  FILE_TOO_LARGE(FINAL),
  FILE_TYPE_REFUSED(FINAL),
  IMAGE_REFUSED(FINAL),
  UPLOAD_OFFSET_MISMATCH(FINAL),
  LINK_EXPIRED(FINAL),
  LINK_INVALID(FINAL);

  /** The {@code retry} column of the table. */
  public enum Retry {
    /** The same request may succeed later. */
    RETRY,
    /** The same request never will. */
    FINAL
  }

  private final boolean retryable;

  ErrorCode(Retry retry) {
    this.retryable = retry == Retry.RETRY;
  }

  /** Whether the same request may succeed if sent again unchanged (the {@code retry} flag on the wire). */
  public boolean retryable() {
    return retryable;
  }

  /** The code with this wire name, if there is one. */
  public static Optional<ErrorCode> fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code().equals(code)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

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
