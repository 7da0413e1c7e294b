package dev.parley.core.access;

import java.util.EnumSet;
import java.util.Set;

/**
 * The permission table: what each {@link SiteRole} may do at its site, as one plain function of values so that the
 * HTTP API and the entities decide alike (docs/SECURITY.md, "Roles and permissions", prints this table).
 *
 * <p>Rights every member has over their own work (answering and closing conversations assigned to them, claiming
 * within their skill groups, transferring their own chats, reading the site's quick replies and routing) are not
 * listed: they follow from membership and assignment. The rows here are the extra powers.
 */
public enum Permission {
  /** Create, disable, re-enable, delete, re-role accounts and reset their passwords or two-factor sign-in. */
  MANAGE_ACCOUNTS(SiteRole.OWNER, SiteRole.ADMIN),
  /** The site's name and origins, widget, identity secret, routing and quick replies. */
  CONFIGURE_SITE(SiteRole.OWNER, SiteRole.ADMIN),
  /** The site's security settings: whether two-factor sign-in is mandatory. */
  MANAGE_SECURITY(SiteRole.OWNER),
  /** Read every conversation of the site, not only those assigned to oneself or waiting. */
  READ_ALL_CONVERSATIONS(SiteRole.OWNER, SiteRole.ADMIN, SiteRole.SUPERVISOR),
  /** Close any conversation of the site, not only one's own. */
  CLOSE_ANY_CONVERSATION(SiteRole.OWNER, SiteRole.ADMIN, SiteRole.SUPERVISOR),
  /** Claim a waiting conversation routed to a skill group one is not a member of. */
  CLAIM_OUTSIDE_GROUPS(SiteRole.OWNER, SiteRole.ADMIN, SiteRole.SUPERVISOR),
  /** Transfer any conversation of the site, not only one's own. */
  TRANSFER_ANY_CONVERSATION(SiteRole.OWNER, SiteRole.ADMIN, SiteRole.SUPERVISOR),
  /** Write internal notes on the site's conversations. */
  WRITE_NOTES(SiteRole.OWNER, SiteRole.ADMIN, SiteRole.SUPERVISOR, SiteRole.AGENT),
  /** Take over a conversation another agent holds. */
  TAKE_OVER(SiteRole.OWNER, SiteRole.ADMIN, SiteRole.SUPERVISOR),
  /** Export conversations and statistics. */
  EXPORT(SiteRole.OWNER, SiteRole.ADMIN),
  /** Erase a visitor's data, set the retention period. */
  ERASE(SiteRole.OWNER, SiteRole.ADMIN);

  private final Set<SiteRole> roles;

  Permission(SiteRole first, SiteRole... rest) {
    this.roles = EnumSet.of(first, rest);
  }

  public boolean allows(SiteRole role) {
    return role != null && roles.contains(role);
  }

  /**
   * Whether someone with role {@code actor} may act on an account holding {@code target} at the same site, or give
   * that role to someone: account managers act on their own rank and below, so an admin can never touch an owner
   * or make one.
   */
  public static boolean mayManage(SiteRole actor, SiteRole target) {
    return MANAGE_ACCOUNTS.allows(actor) && actor.atLeast(target);
  }
}
