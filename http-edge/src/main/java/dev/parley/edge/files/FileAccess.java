package dev.parley.edge.files;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.edge.ApiError;
import dev.parley.edge.auth.AgentAccess;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.files.FileRecords.Upload;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * Who may touch a file: the uploader (a visitor token of the site, or an agent token of a member of the site, as
 * the rest of the HTTP API checks them), and the participants of the conversation a file is attached to, as that
 * conversation decides ({@link Conversation.GetSummary}: its visitor, and the agents its access rules let see it).
 * Also the upload rate limit per uploader.
 */
public final class FileAccess {

  private static final int MAX_BUCKETS = 100_000;

  /** An authenticated caller of the file routes, with the caller the domain knows it as. */
  public record Who(Uploads.Uploader uploader, Caller caller) {
    public String viewer() {
      return FileLinks.viewer(uploader.role(), uploader.id());
    }
  }

  private final Tokens tokens;
  private final Directory directory;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Executor blocking;
  private final int requestsPerMinute;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(MAX_BUCKETS).expireAfterAccess(Duration.ofMinutes(5)).build();

  public FileAccess(
      Tokens tokens, Directory directory, ClusterSharding sharding, Duration askTimeout, Executor blocking,
      int requestsPerMinute) {
    this.tokens = tokens;
    this.directory = directory;
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.blocking = blocking;
    this.requestsPerMinute = requestsPerMinute;
  }

  /** The caller of a bearer token for {@code siteId}: a visitor of the site, or an agent working for it. */
  public CompletionStage<Who> authenticate(String siteId, Optional<String> header) {
    String value = header.orElse("");
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return CompletableFuture.failedFuture(
          ApiError.unauthorized(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <visitor or agent token>"));
    }
    String token = value.substring(7).trim();
    try {
      Tokens.VisitorIdentity visitor = tokens.verifyVisitor(token, siteId);
      return CompletableFuture.completedFuture(
          new Who(
              new Uploads.Uploader(siteId, "visitor", visitor.visitorId()),
              Caller.visitor(siteId, visitor.visitorId())));
    } catch (Tokens.Refused notVisitor) {
      Tokens.AgentClaims claims;
      try {
        claims = tokens.verifyAgent(token);
      } catch (Tokens.Refused refused) {
        return CompletableFuture.failedFuture(
            ApiError.unauthorized(
                refused.expired() || notVisitor.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN,
                "the token is not valid for this site"));
      }
      return CompletableFuture.supplyAsync(
          () -> {
            AgentAccess.Granted granted =
                AgentAccess.check(claims, directory)
                    .orElseThrow(() -> ApiError.unauthorized(ErrorCode.INVALID_TOKEN, AgentAccess.ACCESS_CHANGED));
            if (claims.scope() != Tokens.Scope.FULL) {
              throw new ApiError(
                  403, ErrorCode.TWO_FACTOR_ENROLMENT_REQUIRED, "set up two-factor sign-in first", null);
            }
            if (!granted.roles().containsKey(siteId)) {
              throw ApiError.notFound("no such site of yours");
            }
            return new Who(
                new Uploads.Uploader(siteId, "agent", claims.accountId()),
                Caller.agent(claims.accountId(), granted.roles()));
          },
          blocking);
    }
  }

  /** Counts an upload request of the caller; refuses it with 429 past the rate. */
  public void countUpload(Who who) {
    Bucket bucket =
        buckets.get(
            who.viewer() + "@" + who.uploader().siteId(),
            k ->
                Bucket.builder()
                    .addLimit(
                        Bandwidth.builder()
                            .capacity(requestsPerMinute)
                            .refillGreedy(requestsPerMinute, Duration.ofMinutes(1))
                            .build())
                    .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      throw ApiError.rateLimited(
          "too many uploads; wait a little", Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1));
    }
  }

  /**
   * Whether the caller may see the file: its uploader always; anyone else only when the file is attached to a
   * conversation that lets them see it.
   */
  public CompletionStage<Boolean> maySee(Who who, Upload file) {
    if (!file.siteId().equals(who.uploader().siteId())) {
      return CompletableFuture.completedFuture(false);
    }
    if (file.ownerRole().equals(who.uploader().role()) && file.ownerId().equals(who.uploader().id())) {
      return CompletableFuture.completedFuture(true);
    }
    if (file.conversationId() == null) {
      return CompletableFuture.completedFuture(false);
    }
    return sharding
        .entityRefFor(Conversation.ENTITY_KEY, file.conversationId())
        .<StatusReply<Conversation.Summary>>ask(replyTo -> new Conversation.GetSummary(who.caller(), replyTo), askTimeout)
        .thenApplyAsync(
            reply ->
                reply.isSuccess()
                    && file.siteId().equals(reply.getValue().siteId())
                    && (who.caller().isAgent() || who.uploader().id().equals(reply.getValue().visitorId())),
            blocking);
  }
}
