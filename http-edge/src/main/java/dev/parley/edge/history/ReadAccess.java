package dev.parley.edge.history;

import dev.parley.core.access.Permission;
import dev.parley.edge.ApiError;
import dev.parley.edge.admin.Principal;
import dev.parley.persistence.readmodel.Visibility;

/**
 * Who may read what of a site's history: the one place where the read APIs check the caller's site and role.
 *
 * <ul>
 *   <li>Not a member of the site: 404, as if the site did not exist (its existence is not revealed).
 *   <li>Holders of {@link Permission#READ_ALL_CONVERSATIONS} (owners, admins, supervisors) read every
 *       conversation; agents read the conversations they took part in.
 *   <li>Exports need {@link Permission#EXPORT} (owners and admins).
 * </ul>
 */
public final class ReadAccess {

  private ReadAccess() {}

  /** Which conversations of {@code siteId} the caller may read; 404 if none. */
  public static Visibility visibility(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no such site");
    }
    return principal.may(siteId, Permission.READ_ALL_CONVERSATIONS)
        ? Visibility.ALL
        : Visibility.ofAgent(principal.account().id());
  }

  /** What the caller may export of {@code siteId}: everything, for owners and admins; 403 for others, 404 for non-members. */
  public static Visibility export(Principal principal, String siteId) {
    Visibility visibility = visibility(principal, siteId);
    if (!principal.may(siteId, Permission.EXPORT)) {
      throw ApiError.forbidden("only the site's owners and admins export its conversations");
    }
    return visibility;
  }
}
