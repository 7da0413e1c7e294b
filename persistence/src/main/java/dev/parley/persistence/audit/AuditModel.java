package dev.parley.persistence.audit;

import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.projection.ReadModel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/**
 * The audit log's entries that the journal holds: transfers of conversations ({@code conversation.transfer}, actor
 * the agent the conversation left, target the conversation, detail where it went). Written into {@code audit_log}
 * with the event as {@code source_key}, so a replay adds nothing twice; a rebuild empties only this model's map of
 * conversation sites, never the audit log itself.
 */
public final class AuditModel implements ReadModel {

  public static final String NAME = "audit";

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
    return List.of("audit_conversation_sites");
  }

  @Override
  public void apply(Connection c, String conversationId, long sequenceNr, Object event) throws SQLException {
    if (event instanceof Conversation.Opened o) {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO audit_conversation_sites (conversation_id, site_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
        s.setString(1, conversationId);
        s.setString(2, o.siteId());
        s.executeUpdate();
      }
    } else if (event instanceof Conversation.Transferred t) {
      String to = t.toAgentId() != null ? "agent:" + t.toAgentId() : "group:" + t.toGroup();
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO audit_log (at, site_id, actor, action, target, address, detail, source_key)"
              + " SELECT ?, site_id, ?, 'conversation.transfer', ?, NULL, ?, ? FROM audit_conversation_sites"
              + " WHERE conversation_id = ? ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO NOTHING")) {
        s.setTimestamp(1, Timestamp.from(t.at()));
        s.setString(2, t.fromAgentId());
        s.setString(3, conversationId);
        s.setString(4, "to " + to);
        s.setString(5, "Conversation|" + conversationId + "|" + sequenceNr);
        s.setString(6, conversationId);
        s.executeUpdate();
      }
    }
  }
}
