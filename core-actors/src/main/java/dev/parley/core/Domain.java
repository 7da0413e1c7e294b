package dev.parley.core;

import dev.parley.core.agent.Agent;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.dispatcher.ShardedDispatcherPeers;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.visitor.Visitor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Starts the domain on one node: registers every sharded entity type with cluster sharding.
 *
 * <p>Every node of a cluster calls {@link #start} once, before it serves traffic. The effects of conversations'
 * events on the other entities are delivered by the routing feed, which the node runs beside the read side
 * ({@code persistence/projection/RoutingFeedProjection}).
 */
public final class Domain {

  private Domain() {}

  public static ClusterSharding start(ActorSystem<?> system) {
    return start(system, RoutingConfig.UNCONFIGURED);
  }

  /** {@code routing}: where dispatchers read their site's routing configuration. */
  public static ClusterSharding start(ActorSystem<?> system, RoutingConfig routing) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Conversation.init(system);
    Visitor.init(system);
    Agent.init(system);
    Dispatcher.init(system, routing, new ShardedDispatcherPeers(sharding));
    return sharding;
  }
}
