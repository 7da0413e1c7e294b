package dev.parley.core.dispatcher;

import java.time.Duration;
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

  /** Asks an assigned conversation to warn or close if its visitor has been silent too long; fire and forget. */
  default void closeIfIdle(String conversationId, Duration after, Duration notice) {}

  /** Carries out a transfer the dispatcher decided: the conversation records it (and the note). */
  default CompletionStage<?> transfer(
      String siteId, String conversationId, String fromAgentId, String toAgentId, String toGroup, String note) {
    return CompletableFuture.completedFuture(null);
  }

  /** For dispatchers whose assignments need no conversation (tests of the queue alone). */
  DispatcherPeers NONE = (siteId, conversationId, agentId) -> CompletableFuture.completedFuture(null);
}
