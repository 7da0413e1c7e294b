package dev.parley.edge.history;

import java.util.List;

/**
 * CSV lines (RFC 4180, CRLF) that are safe to open in a spreadsheet: a cell starting with {@code = + - @}, a tab
 * or a carriage return is prefixed with an apostrophe, so that no visitor text is ever evaluated as a formula
 * (CSV injection). Cells with commas, quotes or line breaks are quoted, quotes doubled.
 */
public final class Csv {

  private Csv() {}

  public static String line(List<String> cells) {
    StringBuilder sb = new StringBuilder(64 * cells.size());
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      cell(sb, cells.get(i));
    }
    return sb.append("\r\n").toString();
  }

  static void cell(StringBuilder sb, String value) {
    String v = value == null ? "" : value;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    boolean quote = v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
        || (!v.isEmpty() && (v.charAt(0) == ' ' || v.charAt(v.length() - 1) == ' '));
    if (!quote) {
      sb.append(v);
      return;
    }
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"') {
        sb.append('"');
      }
      sb.append(c);
    }
    sb.append('"');
  }
}
