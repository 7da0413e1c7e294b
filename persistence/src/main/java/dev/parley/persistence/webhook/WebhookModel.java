package dev.parley.persistence.webhook;

import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.projection.ReadModel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The webhooks' outbox, from Conversation events: for each event a hook of the conversation's site subscribed to
 * (and that existed when the event happened), one pending delivery with its JSON payload, in the transaction of the
 * event's batch. The unique (hook, event key) means a replay adds nothing, so a rebuild of this model empties only
 * its own map of conversations and never sends an event twice. Event types: {@link #TYPES}.
 */
public final class WebhookModel implements ReadModel {

  public static final String NAME = "webhooks";
  /** What a hook can subscribe to. {@code visitor.left-message}: closed with visitor messages and no agent. */
  public static final List<String> TYPES =
      List.of(
          "message.created", "conversation.opened", "conversation.assigned", "conversation.transferred",
          "conversation.closed", "conversation.rated", "visitor.left-message");

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
    return List.of("webhook_conversations");
  }

  @Override
  public void apply(Connection c, String id, long sequenceNr, Object event) throws SQLException {
    String key = "Conversation|" + id + "|" + sequenceNr;
    if (event instanceof Conversation.Opened o) {
      exec(c, "INSERT INTO webhook_conversations (conversation_id, site_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
          id, o.siteId());
      enqueue(c, id, key, "conversation.opened", o.at(),
          "json_build_object('visitorId', ?::text, 'group', ?::text)",
          o.visitorId(), o.hints() == null ? null : o.hints().group());
    } else if (event instanceof Conversation.MessagePosted m) {
      if (m.author().role() == Participant.Role.VISITOR) {
        exec(c, "UPDATE webhook_conversations SET visitor_messages = visitor_messages + 1 WHERE conversation_id = ?", id);
      }
      enqueue(c, id, key, "message.created", m.at(),
          "json_build_object('seq', ?::bigint, 'authorRole', ?::text, 'authorId', ?::text, 'text', ?::text)",
          m.seq(), role(m.author()), m.author().id(), m.text());
    } else if (event instanceof Conversation.AgentJoined j) {
      exec(c, "UPDATE webhook_conversations SET agent_joined = TRUE WHERE conversation_id = ?", id);
      enqueue(c, id, key, "conversation.assigned", j.at(),
          "json_build_object('seq', ?::bigint, 'agentId', ?::text)", j.seq(), j.agentId());
    } else if (event instanceof Conversation.Transferred t) {
      enqueue(c, id, key, "conversation.transferred", t.at(),
          "json_build_object('seq', ?::bigint, 'fromAgentId', ?::text, 'toAgentId', ?::text, 'toGroup', ?::text)",
          t.seq(), t.fromAgentId(), t.toAgentId(), t.toGroup());
    } else if (event instanceof Conversation.Closed cl) {
      enqueue(c, id, key, "conversation.closed", cl.at(),
          "json_build_object('seq', ?::bigint, 'byRole', ?::text, 'byId', ?::text)", cl.seq(), role(cl.by()), cl.by().id());
      enqueueIf(c, id, key + "|left", "visitor.left-message", cl.at(),
          "NOT w.agent_joined AND w.visitor_messages > 0");
    } else if (event instanceof Conversation.Rated r) {
      enqueue(c, id, key, "conversation.rated", r.at(),
          "json_build_object('score', ?::integer, 'comment', ?::text)", r.score(), r.comment());
    } else if (event instanceof Conversation.ContentErased) {
      // Words not yet sent, or kept in the delivery log, are forgotten with the conversation's.
      exec(c, "UPDATE webhook_deliveries SET payload = jsonb_set(jsonb_set(payload::jsonb, '{data,text}', 'null', false),"
          + " '{data,comment}', 'null', false)::text WHERE conversation_id = ? AND event_type IN ('message.created',"
          + " 'conversation.rated')", id);
    }
  }

  private static void enqueue(
      Connection c, String conversationId, String key, String type, Instant at, String data, Object... dataParams)
      throws SQLException {
    String sql =
        "INSERT INTO webhook_deliveries (hook_id, site_id, conversation_id, event_key, event_type, payload,"
            + " created_at, next_attempt_at)"
            + " SELECT h.id, h.site_id, ?, ?, ?, json_build_object('id', ?::text, 'type', ?::text, 'siteId', h.site_id,"
            + " 'conversationId', ?::text, 'occurredAt', ?::timestamptz, 'data', " + data + ")::text, now(), now()"
            + " FROM webhooks h JOIN webhook_conversations w ON w.site_id = h.site_id AND w.conversation_id = ?"
            + " WHERE h.deleted_at IS NULL AND ? = ANY(h.events) AND h.created_at <= ?"
            + " ON CONFLICT (hook_id, event_key) DO NOTHING";
    Object[] params = new Object[8 + dataParams.length + 3];
    int i = 0;
    params[i++] = conversationId;
    params[i++] = key;
    params[i++] = type;
    params[i++] = key;
    params[i++] = type;
    params[i++] = conversationId;
    params[i++] = Timestamp.from(at);
    for (Object p : dataParams) {
      params[i++] = p;
    }
    params[i++] = conversationId;
    params[i++] = type;
    params[i++] = Timestamp.from(at);
    exec(c, sql, java.util.Arrays.copyOf(params, i));
  }

  private static void enqueueIf(
      Connection c, String conversationId, String key, String type, Instant at, String condition) throws SQLException {
    exec(c,
        "INSERT INTO webhook_deliveries (hook_id, site_id, conversation_id, event_key, event_type, payload,"
            + " created_at, next_attempt_at)"
            + " SELECT h.id, h.site_id, ?, ?, ?, json_build_object('id', ?::text, 'type', ?::text, 'siteId', h.site_id,"
            + " 'conversationId', ?::text, 'occurredAt', ?::timestamptz, 'data', json_build_object('visitorMessages',"
            + " w.visitor_messages))::text, now(), now()"
            + " FROM webhooks h JOIN webhook_conversations w ON w.site_id = h.site_id AND w.conversation_id = ?"
            + " WHERE h.deleted_at IS NULL AND ? = ANY(h.events) AND h.created_at <= ? AND " + condition
            + " ON CONFLICT (hook_id, event_key) DO NOTHING",
        conversationId, key, type, key, type, conversationId, Timestamp.from(at), conversationId, type,
        Timestamp.from(at));
  }

  private static String role(Participant p) {
    return p.role().name().toLowerCase(Locale.ROOT);
  }

  private static void exec(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] == null) {
          s.setNull(i + 1, java.sql.Types.VARCHAR);
        } else {
          s.setObject(i + 1, params[i]);
        }
      }
      s.executeUpdate();
    }
  }
}
