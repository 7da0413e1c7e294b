package dev.parley.core.dispatcher;

import dev.parley.core.common.Watchers;
import dev.parley.core.dispatcher.Dispatcher.AgentNotice;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Which agents of a site have a connection here and whether each takes chats ({@code online}): memory only, owned
 * by the {@link DispatcherBehavior}'s actor. Agents' sessions announce themselves again within a renewal period
 * after a restart, so nothing here needs to be persisted. Bounded by {@link Dispatcher#MAX_AGENT_SESSIONS}.
 */
final class AgentPresence {

  /** One agent's open connections. */
  private static final class Presence {
    boolean online;
    final Set<ActorRef<AgentNotice>> sessions = new HashSet<>();
  }

  private final Map<String, Presence> present = new HashMap<>();
  /** Agent sessions present, and whose. */
  private final Watchers<AgentNotice, String> agentOfSession;

  AgentPresence(Watchers.DeathWatch deathWatch) {
    this.agentOfSession = new Watchers<>(deathWatch, Dispatcher.MAX_AGENT_SESSIONS);
  }

  /** The outcome of an announcement. */
  enum Announced {
    /** Too many sessions: not admitted. */
    REFUSED,
    /** The agent was online and is no longer: their offers are to be withdrawn. */
    WENT_OFFLINE,
    ADMITTED
  }

  Announced announce(String agentId, boolean online, ActorRef<AgentNotice> session) {
    if (!agentOfSession.add(session, agentId)) {
      return Announced.REFUSED;
    }
    Presence p = present.computeIfAbsent(agentId, a -> new Presence());
    p.sessions.add(session);
    boolean wasOnline = p.online;
    p.online = online;
    return wasOnline && !online ? Announced.WENT_OFFLINE : Announced.ADMITTED;
  }

  int sessionCount() {
    return agentOfSession.size();
  }

  boolean isSession(ActorRef<?> ref) {
    return agentOfSession.contains(ref);
  }

  /** The agent of a session, or null when it is not one. */
  String agentOf(ActorRef<?> session) {
    return agentOfSession.get(session);
  }

  /** A session said it left: it is forgotten as if it had stopped. */
  void forget(ActorRef<AgentNotice> session) {
    agentOfSession.remove(session);
  }

  /**
   * A session of {@code agentId} is gone (already forgotten by the watchers); true when that was the agent's
   * last session, so that its offers are to be withdrawn.
   */
  boolean sessionGone(ActorRef<AgentNotice> session, String agentId) {
    Presence p = present.get(agentId);
    if (p == null) {
      return false;
    }
    p.sessions.remove(session);
    if (p.sessions.isEmpty()) {
      present.remove(agentId);
      return true;
    }
    return false;
  }

  /** Connected agents and whether each takes chats. */
  Map<String, Boolean> online() {
    Map<String, Boolean> online = new HashMap<>();
    present.forEach((agentId, presence) -> online.put(agentId, presence.online));
    return online;
  }

  boolean anyoneOnline() {
    return present.values().stream().anyMatch(p -> p.online);
  }

  /** Tells every connection of an agent; nothing when the agent has none here. */
  void tell(String agentId, AgentNotice notice) {
    Presence p = present.get(agentId);
    if (p != null) {
      p.sessions.forEach(s -> s.tell(notice));
    }
  }
}
