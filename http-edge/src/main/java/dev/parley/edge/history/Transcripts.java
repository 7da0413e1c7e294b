package dev.parley.edge.history;

import dev.parley.persistence.readmodel.ConversationReads;
import dev.parley.persistence.readmodel.ConversationReads.ConversationRow;
import java.util.List;

/**
 * A conversation's transcript as plain text and as a printable HTML page. Every text from a visitor, an agent or
 * the database is HTML-escaped in the page: it is always rendered as text, never as markup.
 */
final class Transcripts {

  private Transcripts() {}

  static String text(ConversationRow c, List<ConversationReads.Entry> entries) {
    StringBuilder sb = new StringBuilder();
    sb.append("Conversation ").append(c.conversationId()).append(" (").append(c.siteId()).append(")\n");
    sb.append("Visitor: ").append(visitor(c)).append('\n');
    sb.append("Opened: ").append(ConversationRoutes.stamp(c.openedAt()));
    if (c.closedAt() != null) {
      sb.append("  Closed: ").append(ConversationRoutes.stamp(c.closedAt()));
    }
    sb.append('\n');
    if (c.rating() != null) {
      sb.append("Rating: ").append(c.rating()).append("/5");
      if (c.ratingComment() != null) {
        sb.append(" \"").append(c.ratingComment()).append('"');
      }
      sb.append('\n');
    }
    sb.append('\n');
    for (ConversationReads.Entry e : entries) {
      sb.append('[').append(ConversationRoutes.stamp(e.at())).append("] #").append(e.seq()).append(' ')
          .append(line(e)).append('\n');
    }
    return sb.toString();
  }

  static String html(ConversationRow c, List<ConversationReads.Entry> entries) {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Transcript ")
        .append(escape(c.conversationId()))
        .append("</title><style>body{font:14px/1.5 system-ui,\"Noto Sans CJK SC\",sans-serif;max-width:48rem;margin:2rem auto;color:#111}"
            + "h1{font-size:1.2rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}"
            + "ol{list-style:none;padding:0}li{margin:.5rem 0;break-inside:avoid}.meta{color:#555;font-size:.85rem}"
            + ".event{color:#555;font-style:italic}.text{white-space:pre-wrap;overflow-wrap:anywhere}"
            + "@media print{body{margin:0}}</style></head><body>");
    sb.append("<h1>Conversation ").append(escape(c.conversationId())).append("</h1><dl>");
    item(sb, "Site", c.siteId());
    item(sb, "Visitor", visitor(c));
    item(sb, "Status", c.status());
    item(sb, "Agents", String.join(", ", c.agentIds()));
    item(sb, "Opened", ConversationRoutes.stamp(c.openedAt()));
    if (c.closedAt() != null) {
      item(sb, "Closed", ConversationRoutes.stamp(c.closedAt()));
    }
    if (c.rating() != null) {
      item(sb, "Rating", c.rating() + "/5" + (c.ratingComment() == null ? "" : " — " + c.ratingComment()));
    }
    sb.append("</dl><ol>");
    for (ConversationReads.Entry e : entries) {
      sb.append("<li><div class=\"meta\">#").append(e.seq()).append(" · ").append(escape(ConversationRoutes.stamp(e.at())))
          .append(" · ").append(escape(e.authorRole() + " " + e.authorId())).append("</div>");
      if ("message".equals(e.kind())) {
        sb.append("<div class=\"text\">").append(escape(e.body() == null || e.body().isEmpty() ? "(erased)" : e.body()))
            .append("</div>");
      } else {
        sb.append("<div class=\"event\">").append(escape(line(e))).append("</div>");
      }
      sb.append("</li>");
    }
    return sb.append("</ol></body></html>").toString();
  }

  private static void item(StringBuilder sb, String name, String value) {
    sb.append("<dt>").append(escape(name)).append("</dt><dd>").append(escape(value == null ? "" : value)).append("</dd>");
  }

  private static String visitor(ConversationRow c) {
    StringBuilder sb = new StringBuilder(c.visitorId());
    if (c.visitorName() != null) {
      sb.append(" — ").append(c.visitorName());
    }
    if (c.visitorEmail() != null) {
      sb.append(" <").append(c.visitorEmail()).append('>');
    }
    return sb.toString();
  }

  private static String line(ConversationReads.Entry e) {
    String who = e.authorRole() + " " + e.authorId();
    return switch (e.kind()) {
      case "message" -> who + ": " + (e.body() == null || e.body().isEmpty() ? "(erased)" : e.body());
      case "joined" -> who + " joined";
      case "transferred" -> who + " transferred the conversation" + (e.detail() == null ? "" : " to " + e.detail());
      case "closed" -> who + " closed the conversation";
      default -> who + " " + e.kind();
    };
  }

  /** HTML text and attribute escaping: & < > " ' become entities. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }
}
