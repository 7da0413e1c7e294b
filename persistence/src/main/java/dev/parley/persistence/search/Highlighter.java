package dev.parley.persistence.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Highlighted snippets of a found message, computed in Java from the same analyzer as the index: the tokens of
 * the text whose terms the search asked for are marked, overlapping marks merged (茉莉 + 莉花 = 茉莉花), and a
 * window of the text around the first mark is cut out.
 *
 * <p>The result is plain text plus ranges, never HTML: visitor text is always rendered as text, and a client
 * wraps the ranges in whatever marks it likes.
 */
public final class Highlighter {

  /** Characters of context kept around the first mark; longer texts are cut with an ellipsis. */
  public static final int SNIPPET_CHARS = 160;
  private static final int BEFORE_CHARS = 40;

  private final TextAnalyzer analyzer;

  public Highlighter(TextAnalyzer analyzer) {
    this.analyzer = analyzer;
  }

  /** A range {@code [start, end)} of the snippet to mark. */
  public record Mark(int start, int end) {}

  /** {@code text}: the snippet; {@code cutBefore}/{@code cutAfter}: whether text was left out there. */
  public record Snippet(String text, List<Mark> marks, boolean cutBefore, boolean cutAfter) {}

  public Snippet snippet(String body, List<String> queryTerms) {
    Set<String> wanted = Set.copyOf(queryTerms);
    List<int[]> ranges = new ArrayList<>();
    for (TextAnalyzer.Token t : analyzer.indexTokens(body)) {
      if (wanted.contains(t.term())) {
        ranges.add(new int[] {t.start(), t.end()});
      }
    }
    ranges.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
    List<int[]> merged = new ArrayList<>();
    for (int[] r : ranges) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.add(new int[] {r[0], r[1]});
      }
    }
    int from = 0;
    if (!merged.isEmpty() && body.length() > SNIPPET_CHARS) {
      from = Math.max(0, Math.min(merged.get(0)[0] - BEFORE_CHARS, body.length() - SNIPPET_CHARS));
    }
    int to = Math.min(body.length(), from + SNIPPET_CHARS);
    // never cut a surrogate pair in half
    if (from > 0 && Character.isLowSurrogate(body.charAt(from))) {
      from++;
    }
    if (to < body.length() && to > 0 && Character.isHighSurrogate(body.charAt(to - 1))) {
      to--;
    }
    List<Mark> marks = new ArrayList<>();
    for (int[] r : merged) {
      int s = Math.max(r[0], from);
      int e = Math.min(r[1], to);
      if (s < e) {
        marks.add(new Mark(s - from, e - from));
      }
    }
    return new Snippet(body.substring(from, to), marks, from > 0, to < body.length());
  }
}
