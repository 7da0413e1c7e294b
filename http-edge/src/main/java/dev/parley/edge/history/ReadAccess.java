package dev.parley.edge.history;

import dev.parley.edge.ApiError;
import dev.parley.edge.admin.Principal;
import dev.parley.persistence.readmodel.Visibility;

/**
 * Who may read what of a site's history: the one place where the read APIs check the caller's site and role.
 *
 * <ul>
 *   <li>Not a member of the site: 404, as if the site did not exist (its existence is not revealed).
 *   <li>Its admins read every conversation and export; its agents read the conversations they took part in, and
 *       may not export.
 * </ul>
 *
 * When roles grow (owner, admin, supervisor, agent: the accounts work), these two methods map onto the
 * permissions "read all conversations" and "export", and no route changes.
 */
public final class ReadAccess {

  private ReadAccess() {}

  /** Which conversations of {@code siteId} the caller may read; 404 if none. */
  public static Visibility visibility(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no such site");
    }
    return principal.isAdminOf(siteId) ? Visibility.ALL : Visibility.ofAgent(principal.account().id());
  }

  /** What the caller may export of {@code siteId}: everything, for its admins; 403 for its agents, 404 otherwise. */
  public static Visibility export(Principal principal, String siteId) {
    Visibility visibility = visibility(principal, siteId);
    if (!visibility.all()) {
      throw ApiError.forbidden("only the site's admins export its conversations");
    }
    return visibility;
  }
}
