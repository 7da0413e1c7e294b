package dev.parley.core.dispatcher;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a dispatcher carries out an assignment it decided: it tells the conversation that the agent joined. The
 * conversation's own claim is idempotent for the same agent, so a retry after a timeout is safe.
 */
public interface DispatcherPeers {

  /**
   * Completes when the conversation's timeline says the agent joined; fails with {@link
   * org.apache.pekko.pattern.StatusReply.ErrorMessage} when the conversation refused (closed, unknown, taken by
   * someone who bypassed the dispatcher), or with a timeout.
   */
  CompletionStage<?> join(String siteId, String conversationId, String agentId);

  /** For dispatchers whose assignments need no conversation (tests of the queue alone). */
  DispatcherPeers NONE = (siteId, conversationId, agentId) -> CompletableFuture.completedFuture(null);
}
