package dev.parley.core.dispatcher;

import dev.parley.core.agent.Agent;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** {@link DispatcherPeers} through cluster sharding. */
public final class ShardedDispatcherPeers implements DispatcherPeers {

  /** How long the dispatcher waits for a conversation to confirm a join before retrying on its next tick. */
  public static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterSharding sharding;

  public ShardedDispatcherPeers(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  /**
   * The conversation records the join, then the agent's own list gains it (acknowledged once persisted), so that a
   * claim answered is in the agent's list on any node, even right after a restart. The routing feed delivers the
   * same note again later; the agent ignores a repeat. Both steps are idempotent, so a retry after a timeout is safe.
   * Completes on the thread that completed the ask (an actor system's, never the common pool).
   */
  @Override
  public CompletionStage<Conversation.Claimed> join(String siteId, String conversationId, String agentId) {
    Caller agent = Caller.agent(agentId, Set.of(siteId));
    return sharding
        .entityRefFor(Conversation.ENTITY_KEY, conversationId)
        .<Conversation.Claimed>askWithStatus(replyTo -> new Conversation.Claim(agent, replyTo), JOIN_TIMEOUT)
        .thenCompose(
            claimed ->
                sharding
                    .entityRefFor(Agent.ENTITY_KEY, agentId)
                    .<Done>ask(replyTo -> new Agent.NoteAssigned(conversationId, replyTo), JOIN_TIMEOUT)
                    .thenApply(done -> claimed));
  }

  @Override
  public CompletionStage<Conversation.Facts> facts(String siteId, String conversationId) {
    return sharding
        .entityRefFor(Conversation.ENTITY_KEY, conversationId)
        .ask(Conversation.GetFacts::new, JOIN_TIMEOUT);
  }

  @Override
  public void closeIfIdle(String conversationId, Duration after, Duration notice) {
    sharding
        .entityRefFor(Conversation.ENTITY_KEY, conversationId)
        .tell(new Conversation.CloseIfIdle(after, notice));
  }

  @Override
  public CompletionStage<Conversation.TransferRecorded> transfer(String siteId, Dispatcher.TransferDecided decided) {
    Caller from = Caller.agent(decided.fromAgentId(), Set.of(siteId));
    return sharding
        .entityRefFor(Conversation.ENTITY_KEY, decided.conversationId())
        .askWithStatus(
            replyTo ->
                new Conversation.Transfer(
                    from, decided.transferId(), decided.toAgentId(), decided.toGroup(), decided.note(), replyTo),
            JOIN_TIMEOUT);
  }
}
