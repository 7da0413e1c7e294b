package dev.parley.persistence.directory;

import dev.parley.core.access.SiteRole;

/** An account works for a site in one {@link SiteRole}; what each role may do is core's {@code Permission}. */
public record Membership(String accountId, String siteId, SiteRole role) {}
