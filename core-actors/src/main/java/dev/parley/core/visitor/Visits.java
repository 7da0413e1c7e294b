package dev.parley.core.visitor;

import java.time.Duration;
import java.time.Instant;

/**
 * When a visitor's coming online is a new visit: after {@link #GAP} without activity (a visit's start or a page
 * view), the rule web analytics tools use (a session ends after 30 minutes of inactivity). Every page of a site
 * opens a new widget connection, so "came online" alone would count every page as a visit.
 */
public final class Visits {

  /** Inactivity after which the next connection starts a new visit. */
  public static final Duration GAP = Duration.ofMinutes(30);

  private Visits() {}

  /** Whether a visitor last active at {@code lastActiveAt} (null: never) starts a new visit at {@code now}. */
  public static boolean isNewVisit(Instant lastActiveAt, Instant now) {
    return lastActiveAt == null || Duration.between(lastActiveAt, now).compareTo(GAP) > 0;
  }
}
