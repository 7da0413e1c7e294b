package dev.parley.core.visitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a site's automatic invitation rules invite a visitor online now: a plain function of the rules
 * and what is known of the visitor at one moment ({@link Facts}), so the live registry that holds presence only
 * applies it (docs/DECISIONS.md, "Automatic invitations").
 */
public final class InvitationRules {

  private InvitationRules() {}

  /**
   * What the rules look at for one visitor at {@code now}.
   *
   * @param pageUrl the current page, or null before the first page was reported
   * @param pageSince when the current page was opened, or null
   * @param visits the visitor's visits, this one included
   * @param referrer where the visit came from (an external referrer), or null
   * @param busy chatting or waiting for a chat, or an invitation is showing: nobody is invited then
   * @param lastAutomaticAt when this visitor last got an automatic invitation, or null
   */
  public record Facts(
      String pageUrl, Instant pageSince, int visits, String referrer, boolean busy, Instant lastAutomaticAt,
      Instant now) {}

  /** The first enabled rule (by position) that invites the visitor now, or empty. */
  public static Optional<InvitationRule> due(List<InvitationRule> rules, Facts facts) {
    if (facts.busy() || facts.pageUrl() == null || facts.pageSince() == null) {
      return Optional.empty();
    }
    long secondsOnPage = Duration.between(facts.pageSince(), facts.now()).toSeconds();
    InvitationRule best = null;
    for (InvitationRule rule : rules) {
      if (rule.enabled()
          && (best == null || rule.position() < best.position())
          && secondsOnPage >= rule.minSecondsOnPage()
          && facts.visits() >= rule.minVisits()
          && InvitationRule.globMatches(rule.urlPattern(), facts.pageUrl())
          && InvitationRule.globMatches(rule.referrerPattern(), facts.referrer())
          && !capped(rule, facts)) {
        best = rule;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Whether the visitor's last automatic invitation is within this rule's cap. */
  static boolean capped(InvitationRule rule, Facts facts) {
    return facts.lastAutomaticAt() != null
        && facts.lastAutomaticAt().plus(Duration.ofHours(rule.capHours())).isAfter(facts.now());
  }
}
