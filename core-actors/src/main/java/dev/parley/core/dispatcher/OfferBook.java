package dev.parley.core.dispatcher;

import dev.parley.core.dispatcher.Dispatcher.Offer;
import dev.parley.core.dispatcher.Dispatcher.OfferEnded;
import dev.parley.core.dispatcher.Dispatcher.Waiting;
import dev.parley.core.routing.SiteRouting;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The offers in flight at one site and what the policy remembers between decisions: who passed on what, when
 * each agent was last offered a chat, the round-robin cursors. Memory only, owned by the {@link
 * DispatcherBehavior}'s actor: after a restart offers simply start again. It asks {@link OfferPolicy} (a pure
 * function) who is offered what and tells agents through {@link AgentPresence}.
 */
final class OfferBook {

  private record OfferMade(String agentId, Instant expiresAt) {}

  private final String siteId;
  private final AgentPresence presence;
  private final LinkedHashMap<String, OfferMade> offers = new LinkedHashMap<>();
  /** Agents who declined or let expire an offer of a conversation, cleared when everyone has passed. */
  private final Map<String, Set<String>> passedBy = new HashMap<>();
  private final Map<String, Instant> lastOfferedAt = new HashMap<>();
  /** Round-robin cursor per group key ("" for the whole site): the agent id offered last. */
  private final Map<String, String> roundRobinLast = new HashMap<>();

  OfferBook(String siteId, AgentPresence presence) {
    this.siteId = siteId;
    this.presence = presence;
  }

  /** The agent a conversation is offered to now, or null. */
  String offeredTo(String conversationId) {
    OfferMade offer = offers.get(conversationId);
    return offer == null ? null : offer.agentId();
  }

  /** Asks the policy who is offered what now, and makes those offers. */
  void decide(SiteRouting config, Instant now, DispatcherState state) {
    Map<String, String> out = new HashMap<>();
    offers.forEach((id, offer) -> out.put(id, offer.agentId()));
    OfferPolicy.Decision decision =
        OfferPolicy.decide(
            new OfferPolicy.Input(
                config, now, state.list(), presence.online(), state.load, out, passedBy, lastOfferedAt,
                roundRobinLast, state.lastAgentOfVisitor));
    decision.passedReset().forEach(passedBy::remove);
    roundRobinLast.putAll(decision.roundRobinLast());
    for (OfferPolicy.Offer o : decision.offers()) {
      offer(state.waiting.get(o.conversationId()), o.agentId(), now, config);
    }
  }

  private void offer(Waiting w, String agentId, Instant now, SiteRouting config) {
    Instant expiresAt = now.plus(config.offerTimeout());
    offers.put(w.conversationId(), new OfferMade(agentId, expiresAt));
    lastOfferedAt.put(agentId, now);
    presence.tell(agentId, new Offer(siteId, w.conversationId(), w.visitorId(), w.group(), expiresAt));
  }

  /** Offers not accepted in time end as {@code expired}; their agents count as having passed. */
  void expire(Instant now) {
    for (Map.Entry<String, OfferMade> e : new ArrayList<>(offers.entrySet())) {
      if (!e.getValue().expiresAt().isAfter(now)) {
        passed(e.getKey(), e.getValue().agentId());
        end(e.getKey(), "expired");
      }
    }
  }

  /** The agent passes on its offer; false when the offer is not theirs (then nothing changes). */
  boolean decline(String conversationId, String agentId) {
    OfferMade offer = offers.get(conversationId);
    if (offer == null || !offer.agentId().equals(agentId)) {
      return false;
    }
    passed(conversationId, agentId);
    end(conversationId, "declined");
    return true;
  }

  private void passed(String conversationId, String agentId) {
    Set<String> set = passedBy.computeIfAbsent(conversationId, k -> new HashSet<>());
    if (set.size() < Dispatcher.MAX_AGENT_SESSIONS) {
      set.add(agentId);
    }
  }

  /** Ends the offer of a conversation, if any, telling its agent why. */
  void end(String conversationId, String reason) {
    OfferMade offer = offers.remove(conversationId);
    if (offer != null) {
      presence.tell(offer.agentId(), new OfferEnded(siteId, conversationId, reason));
    }
  }

  /** The conversation was taken or left the queue: its offer ends and who passed on it is forgotten. */
  void settled(String conversationId, String reason) {
    end(conversationId, reason);
    passedBy.remove(conversationId);
  }

  void withdrawAllOf(String agentId) {
    for (Map.Entry<String, OfferMade> e : new ArrayList<>(offers.entrySet())) {
      if (e.getValue().agentId().equals(agentId)) {
        end(e.getKey(), "withdrawn");
      }
    }
  }

  /** Every offer is re-decided (the configuration changed). */
  void withdrawAll() {
    new ArrayList<>(offers.keySet()).forEach(id -> end(id, "withdrawn"));
  }
}
