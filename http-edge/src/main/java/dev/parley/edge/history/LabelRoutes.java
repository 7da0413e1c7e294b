package dev.parley.edge.history;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.core.access.SiteRole;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.Principal;
import dev.parley.edge.protocol.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code PUT/DELETE /api/sites/{siteId}/conversations/{id}/labels/{label}}: an agent who may see the conversation
 * labels it or takes a label off. The Conversation entity decides (who may, what a label is, at most 20) and
 * answers once the change is in the journal; the list shows it once the projection has it. Both are idempotent.
 */
public final class LabelRoutes extends ApiRoutes {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public LabelRoutes(ApiContext api, ClusterSharding sharding, Duration askTimeout) {
    super(api);
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            path(
                segment("conversations").slash(segment()).slash("labels").slash(segment()),
                (id, label) ->
                    concat(
                        put(() -> change(siteId, id, label, true)),
                        delete(() -> change(siteId, id, label, false)))));
  }

  private Route change(String siteId, String conversationId, String label, boolean add) {
    return authenticated(
        principal -> {
          Caller caller = callerAt(principal, siteId);
          var conversation = sharding.entityRefFor(Conversation.ENTITY_KEY, conversationId);
          CompletionStage<StatusReply<Conversation.Labelled>> reply =
              conversation.ask(
                  r -> add ? new Conversation.AddLabel(caller, label, r) : new Conversation.RemoveLabel(caller, label, r),
                  askTimeout);
          return reply.handleAsync((r, failure) -> answer(r, failure), api.blocking());
        });
  }

  /** The caller as the entity sees it, for this site only: a conversation of another site is then unknown. */
  private static Caller callerAt(Principal principal, String siteId) {
    SiteRole role = principal.role(siteId).orElseThrow(() -> ApiError.notFound("no such site"));
    return Caller.agent(principal.account().id(), Map.of(siteId, role));
  }

  private static HttpResponse answer(StatusReply<Conversation.Labelled> reply, Throwable failure) {
    if (failure != null) {
      if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
        throw ApiError.overloaded("the conversation did not answer in time; send the request again", 1);
      }
      throw new IllegalStateException("label change failed", failure);
    }
    if (reply.isError()) {
      ErrorCode code = ErrorCode.ofRejectionMessage(reply.getError().getMessage());
      throw switch (code) {
        case INVALID_LABEL -> new ApiError(400, code, "a label is one line of 1 to 40 characters, at most 20 per"
            + " conversation", "label");
        case UNKNOWN_CONVERSATION -> ApiError.notFound("no such conversation");
        default -> new ApiError(409, code, reply.getError().getMessage(), null);
      };
    }
    return json(200, reply.getValue());
  }
}
