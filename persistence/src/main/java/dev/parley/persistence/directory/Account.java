package dev.parley.persistence.directory;

import java.time.Instant;

/** A person who logs in: an agent, an admin, or both. {@code passwordHash} is an Argon2id PHC string. */
public record Account(
    String id, String username, String displayName, String passwordHash, Instant createdAt) {

  /** Never print the hash. */
  @Override
  public String toString() {
    return "Account[" + id + " " + username + "]";
  }
}
