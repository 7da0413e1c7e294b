package dev.parley.core.dispatcher;

import dev.parley.core.routing.Policy;
import dev.parley.core.routing.SiteRouting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which waiting conversation is offered to which agent now: the site's routing policy (docs/ROUTING.md) as a plain
 * function of values — the queue, who is online with how much work, the offers out, who passed, the site's
 * configuration and the time. The {@link Dispatcher} holds the state, persists and talks; this decides.
 *
 * <p>Rules, in order: nothing is offered outside the site's working hours; a conversation with an offer out is
 * skipped; a group with the {@link Policy#MANUAL} policy offers nothing (agents pick from the queue); the
 * candidates are online agents below their capacity (counting offers out) who are members of the conversation's
 * group, or of its overflow group once it waited long enough (a group outside its hours is not eligible); agents
 * who passed on the conversation are skipped until everyone has passed; a returning visitor goes back to the
 * agent they spoke to; otherwise {@link Policy#ROUND_ROBIN} takes the next agent by id after the last one offered
 * in that group, and {@link Policy#LEAST_BUSY} the agent with the fewest conversations, then the one offered
 * longest ago, then by id.
 */
public final class OfferPolicy {

  private OfferPolicy() {}

  /** Everything a decision depends on. Maps are read only; absent keys mean "none". */
  public record Input(
      SiteRouting config,
      Instant now,
      List<Dispatcher.Waiting> waiting,
      /** Agents with an open connection: whether each is online (takes chats) and its assigned conversations. */
      Map<String, Boolean> online,
      Map<String, Integer> load,
      /** Offers out: conversation id to the agent it is offered to. */
      Map<String, String> offers,
      Map<String, Set<String>> passedBy,
      Map<String, Instant> lastOfferedAt,
      /** Per group ("" for the whole site): the agent offered last, for round robin. */
      Map<String, String> roundRobinLast,
      Map<String, String> lastAgentOfVisitor) {}

  /** One new offer. */
  public record Offer(String conversationId, String agentId) {}

  /**
   * The new offers in queue order, the round-robin cursors they moved, and the conversations whose "passed" list
   * starts over because every candidate had passed.
   */
  public record Decision(List<Offer> offers, Map<String, String> roundRobinLast, Set<String> passedReset) {}

  public static Decision decide(Input in) {
    List<Offer> offers = new ArrayList<>();
    Map<String, String> cursors = new HashMap<>();
    Set<String> reset = new HashSet<>();
    SiteRouting config = in.config();
    if (config.hours() != null && !config.hours().isOpen(in.now())) {
      return new Decision(offers, cursors, reset); // outside the site's hours: conversations wait as messages
    }
    Map<String, Integer> busy = new HashMap<>();
    in.online().keySet().forEach(agent -> busy.put(agent, in.load().getOrDefault(agent, 0)));
    // An offer made in this pass counts as the newest offer of its agent for the choices after it.
    Map<String, Instant> offeredAt = new HashMap<>(in.lastOfferedAt());
    in.offers().values().forEach(agent -> busy.merge(agent, 1, Integer::sum));
    for (Dispatcher.Waiting w : in.waiting()) {
      if (in.offers().containsKey(w.conversationId())) {
        continue;
      }
      Policy policy = config.policyOf(w.group());
      if (policy == Policy.MANUAL) {
        continue;
      }
      Set<String> groups = eligibleGroups(config, w, in.now());
      List<String> candidates = new ArrayList<>();
      in.online().forEach((agent, isOnline) -> {
        if (isOnline
            && busy.getOrDefault(agent, 0) < config.capacityOf(agent)
            && memberOfAny(config, agent, groups)) {
          candidates.add(agent);
        }
      });
      if (candidates.isEmpty()) {
        continue;
      }
      Set<String> passed = reset.contains(w.conversationId())
          ? Set.of()
          : in.passedBy().getOrDefault(w.conversationId(), Set.of());
      List<String> fresh = candidates.stream().filter(a -> !passed.contains(a)).toList();
      if (fresh.isEmpty()) {
        reset.add(w.conversationId()); // everyone passed: a new round starts
        fresh = candidates;
      }
      String chosen = choose(in, w, policy, fresh, busy, offeredAt, cursors);
      offers.add(new Offer(w.conversationId(), chosen));
      busy.merge(chosen, 1, Integer::sum);
      offeredAt.put(chosen, in.now());
    }
    return new Decision(offers, cursors, reset);
  }

  /** The conversation's group (null: the whole site), plus its overflow group once it waited long enough. */
  public static Set<String> eligibleGroups(SiteRouting config, Dispatcher.Waiting w, Instant now) {
    Set<String> groups = new LinkedHashSet<>();
    if (w.group() == null) {
      groups.add(null);
      return groups;
    }
    config.group(w.group()).ifPresent(g -> {
      if (g.hours() == null || g.hours().isOpen(now)) {
        groups.add(g.id());
      }
      if (g.overflowGroup() != null
          && g.overflowAfter() != null
          && !Duration.between(w.since(), now).minus(g.overflowAfter()).isNegative()) {
        config.group(g.overflowGroup())
            .filter(o -> o.hours() == null || o.hours().isOpen(now))
            .ifPresent(o -> groups.add(o.id()));
      }
    });
    return groups;
  }

  /** Whether {@code agentId} belongs to one of {@code groups} (a null group is the whole site). */
  public static boolean memberOfAny(SiteRouting config, String agentId, Set<String> groups) {
    if (groups.contains(null)) {
      return true;
    }
    for (String g : groups) {
      if (config.group(g).map(group -> group.members().contains(agentId)).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  private static String choose(
      Input in,
      Dispatcher.Waiting w,
      Policy policy,
      List<String> candidates,
      Map<String, Integer> busy,
      Map<String, Instant> offeredAt,
      Map<String, String> cursors) {
    String previous = w.visitorId() == null ? null : in.lastAgentOfVisitor().get(w.visitorId());
    if (previous != null && candidates.contains(previous)) {
      return previous; // a returning visitor goes back to the agent they spoke to
    }
    if (policy == Policy.ROUND_ROBIN) {
      String key = w.group() == null ? "" : w.group();
      TreeSet<String> ordered = new TreeSet<>(candidates);
      String last = cursors.containsKey(key) ? cursors.get(key) : in.roundRobinLast().get(key);
      String next = last == null ? null : ordered.higher(last);
      String chosen = next != null ? next : ordered.first();
      cursors.put(key, chosen);
      return chosen;
    }
    return candidates.stream()
        .min(
            Comparator.<String>comparingInt(a -> busy.getOrDefault(a, 0))
                .thenComparing(a -> offeredAt.getOrDefault(a, Instant.MIN))
                .thenComparing(a -> a))
        .orElseThrow();
  }
}
