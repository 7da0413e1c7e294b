package dev.parley.persistence.readmodel;

import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.RoutingHints;
import dev.parley.persistence.projection.ReadModel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The conversation list ({@code read_conversations}), one row per conversation, from Conversation events: who,
 * which group and agents, status and the times that statistics need (opened, first assignment, first agent reply,
 * closed), message counts, the last message's preview, the rating, its labels, and whether it was missed (closed
 * before any agent joined). The visitor's name and e-mail are not copied here: they are joined from {@code read_visitors},
 * so that erasing a visitor erases one row.
 */
public final class ConversationsModel implements ReadModel {

  public static final String NAME = "conversations";
  /** Characters of the last message kept for the list. */
  public static final int PREVIEW_CHARS = 200;

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
    return List.of("read_conversations");
  }

  @Override
  public void apply(Connection c, String id, long sequenceNr, Object event) throws SQLException {
    if (event instanceof Conversation.Opened o) {
      RoutingHints hints = RoutingHints.orNone(o.hints());
      update(
          c,
          "INSERT INTO read_conversations (conversation_id, site_id, visitor_id, status, group_id, opened_at)"
              + " VALUES (?, ?, ?, 'waiting', ?, ?) ON CONFLICT (conversation_id) DO NOTHING",
          id, o.siteId(), o.visitorId(), hints.group(), ts(o.at()));
    } else if (event instanceof Conversation.MessagePosted m) {
      String role = role(m.author());
      String text = m.text() == null || m.text().isEmpty() ? null : preview(m.text());
      update(
          c,
          "UPDATE read_conversations SET last_seq = ?, last_message_at = ?, last_message_author = ?,"
              + " last_message_preview = ?,"
              + " visitor_messages = visitor_messages + ?, agent_messages = agent_messages + ?,"
              + " system_messages = system_messages + ?,"
              + " first_response_at = COALESCE(first_response_at, ?)"
              + " WHERE conversation_id = ?",
          m.seq(), ts(m.at()), role, text,
          role.equals("visitor") ? 1 : 0, role.equals("agent") ? 1 : 0, role.equals("system") ? 1 : 0,
          role.equals("agent") ? ts(m.at()) : null,
          id);
    } else if (event instanceof Conversation.AgentJoined j) {
      update(
          c,
          "UPDATE read_conversations SET last_seq = ?, status = 'assigned', agent_id = ?,"
              + " agent_ids = CASE WHEN ? = ANY(agent_ids) THEN agent_ids ELSE array_append(agent_ids, ?) END,"
              + " first_assigned_at = COALESCE(first_assigned_at, ?) WHERE conversation_id = ?",
          j.seq(), j.agentId(), j.agentId(), j.agentId(), ts(j.at()), id);
    } else if (event instanceof Conversation.Transferred t) {
      update(
          c,
          "UPDATE read_conversations SET last_seq = ?, status = 'waiting', agent_id = NULL,"
              + " group_id = COALESCE(?, group_id), transfers = transfers + 1 WHERE conversation_id = ?",
          t.seq(), t.toGroup(), id);
    } else if (event instanceof Conversation.Closed cl) {
      update(
          c,
          "UPDATE read_conversations SET last_seq = ?, status = 'closed', closed_at = ?, closed_by = ?,"
              + " missed = (first_assigned_at IS NULL) WHERE conversation_id = ?",
          cl.seq(), ts(cl.at()), role(cl.by()), id);
    } else if (event instanceof Conversation.Rated r) {
      update(
          c,
          "UPDATE read_conversations SET rating = ?, rating_comment = ?, rated_at = ? WHERE conversation_id = ?",
          (short) r.score(), r.comment() == null || r.comment().isEmpty() ? null : r.comment(), ts(r.at()), id);
    } else if (event instanceof Conversation.LabelAdded l) {
      update(
          c,
          "UPDATE read_conversations SET labels = CASE WHEN ? = ANY(labels) THEN labels"
              + " ELSE array_append(labels, ?) END WHERE conversation_id = ?",
          l.label(), l.label(), id);
    } else if (event instanceof Conversation.LabelRemoved l) {
      update(c, "UPDATE read_conversations SET labels = array_remove(labels, ?) WHERE conversation_id = ?", l.label(), id);
    } else if (event instanceof Conversation.ContentErased e) {
      update(
          c,
          "UPDATE read_conversations SET last_message_preview = NULL, rating_comment = NULL, erased_at = ?"
              + " WHERE conversation_id = ?",
          ts(e.at()), id);
    }
  }

  static String role(Participant p) {
    return p.role().name().toLowerCase(Locale.ROOT);
  }

  static String preview(String text) {
    if (text.length() <= PREVIEW_CHARS) {
      return text;
    }
    int end = PREVIEW_CHARS;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "…";
  }

  /** Microseconds, as PostgreSQL stores them: a value read back equals the value written. */
  static Timestamp ts(Instant at) {
    return at == null ? null : Timestamp.from(at.truncatedTo(ChronoUnit.MICROS));
  }

  static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p == null) {
          s.setNull(i + 1, Types.NULL);
        } else {
          s.setObject(i + 1, p);
        }
      }
      return s.executeUpdate();
    }
  }
}
