-- Automatic invitation rules of sites (issue 14): when a visitor online now is invited by the site without an
-- agent (time on page, page address, visit count, referrer), with a frequency cap per visitor. Edited through
-- /api/sites/{siteId}/invitation-rules as a whole list; read by each node's Visitors-now registry.
CREATE TABLE site_invitation_rule (
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    rule_id VARCHAR(64) NOT NULL,
    position INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    min_seconds_on_page INTEGER NOT NULL,
    -- globs over the whole address ('*' any characters); null: any page, any (or no) referrer
    url_pattern VARCHAR(500),
    min_visits INTEGER NOT NULL,
    referrer_pattern VARCHAR(500),
    sender_name VARCHAR(80) NOT NULL,
    message VARCHAR(500) NOT NULL,
    cap_hours INTEGER NOT NULL,
    PRIMARY KEY (site_id, rule_id),
    CONSTRAINT site_invitation_rule_seconds_check CHECK (min_seconds_on_page BETWEEN 0 AND 3600),
    CONSTRAINT site_invitation_rule_visits_check CHECK (min_visits BETWEEN 1 AND 1000),
    CONSTRAINT site_invitation_rule_cap_check CHECK (cap_hours BETWEEN 1 AND 720)
);
