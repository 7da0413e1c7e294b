package dev.parley.edge.auth;

import dev.parley.core.access.SiteRole;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Membership;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a verified agent token still grants access, checked where the account is loaded anyway (every HTTP API
 * call, every agent {@code hello}): the account exists, is enabled, and still has the token version the token
 * was issued for. Blocking (reads the directory).
 */
public final class AgentAccess {

  /** The message clients show when a token stopped working because of a change to the account. */
  public static final String ACCESS_CHANGED =
      "the account's access changed (password, role, status or two-factor sign-in); log in again";

  private AgentAccess() {}

  /** The account and its memberships as they are now. */
  public record Granted(Account account, List<Membership> memberships, Tokens.AgentClaims claims) {

    /** The account's role at each site it works for. */
    public Map<String, SiteRole> roles() {
      Map<String, SiteRole> roles = new LinkedHashMap<>();
      memberships.forEach(m -> roles.put(m.siteId(), m.role()));
      return roles;
    }
  }

  /** Access for {@code claims}, or empty when the account is gone, disabled or its token version moved on. */
  public static Optional<Granted> check(Tokens.AgentClaims claims, Directory directory) {
    Optional<Account> account = directory.account(claims.accountId());
    if (account.isEmpty()
        || account.get().disabled()
        || account.get().tokenVersion() != claims.tokenVersion()) {
      return Optional.empty();
    }
    return Optional.of(new Granted(account.get(), directory.memberships(claims.accountId()), claims));
  }
}
