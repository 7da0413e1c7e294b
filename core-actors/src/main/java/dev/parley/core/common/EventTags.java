package dev.parley.core.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tags every entity puts on its events, so that the read side can follow one entity type in slices.
 *
 * <p>An event of entity type {@code T} with id {@code id} carries exactly one tag, {@code t-s}, where {@code t} is
 * the type in lower case ({@code conversation}, {@code visitor}, {@code agent}, {@code dispatcher}) and {@code s} =
 * {@link #slice} of the id, {@code 0 ≤ s < }{@link #SLICES}. A projection runs one instance per slice (a sharded
 * daemon process in a cluster), so the slices are how a projection's work spreads over nodes; all events of one
 * entity fall in one slice, so each instance sees an entity's events in order.
 *
 * <p>The slice is a pure function of the entity id: the entities compute it when they persist, and the backfill of
 * events written before tagging existed computes the same from the journal's persistence ids. Changing {@link
 * #SLICES} or the hash means re-tagging the journal and replaying every projection: treat both as released.
 */
public final class EventTags {

  /**
   * Slices per entity type: up to 4 nodes share each projection's work. More slices cost a polling query each
   * (per projection, every refresh interval) for little gain on the 1–4 node clusters Parley targets; fewer would
   * leave a fifth node of a cluster nothing to project. See docs/DECISIONS.md.
   */
  public static final int SLICES = 4;

  /**
   * The second tag of the conversation events the routing feed acts on ({@code routing-s}, same slice as the
   * conversation's own tag): the feed reads only these instead of every message (docs/DECISIONS.md, issue 12).
   */
  public static final String ROUTING = "routing";

  private EventTags() {}

  /**
   * The slice of an entity id: {@code String.hashCode} (specified by the Java language, so stable across JVMs and
   * releases) modulo {@link #SLICES}, made non-negative.
   */
  public static int slice(String entityId) {
    return Math.floorMod(entityId.hashCode(), SLICES);
  }

  /** The tag of an event of {@code entityType} (an entity type key's name, e.g. "Conversation") and id. */
  public static String tag(String entityType, String entityId) {
    return prefix(entityType) + slice(entityId);
  }

  /** Every tag of an entity type, slice 0 first: one projection instance each. */
  public static List<String> all(String entityType) {
    List<String> tags = new ArrayList<>(SLICES);
    for (int i = 0; i < SLICES; i++) {
      tags.add(prefix(entityType) + i);
    }
    return List.copyOf(tags);
  }

  /**
   * The tag of an event stored under a persistence id {@code Type|id} (Pekko's {@code PersistenceId.of}), for
   * events written before tagging: the same tag the entity would have given it.
   */
  public static String forPersistenceId(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    if (bar < 1) {
      throw new IllegalArgumentException("not an entity's persistence id: " + persistenceId);
    }
    return tag(persistenceId.substring(0, bar), persistenceId.substring(bar + 1));
  }

  private static String prefix(String entityType) {
    return entityType.toLowerCase(Locale.ROOT) + "-";
  }
}
