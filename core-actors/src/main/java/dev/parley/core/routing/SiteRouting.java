package dev.parley.core.routing;

import dev.parley.core.serialization.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routing configuration of one site, as the dispatcher uses it: an immutable value loaded through {@link
 * RoutingConfig}. Editing, validation and storage live outside the core.
 *
 * @param policy the site's policy; a group may override it
 * @param offerTimeout how long an agent has to accept an offer before it goes to the next agent
 * @param defaultCapacity concurrent chats of an agent without an explicit capacity
 * @param capacities agent id to maximum concurrent chats
 * @param hours the site's working hours; null means always open
 * @param welcomeMessage greeting the widget shows before the visitor writes; null for none
 * @param autoCloseAfter an assigned chat whose visitor has been silent this long is closed (after a notice);
 *     null: never
 * @param agents every account that works for the site (any role), the only possible targets of a transfer; null
 *     when not known (a configuration built for validation or tests), which checks nothing
 */
public record SiteRouting(
    String siteId,
    Policy policy,
    Duration offerTimeout,
    int defaultCapacity,
    Map<String, Integer> capacities,
    List<Group> groups,
    List<UrlRule> urlRules,
    WorkingHours hours,
    String welcomeMessage,
    Duration autoCloseAfter,
    Set<String> agents)
    implements CborSerializable {

  public static final int MAX_WELCOME_MESSAGE_CHARS = 1_000;
  /** The inactivity notice comes this long before the close (or halfway, for shorter limits). */
  public static final Duration AUTO_CLOSE_NOTICE = Duration.ofMinutes(2);


  public static final int MAX_GROUPS = 100;
  public static final int MAX_MEMBERS_PER_GROUP = 1_000;
  public static final int MAX_URL_RULES = 200;
  public static final int MAX_CAPACITY = 100;
  /** Capacity of agents of a site that has never been configured. */
  public static final int UNCONFIGURED_CAPACITY = 20;
  public static final Duration DEFAULT_OFFER_TIMEOUT = Duration.ofSeconds(30);

  public SiteRouting(
      String siteId,
      Policy policy,
      Duration offerTimeout,
      int defaultCapacity,
      Map<String, Integer> capacities,
      List<Group> groups,
      List<UrlRule> urlRules,
      WorkingHours hours,
      String welcomeMessage,
      Duration autoCloseAfter) {
    this(siteId, policy, offerTimeout, defaultCapacity, capacities, groups, urlRules, hours, welcomeMessage,
        autoCloseAfter, null);
  }

  public SiteRouting {
    agents = agents == null ? null : Set.copyOf(agents);
    capacities = Map.copyOf(capacities);
    groups = List.copyOf(groups);
    urlRules = List.copyOf(urlRules);
  }

  /**
   * A skill group. {@code members} are agent ids; {@code overflowGroup} also becomes eligible once a
   * conversation has waited {@code overflowAfter}. {@code policy} and {@code hours} may be null (site's).
   */
  public record Group(
      String id,
      String name,
      Policy policy,
      Set<String> members,
      String overflowGroup,
      Duration overflowAfter,
      WorkingHours hours)
      implements CborSerializable {
    public Group {
      members = Set.copyOf(members);
    }
  }

  /** A visitor whose page URL contains {@code contains} is routed to {@code groupId}; first match wins. */
  public record UrlRule(String contains, String groupId) implements CborSerializable {}

  /** What a site that nobody configured behaves like: manual claiming, any agent, always open. */
  public static SiteRouting unconfigured(String siteId) {
    return new SiteRouting(
        siteId, Policy.MANUAL, DEFAULT_OFFER_TIMEOUT, UNCONFIGURED_CAPACITY, Map.of(), List.of(), List.of(), null,
        null, null);
  }

  /** This configuration with the site's accounts known ({@link #agents}). */
  public SiteRouting withAgents(Set<String> accounts) {
    return new SiteRouting(
        siteId, policy, offerTimeout, defaultCapacity, capacities, groups, urlRules, hours, welcomeMessage,
        autoCloseAfter, accounts);
  }

  /** Whether {@code accountId} works for the site (true when the site's accounts are not known here). */
  public boolean hasAgent(String accountId) {
    return agents == null || agents.contains(accountId);
  }

  public Optional<Group> group(String id) {
    if (id == null) {
      return Optional.empty();
    }
    return groups.stream().filter(g -> g.id().equals(id)).findFirst();
  }

  /** How long before the auto-close the visitor is warned; null when auto-close is off. */
  public Duration autoCloseNotice() {
    if (autoCloseAfter == null) {
      return null;
    }
    Duration half = autoCloseAfter.dividedBy(2);
    return half.compareTo(AUTO_CLOSE_NOTICE) < 0 ? half : AUTO_CLOSE_NOTICE;
  }

  public int capacityOf(String agentId) {
    return capacities.getOrDefault(agentId, defaultCapacity);
  }

  /** The group of a new conversation: a known chosen group, else the first matching URL rule, else none. */
  public String groupFor(RoutingHints hints) {
    if (hints.group() != null && group(hints.group()).isPresent()) {
      return hints.group();
    }
    if (hints.pageUrl() != null) {
      for (UrlRule rule : urlRules) {
        if (hints.pageUrl().contains(rule.contains())) {
          return rule.groupId();
        }
      }
    }
    return null;
  }

  public Policy policyOf(String groupId) {
    return group(groupId).map(Group::policy).filter(p -> p != null).orElse(policy);
  }
}
