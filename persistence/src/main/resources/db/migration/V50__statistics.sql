-- Statistics (issue 11, part 2). The per-conversation facts they are computed from are read_conversations' rows
-- (opened, first agent reply, closed, missed, message counts, transfers, rating, group, last agent); medians and
-- p90 are percentile_cont over those rows for any date range, so nothing is pre-aggregated that a range could
-- cut through.

-- The site's time zone: statistics bucket hours and days in it, and date ranges are its calendar days.
ALTER TABLE site ADD COLUMN time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC';

-- Statistics of one agent or group over a range.
CREATE INDEX read_conversations_agent_opened_idx ON read_conversations (site_id, agent_id, opened_at);
CREATE INDEX read_conversations_group_opened_idx ON read_conversations (site_id, group_id, opened_at);
