package dev.parley.persistence.directory;

import java.util.Locale;

/** An account works for a site as {@link Role#ADMIN} (manages it, and chats) or {@link Role#AGENT} (chats). */
public record Membership(String accountId, String siteId, Role role) {

  public enum Role {
    ADMIN,
    AGENT;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromCode(String code) {
      return Role.valueOf(code.toUpperCase(Locale.ROOT));
    }
  }
}
