package dev.parley.core.dispatcher;

import dev.parley.core.dispatcher.Dispatcher.Command;
import dev.parley.core.dispatcher.Dispatcher.Handed;
import dev.parley.core.dispatcher.Dispatcher.JoinSettled;
import dev.parley.core.dispatcher.Dispatcher.Joined;
import dev.parley.core.dispatcher.Dispatcher.Transfer;
import dev.parley.core.dispatcher.Dispatcher.TransferDecided;
import dev.parley.core.dispatcher.Dispatcher.TransferSettled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a dispatcher has asked its conversations to record and not heard back yet, and who waits for the answers:
 * the joins of claims and the transfers it decided (persisted as pending in {@link DispatcherState}). Each is asked
 * once at a time — a tick or a recovery asks again only what is not in flight — and the answer comes back to the
 * actor as {@link JoinSettled} or {@link TransferSettled}. Claimers and transfer requesters are answered once the
 * conversation recorded it, at most {@link DispatcherBehavior#MAX_CLAIM_WAITERS} each (the oldest, long timed out,
 * is dropped). A transfer that arrives while an earlier decision about its conversation is being recorded waits
 * here, in order. Memory only, owned by the dispatcher's actor.
 */
final class Drives {

  private final String siteId;
  private final DispatcherPeers peers;
  private final ActorContext<Command> context;
  /** Conversations asked to record a join and not answered yet. */
  private final Set<String> joinsInFlight = new HashSet<>();
  /** Transfers (by id) asked of their conversation and not answered yet. */
  private final Set<String> transfersInFlight = new HashSet<>();
  /** Claimers by conversation id. */
  private final Map<String, List<ActorRef<StatusReply<Joined>>>> claimers = new HashMap<>();
  /** Transfer requesters by transfer id. */
  private final Map<String, List<ActorRef<StatusReply<Handed>>>> transferRequesters = new HashMap<>();
  /** Transfers waiting behind an earlier decision about their conversation, by conversation id. */
  private final Map<String, List<Transfer>> transfersBehind = new HashMap<>();

  Drives(String siteId, DispatcherPeers peers, ActorContext<Command> context) {
    this.siteId = siteId;
    this.peers = peers;
    this.context = context;
  }

  /** Has the conversation record the join of {@code agentId}, unless already asked and not answered yet. */
  void join(String conversationId, String agentId) {
    if (!joinsInFlight.add(conversationId)) {
      return;
    }
    ActorRef<Command> self = context.getSelf();
    // Completed on the actor system's dispatcher, not the common pool (see ../shared/STACK.md).
    peers
        .join(siteId, conversationId, agentId)
        .whenCompleteAsync(
            (claimed, failure) ->
                self.tell(
                    new JoinSettled(
                        conversationId, agentId, claimed == null ? 0 : claimed.seq(), unwrap(failure))),
            context.getExecutionContext());
  }

  void joinAnswered(String conversationId) {
    joinsInFlight.remove(conversationId);
  }

  /** Has the conversation record a decided transfer, unless already asked and not answered yet. */
  void transfer(TransferDecided decided) {
    if (!transfersInFlight.add(decided.transferId())) {
      return;
    }
    ActorRef<Command> self = context.getSelf();
    peers
        .transfer(siteId, decided)
        .whenCompleteAsync(
            (recorded, failure) ->
                self.tell(
                    new TransferSettled(
                        decided.transferId(),
                        decided.conversationId(),
                        recorded == null ? 0 : recorded.seq(),
                        unwrap(failure))),
            context.getExecutionContext());
  }

  void transferAnswered(String transferId) {
    transfersInFlight.remove(transferId);
  }

  void awaitJoin(String conversationId, ActorRef<StatusReply<Joined>> replyTo) {
    add(claimers, conversationId, replyTo);
  }

  void answerClaims(String conversationId, StatusReply<Joined> answer) {
    List<ActorRef<StatusReply<Joined>>> waiting = claimers.remove(conversationId);
    if (waiting != null) {
      waiting.forEach(r -> r.tell(answer));
    }
  }

  void awaitTransfer(String transferId, ActorRef<StatusReply<Handed>> replyTo) {
    add(transferRequesters, transferId, replyTo);
  }

  void answerTransfer(String transferId, StatusReply<Handed> answer) {
    List<ActorRef<StatusReply<Handed>>> waiting = transferRequesters.remove(transferId);
    if (waiting != null) {
      waiting.forEach(r -> r.tell(answer));
    }
  }

  /** Keeps a transfer for when the decision in flight about its conversation is recorded. */
  void behind(Transfer transfer) {
    add(transfersBehind, transfer.conversationId(), transfer);
  }

  /** The transfers that waited behind the last decision about {@code conversationId}, in order; they leave. */
  List<Transfer> releaseBehind(String conversationId) {
    List<Transfer> behind = transfersBehind.remove(conversationId);
    return behind != null ? behind : List.of();
  }

  private static <T> void add(Map<String, List<T>> waiting, String key, T value) {
    List<T> list = waiting.computeIfAbsent(key, k -> new ArrayList<>());
    if (list.size() >= DispatcherBehavior.MAX_CLAIM_WAITERS) {
      list.remove(0); // the oldest has timed out at its sender by now, who resends it with the same id
    }
    list.add(value);
  }

  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
