package dev.parley.core.conversation;

import dev.parley.core.agent.Agent;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.visitor.Visitor;
import dev.parley.core.routing.RoutingHints;
import java.time.Instant;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** {@link ConversationPeers} through cluster sharding: the peers may live on any node. */
public final class ShardedConversationPeers implements ConversationPeers {

  private final ClusterSharding sharding;

  public ShardedConversationPeers(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  @Override
  public void waiting(String siteId, String conversationId, String visitorId, Instant since) {
    waiting(siteId, conversationId, visitorId, since, RoutingHints.NONE);
  }

  @Override
  public void waiting(
      String siteId, String conversationId, String visitorId, Instant since, RoutingHints hints) {
    sharding
        .entityRefFor(Dispatcher.ENTITY_KEY, siteId)
        .tell(new Dispatcher.Enqueue(conversationId, visitorId, since, hints));
  }

  @Override
  public void assigned(String siteId, String conversationId, String visitorId, String agentId) {
    sharding
        .entityRefFor(Dispatcher.ENTITY_KEY, siteId)
        .tell(new Dispatcher.NoteAssigned(conversationId, visitorId, agentId));
    sharding.entityRefFor(Agent.ENTITY_KEY, agentId).tell(new Agent.NoteAssigned(conversationId));
  }

  @Override
  public void transferred(
      String siteId, String conversationId, String visitorId, String fromAgentId, String toAgentId) {
    // The dispatcher decided the transfer; only the agents' own lists follow.
    sharding.entityRefFor(Agent.ENTITY_KEY, fromAgentId).tell(new Agent.NoteReleased(conversationId));
    if (toAgentId != null) {
      sharding.entityRefFor(Agent.ENTITY_KEY, toAgentId).tell(new Agent.NoteAssigned(conversationId));
    }
  }

  @Override
  public void closed(String siteId, String conversationId, String visitorId, String agentId) {
    sharding.entityRefFor(Dispatcher.ENTITY_KEY, siteId).tell(new Dispatcher.Remove(conversationId));
    if (agentId != null) {
      sharding.entityRefFor(Agent.ENTITY_KEY, agentId).tell(new Agent.NoteReleased(conversationId));
    }
    sharding
        .entityRefFor(Visitor.ENTITY_KEY, Visitor.entityId(siteId, visitorId))
        .tell(new Visitor.NoteConversationClosed(conversationId));
  }
}
