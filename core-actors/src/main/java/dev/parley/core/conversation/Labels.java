package dev.parley.core.conversation;

import dev.parley.core.common.TextRules;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of a conversation's labels, as plain functions: a label is one line of 1 to {@link #MAX_CHARS}
 * characters, compared and kept in lower case (so "VIP" and "vip" are one label; Chinese is unchanged), and a
 * conversation holds at most {@link #MAX_PER_CONVERSATION}.
 */
public final class Labels {

  public static final int MAX_CHARS = 40;
  public static final int MAX_PER_CONVERSATION = 20;

  private Labels() {}

  /** The label as it is kept, or empty when {@code raw} is not a valid label. */
  public static Optional<String> normalise(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String label = raw.strip().toLowerCase(Locale.ROOT);
    if (label.isEmpty() || label.codePointCount(0, label.length()) > MAX_CHARS
        || TextRules.lineProblem(label).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(label);
  }

  /** Whether one more label fits beside {@code current}. */
  public static boolean roomFor(Set<String> current) {
    return current.size() < MAX_PER_CONVERSATION;
  }
}
