-- Proactive invitations in the statistics (issue 14): one row per invitation, projected from the Visitor entity's
-- InvitationSent and InvitationAnswered events (InvitationsModel). Counted in the range by sent_at.
-- outcome: null while pending, else accepted, closed or ignored. visitor_id is emptied when the visitor is erased.
CREATE TABLE read_invitations (
    site_id VARCHAR(64) NOT NULL,
    invitation_id VARCHAR(64) NOT NULL,
    visitor_id VARCHAR(128),
    agent_id VARCHAR(64),
    automatic BOOLEAN NOT NULL,
    rule_id VARCHAR(64),
    sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
    outcome VARCHAR(16),
    conversation_id VARCHAR(64),
    answered_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (site_id, invitation_id)
);
CREATE INDEX read_invitations_sent_idx ON read_invitations (site_id, sent_at);
