package dev.parley.core.visitor;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A site's automatic invitation rule (docs/DECISIONS.md, "Automatic invitations"): when a visitor online now has
 * been on a page for at least {@code minSecondsOnPage}, on a page whose address matches {@code urlPattern}, on
 * their {@code minVisits}th visit or later, having come from a referrer matching {@code referrerPattern}, the site
 * invites them with {@code text}, shown as from {@code senderName}. A visitor gets at most one automatic invitation
 * per {@code capHours} (whichever rule sent it), so a rule fires once per visit and not again on the next pages.
 *
 * <p>Patterns are globs over the whole address, case-insensitive: {@code *} stands for any characters, everything
 * else is literal ({@code *\/pricing*}); null matches anything, including no referrer.
 *
 * @param id the rule's id within its site (1–64 of {@code a-z 0-9 - _})
 * @param position order of evaluation: the first matching rule invites
 */
public record InvitationRule(
    String id,
    int position,
    boolean enabled,
    int minSecondsOnPage,
    String urlPattern,
    int minVisits,
    String referrerPattern,
    String senderName,
    String text,
    int capHours) {

  /** Rules a site may have. */
  public static final int MAX_RULES_PER_SITE = 20;
  public static final int MAX_PATTERN_CHARS = 500;
  public static final int MAX_SENDER_CHARS = 80;
  /** The same bound as an agent's invitation. */
  public static final int MAX_TEXT_CHARS = 500;
  public static final int MAX_SECONDS_ON_PAGE = 3_600;
  public static final int MAX_VISITS = 1_000;
  /** The longest cap: 30 days. */
  public static final int MAX_CAP_HOURS = 720;

  private static final Pattern ID = Pattern.compile("[a-z0-9_-]{1,64}");

  /** A rule that cannot be saved: which field and why. */
  public static final class Invalid extends RuntimeException {
    private final String field;

    public Invalid(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** This rule, or {@link Invalid} naming the first field out of bounds. Blank patterns count as none. */
  public InvitationRule checked() {
    if (id == null || !ID.matcher(id).matches()) {
      throw new Invalid("id", "1 to 64 of a-z, 0-9, - and _");
    }
    if (minSecondsOnPage < 0 || minSecondsOnPage > MAX_SECONDS_ON_PAGE) {
      throw new Invalid("minSecondsOnPage", "0 to " + MAX_SECONDS_ON_PAGE);
    }
    if (minVisits < 1 || minVisits > MAX_VISITS) {
      throw new Invalid("minVisits", "1 to " + MAX_VISITS);
    }
    if (urlPattern != null && urlPattern.length() > MAX_PATTERN_CHARS) {
      throw new Invalid("urlPattern", "at most " + MAX_PATTERN_CHARS + " characters");
    }
    if (referrerPattern != null && referrerPattern.length() > MAX_PATTERN_CHARS) {
      throw new Invalid("referrerPattern", "at most " + MAX_PATTERN_CHARS + " characters");
    }
    if (senderName == null || senderName.isBlank() || senderName.length() > MAX_SENDER_CHARS) {
      throw new Invalid("senderName", "1 to " + MAX_SENDER_CHARS + " characters");
    }
    if (text == null || text.isBlank() || text.length() > MAX_TEXT_CHARS) {
      throw new Invalid("text", "1 to " + MAX_TEXT_CHARS + " characters");
    }
    if (capHours < 1 || capHours > MAX_CAP_HOURS) {
      throw new Invalid("capHours", "1 to " + MAX_CAP_HOURS);
    }
    return new InvitationRule(id, position, enabled, minSecondsOnPage, blankToNull(urlPattern), minVisits,
        blankToNull(referrerPattern), senderName.strip(), text.strip(), capHours);
  }

  /** Whether {@code value} matches {@code glob} ({@code *} any characters, case-insensitive); null glob: yes. */
  public static boolean globMatches(String glob, String value) {
    if (glob == null) {
      return true;
    }
    if (value == null) {
      return false;
    }
    String g = glob.toLowerCase(Locale.ROOT);
    String v = value.toLowerCase(Locale.ROOT);
    // Iterative wildcard matching with backtracking to the last star: linear for the patterns people write, and
    // no regular expression built from user input.
    int gi = 0;
    int vi = 0;
    int star = -1;
    int mark = 0;
    while (vi < v.length()) {
      if (gi < g.length() && g.charAt(gi) != '*' && g.charAt(gi) == v.charAt(vi)) {
        gi++;
        vi++;
      } else if (gi < g.length() && g.charAt(gi) == '*') {
        star = gi++;
        mark = vi;
      } else if (star >= 0) {
        gi = star + 1;
        vi = ++mark;
      } else {
        return false;
      }
    }
    while (gi < g.length() && g.charAt(gi) == '*') {
      gi++;
    }
    return gi == g.length();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
