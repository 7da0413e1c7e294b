package dev.parley.persistence.readmodel;

import static dev.parley.persistence.readmodel.ConversationsModel.role;
import static dev.parley.persistence.readmodel.ConversationsModel.ts;

import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.projection.ReadModel;
import dev.parley.persistence.search.TextAnalyzer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;

/**
 * Every conversation's timeline ({@code read_messages}) for transcripts, exports and full-text search, from
 * Conversation events: one row per timeline entry at its seq (messages with their text and search terms, joins,
 * transfers, closes), and a row at seq 0 for the opening, which carries the conversation's site so that later
 * entries (whose events do not name the site) take it from there, within this model alone.
 *
 * <p>An erased conversation ({@link Conversation.ContentErased}) keeps its rows with empty texts and no terms, as
 * the rewritten journal has them: seqs, authors and times stay for statistics, the words go.
 */
public final class MessagesModel implements ReadModel {

  public static final String NAME = "messages";

  private final TextAnalyzer analyzer;

  public MessagesModel(TextAnalyzer analyzer) {
    this.analyzer = analyzer;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String entityType() {
    return Conversation.ENTITY_KEY.name();
  }

  @Override
  public List<String> tables() {
    return List.of("read_messages");
  }

  @Override
  public void apply(Connection c, String id, long sequenceNr, Object event) throws SQLException {
    if (event instanceof Conversation.Opened o) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO read_messages (conversation_id, seq, site_id, kind, author_role, author_id, at)"
                  + " VALUES (?, 0, ?, 'opened', 'visitor', ?, ?) ON CONFLICT DO NOTHING")) {
        s.setString(1, id);
        s.setString(2, o.siteId());
        s.setString(3, o.visitorId());
        s.setTimestamp(4, ts(o.at()));
        s.executeUpdate();
      }
    } else if (event instanceof Conversation.MessagePosted m) {
      String text = m.text() == null ? "" : m.text();
      entry(c, id, m.seq(), "message", role(m.author()), m.author().id(), text, null, ts(m.at()),
          analyzer.tsvector(text));
    } else if (event instanceof Conversation.AgentJoined j) {
      entry(c, id, j.seq(), "joined", "agent", j.agentId(), null, null, ts(j.at()), null);
    } else if (event instanceof Conversation.Transferred t) {
      String to = t.toAgentId() != null ? "agent:" + t.toAgentId() : t.toGroup() != null ? "group:" + t.toGroup() : null;
      entry(c, id, t.seq(), "transferred", "agent", t.fromAgentId(), null, to, ts(t.at()), null);
    } else if (event instanceof Conversation.Closed cl) {
      entry(c, id, cl.seq(), "closed", role(cl.by()), cl.by().id(), null, null, ts(cl.at()), null);
    } else if (event instanceof Conversation.ContentErased) {
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE read_messages SET body = CASE WHEN body IS NULL THEN NULL ELSE '' END, terms = NULL"
                  + " WHERE conversation_id = ?")) {
        s.setString(1, id);
        s.executeUpdate();
      }
    }
  }

  private static void entry(
      Connection c, String id, long seq, String kind, String role, String authorId, String body, String detail,
      Timestamp at, String terms)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO read_messages"
                + " (conversation_id, seq, site_id, kind, author_role, author_id, body, detail, at, terms)"
                + " SELECT ?, ?, site_id, ?, ?, ?, ?, ?, ?, ?::tsvector FROM read_messages"
                + " WHERE conversation_id = ? AND seq = 0")) {
      s.setString(1, id);
      s.setLong(2, seq);
      s.setString(3, kind);
      s.setString(4, role);
      s.setString(5, authorId);
      s.setString(6, body);
      s.setString(7, detail);
      s.setTimestamp(8, at);
      if (terms == null) {
        s.setNull(9, Types.VARCHAR);
      } else {
        s.setString(9, terms);
      }
      s.setString(10, id);
      s.executeUpdate();
    }
  }
}
