-- Agent activity (issue 11, part 2), projected from Agent events by AgentActivityModel: the status each agent chose,
-- as intervals, and each conversation assignment as an interval, from which time online/away/offline and
-- concurrent chats over any range are computed. Agents are accounts and may work for several sites: statuses are
-- the agent's own; assignments are narrowed to a site by joining read_conversations at query time.

CREATE TABLE read_agent_status (
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    -- NULL while it is the agent's current status.
    ended_at TIMESTAMPTZ,
    PRIMARY KEY (agent_id, started_at)
);
CREATE INDEX read_agent_status_open_idx ON read_agent_status (agent_id) WHERE ended_at IS NULL;

CREATE TABLE read_agent_assignments (
    agent_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    assigned_at TIMESTAMPTZ NOT NULL,
    -- NULL while the agent still has the conversation.
    released_at TIMESTAMPTZ,
    PRIMARY KEY (agent_id, conversation_id, assigned_at)
);
CREATE INDEX read_agent_assignments_open_idx ON read_agent_assignments (agent_id, conversation_id)
    WHERE released_at IS NULL;
