-- Team quick replies: canned answers a site's agents share. Text may hold variables such as {visitor.name},
-- filled in by the agent's client.
CREATE TABLE quick_reply (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    shortcut VARCHAR(32) NOT NULL,
    text VARCHAR(4000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT quick_reply_shortcut_unique UNIQUE (site_id, shortcut)
);
