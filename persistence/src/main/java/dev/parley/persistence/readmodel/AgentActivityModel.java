package dev.parley.persistence.readmodel;

import static dev.parley.persistence.readmodel.ConversationsModel.ts;
import static dev.parley.persistence.readmodel.ConversationsModel.update;

import dev.parley.core.agent.Agent;
import dev.parley.persistence.projection.ReadModel;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * Agent activity ({@code read_agent_status}, {@code read_agent_assignments}) from Agent events: the status an agent
 * chose, as intervals (a change ends the open interval and starts the next), and each conversation they had, from
 * assignment to release. Time before an agent's first status change is not recorded (it reads as offline). The
 * status is the one the agent chose, not whether a connection is open: presence is never journaled.
 */
public final class AgentActivityModel implements ReadModel {

  public static final String NAME = "agent-activity";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String entityType() {
    return Agent.ENTITY_KEY.name();
  }

  @Override
  public List<String> tables() {
    return List.of("read_agent_status", "read_agent_assignments");
  }

  @Override
  public void apply(Connection c, String agentId, long sequenceNr, Object event) throws SQLException {
    if (event instanceof Agent.StatusChanged s) {
      update(
          c,
          "UPDATE read_agent_status SET ended_at = GREATEST(started_at, ?) WHERE agent_id = ? AND ended_at IS NULL",
          ts(s.at()), agentId);
      update(
          c,
          "INSERT INTO read_agent_status (agent_id, status, started_at) VALUES (?, ?, ?)"
              + " ON CONFLICT (agent_id, started_at) DO UPDATE SET status = EXCLUDED.status, ended_at = NULL",
          agentId, s.status().name().toLowerCase(Locale.ROOT), ts(s.at()));
    } else if (event instanceof Agent.ConversationAssigned a) {
      update(
          c,
          "INSERT INTO read_agent_assignments (agent_id, conversation_id, assigned_at) VALUES (?, ?, ?)"
              + " ON CONFLICT DO NOTHING",
          agentId, a.conversationId(), ts(a.at()));
    } else if (event instanceof Agent.ConversationReleased r) {
      update(
          c,
          "UPDATE read_agent_assignments SET released_at = GREATEST(assigned_at, ?)"
              + " WHERE agent_id = ? AND conversation_id = ? AND released_at IS NULL",
          ts(r.at()), agentId, r.conversationId());
    }
  }
}
