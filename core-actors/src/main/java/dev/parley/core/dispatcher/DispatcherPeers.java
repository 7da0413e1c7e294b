package dev.parley.core.dispatcher;

import dev.parley.core.conversation.Conversation;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a dispatcher reaches the conversations it decides about: it has them record a join it decided, asks the
 * facts of one it has not seen, has it record transfers, asks for idle checks. The conversation's own claim is
 * idempotent for the same agent and its transfer on the transfer's id, so a retry after a timeout is safe.
 */
public interface DispatcherPeers {

  /**
   * Completes with the conversation's {@code joined} entry (a repeat answers the same one); fails with {@link
   * org.apache.pekko.pattern.StatusReply.ErrorMessage} when the conversation refused (closed, unknown, taken by
   * someone who bypassed the dispatcher), or with a timeout.
   */
  CompletionStage<Conversation.Claimed> join(String siteId, String conversationId, String agentId);

  /** The facts of a conversation (its site, status and holder), with no caller's access check. */
  CompletionStage<Conversation.Facts> facts(String siteId, String conversationId);

  /** Asks an assigned conversation to warn or close if its visitor has been silent too long; fire and forget. */
  default void closeIfIdle(String conversationId, Duration after, Duration notice) {}

  /**
   * Has the conversation record a transfer the dispatcher decided (and its note); idempotent on its id, so a retry
   * after a timeout answers the same seq. Fails like {@link #join}. By default (tests of the queue alone) every
   * transfer is recorded at once as entry 0.
   */
  default CompletionStage<Conversation.TransferRecorded> transfer(String siteId, Dispatcher.TransferDecided decided) {
    return CompletableFuture.completedFuture(new Conversation.TransferRecorded(decided.conversationId(), 0));
  }

  /**
   * For dispatchers whose assignments need no conversation (tests of the queue alone): every join is entry 2 and
   * every conversation asked about waits at the asking site.
   */
  DispatcherPeers NONE =
      new DispatcherPeers() {
        @Override
        public CompletionStage<Conversation.Claimed> join(String siteId, String conversationId, String agentId) {
          return CompletableFuture.completedFuture(new Conversation.Claimed(conversationId, 2));
        }

        @Override
        public CompletionStage<Conversation.Facts> facts(String siteId, String conversationId) {
          return CompletableFuture.completedFuture(waitingAt(siteId, conversationId));
        }
      };

  /** The facts of a conversation that waits at {@code siteId} for anyone, since now: for tests. */
  static Conversation.Facts waitingAt(String siteId, String conversationId) {
    return new Conversation.Facts(
        conversationId, siteId, "v-" + conversationId, Conversation.Status.WAITING, null, 0, Instant.now(), null);
  }
}
