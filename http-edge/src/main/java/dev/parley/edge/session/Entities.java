package dev.parley.edge.session;

import dev.parley.core.agent.Agent;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.visitor.Visitor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** The sharded entities a session talks to, by id: one place that knows their keys and how their ids are made. */
record Entities(ClusterSharding sharding) {

  EntityRef<Conversation.Command> conversation(String conversationId) {
    return sharding.entityRefFor(Conversation.ENTITY_KEY, conversationId);
  }

  /** A visitor of a site, by the site and the visitor's id. */
  EntityRef<Visitor.Command> visitor(String siteId, String visitorId) {
    return visitor(Visitor.entityId(siteId, visitorId));
  }

  /** A visitor by its entity id ({@link Visitor#entityId}). */
  EntityRef<Visitor.Command> visitor(String entityId) {
    return sharding.entityRefFor(Visitor.ENTITY_KEY, entityId);
  }

  EntityRef<Agent.Command> agent(String agentId) {
    return sharding.entityRefFor(Agent.ENTITY_KEY, agentId);
  }

  /** The dispatcher of a site. */
  EntityRef<Dispatcher.Command> dispatcher(String siteId) {
    return sharding.entityRefFor(Dispatcher.ENTITY_KEY, siteId);
  }
}
