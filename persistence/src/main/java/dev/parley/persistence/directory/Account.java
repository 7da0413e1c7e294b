package dev.parley.persistence.directory;

import java.time.Instant;

/**
 * A person who logs in: an agent, an admin, or both. {@code passwordHash} is an Argon2id PHC string;
 * {@code username} is canonical (see {@code Usernames} at the edge). Every agent token carries the
 * {@code tokenVersion} it was issued for: a token of another version is void. {@code disabledAt} is null while the
 * account is enabled. An {@code operator} runs the server (may create sites); {@code twoFactorEnabled} says whether
 * signing in needs a TOTP or recovery code.
 */
public record Account(
    String id,
    String username,
    String displayName,
    String passwordHash,
    Instant createdAt,
    long tokenVersion,
    Instant disabledAt,
    boolean operator,
    boolean twoFactorEnabled) {

  /** A new, enabled account of token version 1, without two-factor sign-in. */
  public Account(String id, String username, String displayName, String passwordHash, Instant createdAt) {
    this(id, username, displayName, passwordHash, createdAt, 1L, null, false, false);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  public Account asOperator() {
    return new Account(
        id, username, displayName, passwordHash, createdAt, tokenVersion, disabledAt, true, twoFactorEnabled);
  }

  /** Never print the hash. */
  @Override
  public String toString() {
    return "Account[" + id + " " + username + "]";
  }
}
