package dev.parley.edge.admin;

import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import java.util.List;

/** The account behind a verified agent token, with its memberships as they are now in the database. */
public record Principal(Account account, List<Membership> memberships) {

  public boolean isMemberOf(String siteId) {
    return memberships.stream().anyMatch(m -> m.siteId().equals(siteId));
  }

  public boolean isAdminOf(String siteId) {
    return memberships.stream()
        .anyMatch(m -> m.siteId().equals(siteId) && m.role() == Membership.Role.ADMIN);
  }

  public boolean isAdminAnywhere() {
    return memberships.stream().anyMatch(m -> m.role() == Membership.Role.ADMIN);
  }
}
