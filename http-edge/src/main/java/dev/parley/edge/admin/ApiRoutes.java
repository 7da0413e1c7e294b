package dev.parley.edge.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.parley.edge.ApiError;
import dev.parley.edge.ErrorMapping;
import dev.parley.edge.auth.AgentAccess;
import dev.parley.edge.admission.ClientAddress;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.Json;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Shared plumbing of the JSON API's routes: bearer authentication, size-limited JSON bodies, blocking work off the
 * request threads, and JSON responses. Route classes hold the endpoints; {@link ErrorMapping} picks statuses.
 *
 * <p>Authentication checks the token's signature and times, then the account as it is now ({@link AgentAccess}:
 * exists, enabled, same token version), so a revoked token fails on its next request. A token that only allows
 * enrolling in two-factor sign-in is refused everywhere except on the routes that use
 * {@link #authenticatedForEnrolment}.
 */
public abstract class ApiRoutes extends AllDirectives {

  /** Largest request body accepted by the JSON API. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  protected final ApiContext api;

  protected ApiRoutes(ApiContext api) {
    this.api = api;
  }

  public abstract Route routes();

  /** Routes under {@code /api/sites/{siteId}/...}: {@code inner} gets the site id from the path. */
  protected Route underSite(Function<String, Route> inner) {
    return pathPrefix(
        PathMatchers.segment("api").slash("sites"), () -> pathPrefix(PathMatchers.segment(), inner));
  }

  /**
   * Runs {@code handler} for the caller of a valid agent token with full scope; 401 for no or a bad token, 403
   * {@code two-factor-enrolment-required} for a token that only allows enrolling.
   */
  protected Route authenticated(Function<Principal, CompletionStage<HttpResponse>> handler) {
    return authenticated(false, handler);
  }

  /** As {@link #authenticated}, but also for a token that only allows enrolling in two-factor sign-in. */
  protected Route authenticatedForEnrolment(Function<Principal, CompletionStage<HttpResponse>> handler) {
    return authenticated(true, handler);
  }

  private Route authenticated(boolean enrolment, Function<Principal, CompletionStage<HttpResponse>> handler) {
    return optionalHeaderValueByName(
        "Authorization",
        header ->
            respond(
                blocking(() -> principal(header, enrolment))
                    .thenComposeAsync(handler::apply, api.blocking())));
  }

  /**
   * The client's address, for throttling and the audit log: the connection's peer, or the forwarded address only
   * behind a configured trusted proxy ({@link ClientAddress}).
   */
  protected Route withClientAddress(Function<String, Route> inner) {
    return extractRequest(request -> inner.apply(api.clientAddress().of(request)));
  }

  /** Parses a size-limited JSON body; a bad body is answered with a 400 before {@code inner} runs. */
  protected Route withBody(Function<RequestBody, Route> inner) {
    return withSizeLimit(
        MAX_BODY_BYTES,
        () ->
            entity(
                Unmarshaller.entityToString(),
                text -> {
                  RequestBody body;
                  try {
                    body = RequestBody.parse(text);
                  } catch (ApiError e) {
                    return complete(ErrorMapping.response(e));
                  }
                  return inner.apply(body);
                }));
  }

  protected Route respond(CompletionStage<HttpResponse> response) {
    return completeWithFuture(response.exceptionally(ErrorMapping::fromThrowable));
  }

  protected <T> CompletionStage<T> blocking(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, api.blocking());
  }

  protected static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.MAPPER.writeValueAsString(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response not serializable", e);
    }
  }

  private Principal principal(Optional<String> header, boolean enrolment) {
    String value = header.orElse("");
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ApiError.unauthorized(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <token> from /api/auth/login");
    }
    Tokens.AgentClaims claims;
    try {
      claims = api.tokens().verifyAgent(value.substring(7).trim());
    } catch (Tokens.Refused refused) {
      throw ApiError.unauthorized(
          refused.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN,
          refused.expired() ? "the token expired; log in again" : "the token is not valid");
    }
    AgentAccess.Granted granted =
        AgentAccess.check(claims, api.directory())
            .orElseThrow(() -> ApiError.unauthorized(ErrorCode.INVALID_TOKEN, AgentAccess.ACCESS_CHANGED));
    if (claims.scope() != Tokens.Scope.FULL && !enrolment) {
      throw new ApiError(
          403,
          ErrorCode.TWO_FACTOR_ENROLMENT_REQUIRED,
          "a site you work for requires two-factor sign-in: set it up with POST /api/auth/2fa/enrol first",
          null);
    }
    return new Principal(granted.account(), granted.memberships(), claims);
  }
}
