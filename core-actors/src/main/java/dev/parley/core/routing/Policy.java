package dev.parley.core.routing;

import java.util.Locale;

/** How the dispatcher hands waiting conversations to agents. Wire and database spelling: {@link #code()}. */
public enum Policy {
  /** No offers: agents pick from the queue with {@code claim} (still capacity-checked by the dispatcher). */
  MANUAL,
  /** Offer to the eligible agent with the fewest open chats plus pending offers; ties: longest idle. */
  LEAST_BUSY,
  /** Offer to eligible agents in turn, ordered by agent id, skipping those at capacity. */
  ROUND_ROBIN;

  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Policy ofCode(String code) {
    for (Policy p : values()) {
      if (p.code().equals(code)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown policy '" + code + "'");
  }
}
