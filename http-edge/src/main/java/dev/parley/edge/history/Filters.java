package dev.parley.edge.history;

import dev.parley.core.common.TextRules;
import dev.parley.core.conversation.Labels;
import dev.parley.edge.ApiError;
import dev.parley.persistence.readmodel.ConversationFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/** Query parameters of the history routes, validated; every problem is a 400 naming the parameter. */
final class Filters {

  static final Set<String> STATUSES = Set.of("waiting", "assigned", "closed");
  private static final int MAX_PARAM_CHARS = 200;

  private Filters() {}

  static ConversationFilter conversations(Map<String, String> p) {
    String status = text(p, "status");
    if (status != null && !STATUSES.contains(status)) {
      throw ApiError.invalid("status", "'status' is waiting, assigned or closed");
    }
    Integer rating = rating(p, "rating");
    Integer min = rating != null ? rating : rating(p, "minRating");
    Integer max = rating != null ? rating : rating(p, "maxRating");
    String missed = text(p, "missed");
    if (missed != null && !missed.equals("true") && !missed.equals("false")) {
      throw ApiError.invalid("missed", "'missed' is true or false");
    }
    return new ConversationFilter(
        status, text(p, "agent"), text(p, "group"), min, max, time(p, "from"), time(p, "to"), text(p, "visitor"),
        text(p, "text"), missed == null ? null : Boolean.valueOf(missed), label(p));
  }

  /** A label, kept as labels are ({@link Labels}: lower case). */
  static String label(Map<String, String> p) {
    String v = text(p, "label");
    if (v == null) {
      return null;
    }
    return Labels.normalise(v)
        .orElseThrow(() -> ApiError.invalid("label", "'label' is one line of 1 to " + Labels.MAX_CHARS + " characters"));
  }

  static String text(Map<String, String> p, String name) {
    String v = p.get(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    v = v.strip();
    if (v.length() > MAX_PARAM_CHARS) {
      throw ApiError.invalid(name, "'" + name + "' has at most " + MAX_PARAM_CHARS + " characters");
    }
    TextRules.lineProblem(v).ifPresent(problem -> {
      throw ApiError.invalid(name, "'" + name + "' " + problem);
    });
    return v;
  }

  static int limit(Map<String, String> p, int fallback, int max) {
    String v = text(p, "limit");
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.invalid("limit", "'limit' is a number from 1 to " + max);
    }
  }

  static Integer rating(Map<String, String> p, String name) {
    String v = text(p, name);
    if (v == null) {
      return null;
    }
    if (!v.matches("[1-5]")) {
      throw ApiError.invalid(name, "'" + name + "' is a score from 1 to 5");
    }
    return Integer.parseInt(v);
  }

  /** An ISO-8601 instant (2025-03-01T08:00:00Z) or a date (2025-03-01, midnight UTC). */
  static Instant time(Map<String, String> p, String name) {
    String v = text(p, name);
    if (v == null) {
      return null;
    }
    try {
      return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid(name, "'" + name + "' is a date (2025-03-01) or an instant (2025-03-01T08:00:00Z)");
    }
  }
}
