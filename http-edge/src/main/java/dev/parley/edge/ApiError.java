package dev.parley.edge;

import dev.parley.edge.protocol.ErrorCode;

/**
 * A request the HTTP API refuses, with the status and error code to answer with. Thrown by route logic, turned
 * into a response by {@link ErrorMapping}; never a sign of a bug.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final ErrorCode code;
  private final String field;
  /** Seconds for a {@code Retry-After} header; 0 for none. */
  private final long retryAfterSeconds;

  public ApiError(int status, ErrorCode code, String message, String field) {
    this(status, code, message, field, 0);
  }

  public ApiError(int status, ErrorCode code, String message, String field, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiError rateLimited(String message, long retryAfterSeconds) {
    return new ApiError(429, ErrorCode.RATE_LIMITED, message, null, retryAfterSeconds);
  }

  public static ApiError overloaded(String message, long retryAfterSeconds) {
    return new ApiError(503, ErrorCode.OVERLOADED, message, null, retryAfterSeconds);
  }

  public static ApiError invalid(String field, String message) {
    return new ApiError(400, ErrorCode.INVALID_REQUEST, message, field);
  }

  public static ApiError unauthorized(ErrorCode code, String message) {
    return new ApiError(401, code, message, null);
  }

  public static ApiError forbidden(String message) {
    return new ApiError(403, ErrorCode.FORBIDDEN, message, null);
  }

  /** Also used for things that exist but belong to another tenant: their existence is not revealed. */
  public static ApiError notFound(String message) {
    return new ApiError(404, ErrorCode.NOT_FOUND, message, null);
  }

  public static ApiError conflict(String field, String message) {
    return new ApiError(409, ErrorCode.CONFLICT, message, field);
  }

  public int status() {
    return status;
  }

  public ErrorCode code() {
    return code;
  }

  public String field() {
    return field;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
