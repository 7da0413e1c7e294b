package dev.parley.edge.admin;

import dev.parley.core.access.Permission;
import dev.parley.core.access.SiteRole;
import dev.parley.edge.auth.Tokens;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The account behind a verified agent token, with its memberships (and so its role at each site) as they are now in
 * the database, and the token's claims (its scope: full, or enrolment in two-factor sign-in only).
 */
public record Principal(Account account, List<Membership> memberships, Tokens.AgentClaims claims) {

  public boolean isMemberOf(String siteId) {
    return role(siteId).isPresent();
  }

  /** The caller's role at {@code siteId}; empty when it does not work for the site. */
  public Optional<SiteRole> role(String siteId) {
    return memberships.stream().filter(m -> m.siteId().equals(siteId)).map(Membership::role).findFirst();
  }

  /** Whether the caller holds {@code permission} at {@code siteId} (core's permission table). */
  public boolean may(String siteId, Permission permission) {
    return permission.allows(role(siteId).orElse(null));
  }

  /** Every site the caller works for, with its role there. */
  public Map<String, SiteRole> roles() {
    Map<String, SiteRole> roles = new LinkedHashMap<>();
    memberships.forEach(m -> roles.put(m.siteId(), m.role()));
    return roles;
  }

  /** A server operator may create sites (docs/SECURITY.md). */
  public boolean isOperator() {
    return account.operator();
  }
}
