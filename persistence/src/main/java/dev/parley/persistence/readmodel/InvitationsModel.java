package dev.parley.persistence.readmodel;

import static dev.parley.persistence.readmodel.ConversationsModel.ts;

import dev.parley.core.visitor.Visitor;
import dev.parley.persistence.projection.ReadModel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Proactive invitations, one row each ({@code read_invitations}), from the Visitor entity's {@link
 * Visitor.InvitationSent} and {@link Visitor.InvitationAnswered}: who sent it (an agent, or a site's rule when
 * automatic), when, and how it ended. The statistics count them per range ({@code Statistics#invitations}). An
 * erased visitor's rows lose the visitor id and keep the counts.
 */
public final class InvitationsModel implements ReadModel {

  public static final String NAME = "invitations";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String entityType() {
    return Visitor.ENTITY_KEY.name();
  }

  @Override
  public List<String> tables() {
    return List.of("read_invitations");
  }

  @Override
  public void apply(Connection c, String entityId, long sequenceNr, Object event) throws SQLException {
    int colon = entityId.indexOf(':');
    String siteId = entityId.substring(0, colon);
    String visitorId = entityId.substring(colon + 1);
    if (event instanceof Visitor.InvitationSent sent) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO read_invitations (site_id, invitation_id, visitor_id, agent_id, automatic, rule_id,"
                  + " sent_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, invitation_id) DO NOTHING")) {
        s.setString(1, siteId);
        s.setString(2, sent.invitationId());
        s.setString(3, visitorId);
        s.setString(4, sent.agentId());
        s.setBoolean(5, sent.automatic());
        s.setString(6, sent.ruleId());
        s.setTimestamp(7, ts(sent.at()));
        s.executeUpdate();
      }
    } else if (event instanceof Visitor.InvitationAnswered answered) {
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE read_invitations SET outcome = ?, conversation_id = ?, answered_at = ?"
                  + " WHERE site_id = ? AND invitation_id = ? AND outcome IS NULL")) {
        s.setString(1, answered.outcome());
        s.setString(2, answered.conversationId());
        s.setTimestamp(3, ts(answered.at()));
        s.setString(4, siteId);
        s.setString(5, answered.invitationId());
        s.executeUpdate();
      }
    } else if (event instanceof Visitor.Erased) {
      try (PreparedStatement s =
          c.prepareStatement("UPDATE read_invitations SET visitor_id = NULL WHERE site_id = ? AND visitor_id = ?")) {
        s.setString(1, siteId);
        s.setString(2, visitorId);
        s.executeUpdate();
      }
    }
  }
}
