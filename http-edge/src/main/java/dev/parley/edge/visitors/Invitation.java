package dev.parley.edge.visitors;

import java.time.Instant;
import java.util.Locale;

/**
 * A proactive invitation to one visitor online now (docs/PROTOCOL.md §12, "Invitations"): who invites (an agent's
 * id and display name, or for an {@code automatic} one the site's rule {@code ruleId}, no agent id and the rule's
 * sender name), the text, and the agent's frame id it answers to (null when automatic). Lives in this node's
 * {@link VisitorsNow} until answered, ignored or expired; its life is recorded in the visitor's journal.
 */
public record Invitation(
    String invitationId,
    String siteId,
    String visitorId,
    String agentId,
    String agentName,
    String text,
    String frameId,
    Instant at,
    boolean automatic,
    String ruleId) {

  /** Longest invitation text. */
  public static final int MAX_TEXT_CHARS = 500;

  public static final String ACCEPTED = "accepted";
  public static final String CLOSED = "closed";
  public static final String IGNORED = "ignored";

  /**
   * Up to two letters for an avatar, as the widget draws them (people.js): the first of the first and of the last
   * word ("Lin Wei" → "LW", "王芳" → "王").
   */
  public static String initials(String name) {
    if (name == null || name.isBlank()) {
      return "?";
    }
    String[] words = name.strip().split("\\s+");
    StringBuilder out = new StringBuilder().appendCodePoint(words[0].codePointAt(0));
    if (words.length > 1) {
      out.appendCodePoint(words[words.length - 1].codePointAt(0));
    }
    return out.toString().toUpperCase(Locale.ROOT);
  }
}
