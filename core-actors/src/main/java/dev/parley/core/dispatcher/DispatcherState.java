package dev.parley.core.dispatcher;

import static dev.parley.core.dispatcher.Dispatcher.MAX_MISSED;
import static dev.parley.core.dispatcher.Dispatcher.MAX_REMEMBERED_TRANSFERS;
import static dev.parley.core.dispatcher.Dispatcher.MAX_REMEMBERED_VISITORS;

import dev.parley.core.dispatcher.Dispatcher.AssignedTo;
import dev.parley.core.dispatcher.Dispatcher.Assignment;
import dev.parley.core.dispatcher.Dispatcher.Dequeued;
import dev.parley.core.dispatcher.Dispatcher.JoinConfirmed;
import dev.parley.core.dispatcher.Dispatcher.JoinDecided;
import dev.parley.core.dispatcher.Dispatcher.Missed;
import dev.parley.core.dispatcher.Dispatcher.MissedEntry;
import dev.parley.core.dispatcher.Dispatcher.QueueSnapshot;
import dev.parley.core.dispatcher.Dispatcher.Queued;
import dev.parley.core.dispatcher.Dispatcher.Released;
import dev.parley.core.dispatcher.Dispatcher.TransferAbandoned;
import dev.parley.core.dispatcher.Dispatcher.TransferConfirmed;
import dev.parley.core.dispatcher.Dispatcher.TransferDecided;
import dev.parley.core.dispatcher.Dispatcher.TransferDone;
import dev.parley.core.dispatcher.Dispatcher.VisitorAgent;
import dev.parley.core.dispatcher.Dispatcher.Waiting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Dispatcher} persists: the waiting queue, who holds which conversation and each agent's load, the
 * last agent of recent visitors, and the missed conversations. One method per event ({@link
 * DispatcherBehavior#eventHandler()}). Mutable, owned by the entity actor; snapshots go through {@link
 * QueueSnapshot}.
 */
public final class DispatcherState {
  final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();
  final Map<String, Assignment> assigned = new HashMap<>();
  final Map<String, Integer> load = new HashMap<>();
  final LinkedHashMap<String, String> lastAgentOfVisitor = new LinkedHashMap<>();
  /** Missed conversations, oldest first, at most {@link Dispatcher#MAX_MISSED}; value: when it was missed. */
  final LinkedHashMap<String, MissedEntry> missed = new LinkedHashMap<>();
  /** Claims decided whose join the conversation has not confirmed yet: re-driven until it does. */
  final Map<String, Assignment> pendingJoins = new LinkedHashMap<>();
  /** Transfers decided whose conversation has not recorded them yet, by conversation: re-driven until it does. */
  final Map<String, TransferDecided> pendingTransfers = new LinkedHashMap<>();
  /**
   * Transfers recorded lately, by transfer id, oldest first, at most {@link Dispatcher#MAX_REMEMBERED_TRANSFERS}:
   * a transfer resent after its answer was lost (a crash, a reconnect) is answered with the same seq.
   */
  final LinkedHashMap<String, TransferDone> recentTransfers = new LinkedHashMap<>();

  DispatcherState queued(Queued q) {
    waiting.put(
        q.conversationId(), new Waiting(q.conversationId(), q.visitorId(), q.since(), q.group(), q.clientKey()));
    return this;
  }

  DispatcherState dequeued(Dequeued d) {
    waiting.remove(d.conversationId());
    pendingTransfers.remove(d.conversationId()); // closed while waiting after a transfer to a group
    return this;
  }

  DispatcherState missed(Missed m) {
    missed.put(
        m.conversationId(),
        new MissedEntry(new Waiting(m.conversationId(), m.visitorId(), m.since(), m.group()), m.at()));
    if (missed.size() > MAX_MISSED) {
      missed.remove(missed.keySet().iterator().next());
    }
    return this;
  }

  /** A transfer, or a join the conversation reported itself: nothing left to drive. */
  DispatcherState assignedTo(AssignedTo a) {
    waiting.remove(a.conversationId());
    pendingJoins.remove(a.conversationId());
    assign(new Assignment(a.conversationId(), a.visitorId(), a.agentId()));
    return this;
  }

  DispatcherState joinDecided(JoinDecided d) {
    waiting.remove(d.conversationId());
    Assignment a = new Assignment(d.conversationId(), d.visitorId(), d.agentId());
    assign(a);
    pendingJoins.put(d.conversationId(), a);
    return this;
  }

  DispatcherState joinConfirmed(JoinConfirmed c) {
    Assignment pending = pendingJoins.get(c.conversationId());
    if (pending != null && pending.agentId().equals(c.agentId())) {
      pendingJoins.remove(c.conversationId());
    }
    return this;
  }

  DispatcherState released(Released r) {
    pendingJoins.remove(r.conversationId());
    pendingTransfers.remove(r.conversationId());
    unassign(r.conversationId());
    return this;
  }

  /** The decision applies at once (capacity of both agents, the queue); the conversation records it later. */
  DispatcherState transferDecided(TransferDecided d) {
    String id = d.conversationId();
    pendingJoins.remove(id);
    if (d.toAgentId() != null) {
      waiting.remove(id);
      assign(new Assignment(id, d.visitorId(), d.toAgentId()));
    } else {
      unassign(id);
      waiting.put(id, new Waiting(id, d.visitorId(), d.at(), d.toGroup()));
    }
    pendingTransfers.put(id, d);
    return this;
  }

  DispatcherState transferConfirmed(TransferConfirmed c) {
    TransferDecided pending = pendingTransfers.get(c.conversationId());
    if (pending != null && pending.transferId().equals(c.transferId())) {
      pendingTransfers.remove(c.conversationId());
    }
    recentTransfers.remove(c.transferId());
    recentTransfers.put(c.transferId(), new TransferDone(c.transferId(), c.conversationId(), c.seq()));
    if (recentTransfers.size() > MAX_REMEMBERED_TRANSFERS) {
      recentTransfers.remove(recentTransfers.keySet().iterator().next());
    }
    return this;
  }

  /** Takes a refused transfer back, unless the conversation moved on meanwhile (claimed, closed, transferred). */
  DispatcherState transferAbandoned(TransferAbandoned a) {
    String id = a.conversationId();
    TransferDecided d = pendingTransfers.get(id);
    if (d == null || !d.transferId().equals(a.transferId())) {
      return this;
    }
    pendingTransfers.remove(id);
    boolean asDecided =
        d.toAgentId() != null ? d.toAgentId().equals(agentOf(id)) : waiting.containsKey(id) && !assigned.containsKey(id);
    if (asDecided) {
      waiting.remove(id);
      assign(new Assignment(id, d.visitorId(), d.fromAgentId()));
    }
    return this;
  }

  private void unassign(String conversationId) {
    Assignment gone = assigned.remove(conversationId);
    if (gone != null) {
      load.merge(gone.agentId(), -1, Integer::sum);
      load.remove(gone.agentId(), 0);
    }
  }

  private void assign(Assignment a) {
    Assignment before = assigned.put(a.conversationId(), a);
    if (before != null) {
      load.merge(before.agentId(), -1, Integer::sum);
      load.remove(before.agentId(), 0);
    }
    load.merge(a.agentId(), 1, Integer::sum);
    if (a.visitorId() != null) {
      lastAgentOfVisitor.remove(a.visitorId());
      lastAgentOfVisitor.put(a.visitorId(), a.agentId());
      if (lastAgentOfVisitor.size() > MAX_REMEMBERED_VISITORS) {
        lastAgentOfVisitor.remove(lastAgentOfVisitor.keySet().iterator().next());
      }
    }
  }

  public List<Waiting> list() {
    return List.copyOf(waiting.values());
  }

  /** Conversations of {@code clientKey} waiting now (a scan: the queue is bounded by {@link Dispatcher#MAX_WAITING}). */
  int waitingOf(String clientKey) {
    int n = 0;
    for (Waiting w : waiting.values()) {
      if (clientKey.equals(w.clientKey())) {
        n++;
      }
    }
    return n;
  }

  public int loadOf(String agentId) {
    return load.getOrDefault(agentId, 0);
  }

  public String agentOf(String conversationId) {
    Assignment a = assigned.get(conversationId);
    return a == null ? null : a.agentId();
  }

  /** A conversation's rank in the queue (1 is next), or 0 when it does not wait. */
  int positionOf(String conversationId) {
    int i = 1;
    for (String id : waiting.keySet()) {
      if (id.equals(conversationId)) {
        return i;
      }
      i++;
    }
    return 0;
  }

  QueueSnapshot toSnapshot() {
    List<VisitorAgent> last = new ArrayList<>(lastAgentOfVisitor.size());
    lastAgentOfVisitor.forEach((v, a) -> last.add(new VisitorAgent(v, a)));
    return new QueueSnapshot(
        list(),
        List.copyOf(assigned.values()),
        last,
        List.copyOf(missed.values()),
        List.copyOf(pendingJoins.values()),
        List.copyOf(pendingTransfers.values()),
        List.copyOf(recentTransfers.values()));
  }

  static DispatcherState fromSnapshot(QueueSnapshot snapshot) {
    DispatcherState state = new DispatcherState();
    snapshot.waiting().forEach(w -> state.waiting.put(w.conversationId(), w));
    if (snapshot.lastAgents() != null) {
      snapshot.lastAgents().forEach(v -> state.lastAgentOfVisitor.put(v.visitorId(), v.agentId()));
    }
    if (snapshot.assigned() != null) {
      snapshot.assigned().forEach(state::assign);
    }
    if (snapshot.pendingJoins() != null) {
      snapshot.pendingJoins().forEach(a -> state.pendingJoins.put(a.conversationId(), a));
    }
    if (snapshot.pendingTransfers() != null) {
      snapshot.pendingTransfers().forEach(t -> state.pendingTransfers.put(t.conversationId(), t));
    }
    if (snapshot.recentTransfers() != null) {
      snapshot.recentTransfers().forEach(t -> state.recentTransfers.put(t.transferId(), t));
    }
    if (snapshot.missed() != null) {
      snapshot.missed().forEach(m -> state.missed.put(m.conversation().conversationId(), m));
    }
    return state;
  }
}
