package dev.parley.core.common;

import dev.parley.core.access.Permission;
import dev.parley.core.access.SiteRole;
import dev.parley.core.serialization.CborSerializable;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated party issuing a command, with the sites it belongs to.
 *
 * <p>The edge builds a caller from a verified token; entities decide from it whether a command is allowed, so
 * tenant isolation is a rule of the domain and not of the HTTP layer. A visitor belongs to exactly one site; an
 * agent to every site where the account is a member, with its {@link SiteRole} there in {@code roles} (empty for
 * visitors, and for callers the domain builds itself, such as a dispatcher carrying out its own decision). An
 * edge session's roles are never stale: a role change ends the account's sessions (docs/SECURITY.md).
 */
public record Caller(Participant participant, Set<String> siteIds, Map<String, SiteRole> roles)
    implements CborSerializable {

  public Caller {
    Objects.requireNonNull(participant, "participant");
    siteIds = Set.copyOf(siteIds);
    // Null when a command serialised before roles existed is read: no role known.
    roles = roles == null ? Map.of() : Map.copyOf(roles);
  }

  public static Caller visitor(String siteId, String visitorId) {
    return new Caller(Participant.visitor(visitorId), Set.of(siteId), Map.of());
  }

  /** An agent whose roles are not known here (the domain acting on an agent's behalf): no extra permission. */
  public static Caller agent(String accountId, Set<String> siteIds) {
    return new Caller(Participant.agent(accountId), siteIds, Map.of());
  }

  /** A signed-in agent with its role at each of its sites. */
  public static Caller agent(String accountId, Map<String, SiteRole> roles) {
    return new Caller(Participant.agent(accountId), roles.keySet(), roles);
  }

  public boolean isVisitor() {
    return participant.role() == Participant.Role.VISITOR;
  }

  public boolean isAgent() {
    return participant.role() == Participant.Role.AGENT;
  }

  public String id() {
    return participant.id();
  }

  public boolean belongsTo(String siteId) {
    return siteIds.contains(siteId);
  }

  /** The agent's role at {@code siteId}; empty for visitors, other sites and callers built without roles. */
  public Optional<SiteRole> roleAt(String siteId) {
    return Optional.ofNullable(roles.get(siteId));
  }

  /** Whether this caller holds {@code permission} at {@code siteId} (Permission's table). */
  public boolean may(String siteId, Permission permission) {
    return permission.allows(roles.get(siteId));
  }
}
