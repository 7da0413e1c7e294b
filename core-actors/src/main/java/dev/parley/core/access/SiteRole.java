package dev.parley.core.access;

import java.util.Locale;
import java.util.Optional;

/**
 * What an account is at one site, from most to least powerful. An account may hold a different role at each site
 * it works for; what each role may do is {@link Permission}'s table (docs/SECURITY.md, "Roles and permissions").
 */
public enum SiteRole {
  /** Everything an admin does, plus the site's security settings and the other owners. A site keeps at least one. */
  OWNER,
  /** Manages the site's accounts (below owner), its widget, routing and quick replies. */
  ADMIN,
  /** Oversees the team's conversations: reads, closes, takes over and transfers any of them. */
  SUPERVISOR,
  /** Chats: claims within their groups, answers and closes their own conversations. */
  AGENT;

  /** The role on the wire and in the database: {@code owner}, {@code admin}, {@code supervisor}, {@code agent}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role with this code, or empty for anything else. */
  public static Optional<SiteRole> ofCode(String code) {
    for (SiteRole role : values()) {
      if (role.code().equals(code)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }

  /** The role with this code; an unknown code is a bug (the database only holds the four). */
  public static SiteRole fromCode(String code) {
    return ofCode(code).orElseThrow(() -> new IllegalArgumentException("unknown role: " + code));
  }

  /** True if this role is at least as powerful as {@code other} (an owner is at least an agent). */
  public boolean atLeast(SiteRole other) {
    return ordinal() <= other.ordinal();
  }
}
