package dev.parley.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.Json;
import dev.parley.edge.auth.PasswordHashing;
import dev.parley.edge.auth.Revocations;
import dev.parley.persistence.directory.Conflict;
import dev.parley.persistence.directory.LastOwner;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where HTTP statuses are chosen: every refusal and failure becomes a JSON body
 * {@code {"error": {"code", "retry", "message", "field"?}}}, never an HTML page or a stack trace; {@code retry}
 * comes from {@link ErrorCode#retryable()}, as in error frames.
 */
public final class ErrorMapping {

  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

  private ErrorMapping() {}

  public static HttpResponse response(int status, ErrorCode code, String message, String field) {
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.put("code", code.code());
    error.put("retry", code.retryable());
    error.put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("error", error);
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  /**
   * An admission refusal over HTTP: 429 {@code rate-limited} for a rate, 503 {@code overloaded} for a capacity,
   * each with {@code Retry-After} in seconds.
   */
  public static HttpResponse refusal(dev.parley.edge.admission.Admission.Refusal refusal) {
    boolean rate = refusal.limit().kind() == dev.parley.edge.admission.Admission.Limit.Kind.RATE;
    return response(
            rate ? 429 : 503,
            rate ? ErrorCode.RATE_LIMITED : ErrorCode.OVERLOADED,
            refusal.limit().message(),
            null)
        .addHeader(
            org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
                "Retry-After", Long.toString(refusal.retryAfterSeconds())));
  }

  public static HttpResponse response(ApiError e) {
    HttpResponse response = response(e.status(), e.code(), e.getMessage(), e.field());
    return e.retryAfterSeconds() > 0
        ? response.addHeader(
            org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
                "Retry-After", Long.toString(e.retryAfterSeconds())))
        : response;
  }

  /** Maps what route logic throws: our refusals to their status, anything else to a logged 500. */
  public static HttpResponse fromThrowable(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof ApiError api) {
      return response(api);
    }
    if (cause instanceof Conflict conflict) {
      return response(409, ErrorCode.CONFLICT, conflict.getMessage(), conflict.field());
    }
    if (cause instanceof LastOwner lastOwner) {
      return response(409, ErrorCode.LAST_OWNER, lastOwner.getMessage(), null);
    }
    if (cause instanceof PasswordHashing.Overloaded) {
      return response(
          ApiError.overloaded(
              "too many sign-ins are being checked; try again shortly", PasswordHashing.RETRY_AFTER_SECONDS));
    }
    if (cause instanceof Revocations.NotEnded) {
      return response(
          ApiError.overloaded(
              "the change is saved and the account's tokens no longer work, but its live connections could not"
                  + " all be ended yet; send the request again",
              5));
    }
    if (cause instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException tooLarge) {
      return response(
          413, ErrorCode.REQUEST_TOO_LARGE, "the request body is larger than " + tooLarge.limit() + " bytes", null);
    }
    log.error("Request failed", cause);
    return response(500, ErrorCode.UNAVAILABLE, "the server failed to handle the request", null);
  }

  public static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(
            Throwable.class,
            t -> org.apache.pekko.http.javadsl.server.Directives.complete(fromThrowable(t)))
        .build();
  }

  public static RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              if (response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                return response;
              }
              int status = response.status().intValue();
              ErrorCode code =
                  status == StatusCodes.NOT_FOUND.intValue()
                      ? ErrorCode.NOT_FOUND
                      : status == StatusCodes.UNAUTHORIZED.intValue()
                          ? ErrorCode.UNAUTHORIZED
                          : status == StatusCodes.PAYLOAD_TOO_LARGE.intValue()
                              ? ErrorCode.REQUEST_TOO_LARGE
                              : ErrorCode.INVALID_REQUEST;
              String message =
                  response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
                      ? strict.getData().utf8String()
                      : response.status().reason();
              return response(status, code, message, null);
            });
  }
}
