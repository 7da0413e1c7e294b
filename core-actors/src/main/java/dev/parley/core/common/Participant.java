package dev.parley.core.common;

import dev.parley.core.serialization.CborSerializable;
import java.util.Objects;

/**
 * Who does something in a conversation: the visitor, an agent, or the system itself.
 *
 * <p>{@code id} is the visitor id for {@link Role#VISITOR}, the account id for {@link Role#AGENT} and a fixed
 * name for {@link Role#SYSTEM}. A participant is an identity, not a permission: see {@link Caller} for what a
 * connection is allowed to touch.
 */
public record Participant(Role role, String id) implements CborSerializable {

  public enum Role {
    VISITOR,
    AGENT,
    SYSTEM
  }

  public Participant {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(id, "id");
  }

  public static Participant visitor(String visitorId) {
    return new Participant(Role.VISITOR, visitorId);
  }

  public static Participant agent(String accountId) {
    return new Participant(Role.AGENT, accountId);
  }

  public static Participant system() {
    return new Participant(Role.SYSTEM, "parley");
  }

  /** A stable string key, used where a participant indexes a map. */
  public String key() {
    return role.name().charAt(0) + ":" + id;
  }
}
