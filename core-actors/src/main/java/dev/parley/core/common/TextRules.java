package dev.parley.core.common;

import java.util.Optional;

/**
 * Which characters Parley accepts in text from outside, wherever it enters (wire frames, the HTTP API).
 *
 * <ul>
 *   <li>Every string must be well-formed UTF-16: a lone surrogate cannot be stored or encoded, and is refused.
 *   <li>Control characters are refused: C0 (U+0000–U+001F) except, in free text, tab, line feed and carriage
 *       return; DEL (U+007F); C1 (U+0080–U+009F). They have no place in chat and some move terminal cursors.
 *   <li>Single-line fields (names, ids, titles, addresses) also refuse tab, line breaks and the Unicode
 *       bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), which can make a
 *       name or a file name read differently from what it is. Free text (messages, notes, comments) keeps them:
 *       right-to-left writing uses them, and clients show every message in its own direction context.
 * </ul>
 */
public final class TextRules {

  private TextRules() {}

  /** Why {@code value} is not acceptable as free text (a message, note or comment), or empty when it is. */
  public static Optional<String> freeTextProblem(String value) {
    return problem(value, true);
  }

  /** Why {@code value} is not acceptable as a single-line field, or empty when it is. */
  public static Optional<String> lineProblem(String value) {
    return problem(value, false);
  }

  private static Optional<String> problem(String value, boolean freeText) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return Optional.of("contains a lone UTF-16 surrogate (not valid Unicode text)");
      }
      if (Character.isLowSurrogate(c)) {
        return Optional.of("contains a lone UTF-16 surrogate (not valid Unicode text)");
      }
      if (c < 0x20) {
        if (freeText && (c == '\t' || c == '\n' || c == '\r')) {
          continue;
        }
        return Optional.of(String.format("contains the control character U+%04X", (int) c));
      }
      if (c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        return Optional.of(String.format("contains the control character U+%04X", (int) c));
      }
      if (!freeText && ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))) {
        return Optional.of(String.format("contains the bidirectional control U+%04X", (int) c));
      }
    }
    return Optional.empty();
  }
}
