package dev.parley.persistence.readmodel;

import java.time.Instant;

/**
 * What the conversation list, the exports and the search are narrowed to; every field null means "any".
 *
 * @param status waiting, assigned or closed
 * @param agentId conversations this agent took part in
 * @param groupId the skill group it was routed to (last)
 * @param minRating lowest rating, 1–5 (equal to {@code maxRating} for one score)
 * @param from opened at or after
 * @param to opened before
 * @param visitor a visitor id, or the visitor's e-mail (exact, any case) or the start of their name
 * @param text words that one of its messages contains (same analysis as the search)
 * @param missed closed before any agent joined
 * @param label carries this label (lower case, as kept)
 */
public record ConversationFilter(
    String status,
    String agentId,
    String groupId,
    Integer minRating,
    Integer maxRating,
    Instant from,
    Instant to,
    String visitor,
    String text,
    Boolean missed,
    String label) {

  public static final ConversationFilter ANY =
      new ConversationFilter(null, null, null, null, null, null, null, null, null, null, null);

  /** Without a label filter. */
  public ConversationFilter(
      String status, String agentId, String groupId, Integer minRating, Integer maxRating, Instant from, Instant to,
      String visitor, String text, Boolean missed) {
    this(status, agentId, groupId, minRating, maxRating, from, to, visitor, text, missed, null);
  }
}
