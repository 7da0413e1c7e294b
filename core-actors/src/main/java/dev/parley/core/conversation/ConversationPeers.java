package dev.parley.core.conversation;

import dev.parley.core.routing.RoutingHints;
import java.time.Instant;

/**
 * How a conversation tells the rest of the domain about changes that others track: the site's dispatcher (the
 * waiting queue), the agent it is assigned to and the visitor it belongs to.
 *
 * <p>Every call is a fire-and-forget notification that the receiver handles idempotently; a lost one is repaired
 * by the next (a waiting conversation re-announces itself on recovery and on each visitor message). Production
 * wiring goes through cluster sharding ({@link ShardedConversationPeers}); tests pass probes.
 */
public interface ConversationPeers {

  void waiting(String siteId, String conversationId, String visitorId, Instant since);

  /** {@link #waiting} with what the visitor's opening message said about routing. */
  default void waiting(
      String siteId, String conversationId, String visitorId, Instant since, RoutingHints hints) {
    waiting(siteId, conversationId, visitorId, since);
  }

  void assigned(String siteId, String conversationId, String visitorId, String agentId);

  void closed(String siteId, String conversationId, String visitorId, String agentId);

  /** The conversation moved from one agent to another, or ({@code toAgentId} null) back to a queue. */
  default void transferred(
      String siteId, String conversationId, String visitorId, String fromAgentId, String toAgentId) {}
}
