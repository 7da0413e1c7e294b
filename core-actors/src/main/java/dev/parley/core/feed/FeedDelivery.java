package dev.parley.core.feed;

import dev.parley.core.agent.Agent;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.visitor.Visitor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Delivers the {@link RoutingFeed}'s effects to the sharded entities and completes once each receiver
 * acknowledged (after persisting what it had to); a timeout fails the delivery, and the feed delivers again. Also
 * asks a conversation for its facts. Effects of one event are delivered one after the other, in order.
 */
public final class FeedDelivery {

  /** How long a receiver may take to acknowledge an effect (a recovering entity included). */
  public static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

  private final ClusterSharding sharding;
  /** Where callbacks run: the actor system's dispatcher, never the common pool (../shared/STACK.md). */
  private final Executor executor;

  public FeedDelivery(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
    this.executor = system.executionContext();
  }

  public CompletionStage<Conversation.Facts> facts(String conversationId) {
    return sharding
        .entityRefFor(Conversation.ENTITY_KEY, conversationId)
        .ask(Conversation.GetFacts::new, ACK_TIMEOUT);
  }

  /** Delivers every effect in order; completes when the last is acknowledged. */
  public CompletionStage<Done> deliverAll(List<RoutingFeed.Effect> effects) {
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (RoutingFeed.Effect effect : effects) {
      chain = chain.thenComposeAsync(done -> deliver(effect), executor);
    }
    return chain;
  }

  public CompletionStage<Done> deliver(RoutingFeed.Effect effect) {
    if (effect instanceof RoutingFeed.Enqueue e) {
      return sharding
          .entityRefFor(Dispatcher.ENTITY_KEY, e.siteId())
          .ask(r -> new Dispatcher.Enqueue(e.conversationId(), e.visitorId(), e.since(), e.hints(), r), ACK_TIMEOUT);
    } else if (effect instanceof RoutingFeed.Remove e) {
      return sharding
          .entityRefFor(Dispatcher.ENTITY_KEY, e.siteId())
          .ask(r -> new Dispatcher.Remove(e.conversationId(), r, e.unanswered()), ACK_TIMEOUT);
    } else if (effect instanceof RoutingFeed.DispatcherNoteAssigned e) {
      return sharding
          .entityRefFor(Dispatcher.ENTITY_KEY, e.siteId())
          .ask(r -> new Dispatcher.NoteAssigned(e.conversationId(), e.visitorId(), e.agentId(), r), ACK_TIMEOUT);
    } else if (effect instanceof RoutingFeed.AgentAssigned e) {
      return sharding
          .entityRefFor(Agent.ENTITY_KEY, e.agentId())
          .ask(r -> new Agent.NoteAssigned(e.conversationId(), r), ACK_TIMEOUT);
    } else if (effect instanceof RoutingFeed.AgentReleased e) {
      return sharding
          .entityRefFor(Agent.ENTITY_KEY, e.agentId())
          .ask(r -> new Agent.NoteReleased(e.conversationId(), r), ACK_TIMEOUT);
    } else if (effect instanceof RoutingFeed.VisitorClosed e) {
      return sharding
          .entityRefFor(Visitor.ENTITY_KEY, Visitor.entityId(e.siteId(), e.visitorId()))
          .ask(r -> new Visitor.NoteConversationClosed(e.conversationId(), r), ACK_TIMEOUT);
    }
    throw new IllegalArgumentException("no delivery for " + effect);
  }
}
