-- The read side (issue 11): projection offsets, the conversation list, messages with their search terms, and the
-- visitors' identities. Every table here is a projection of the journal: `ops/projections rebuild NAME` empties
-- it and replays the journal into it. Numbered from V20 so that parallel branches' migrations (V6…) never clash.

-- eventsByTag (pekko-persistence-jdbc 1.1, legacy tag table keyed by the journal's ordering) asks
-- "tag = ? AND ordering > ?": without this index every poll of every projection slice scans all tags.
CREATE INDEX IF NOT EXISTS event_tag_tag_idx ON event_tag (tag, event_id);

-- Pekko Projections' JDBC offset store (postgres-dialect, lower-case names), written in the same transaction as
-- the rows of each batch a projection handles.
CREATE TABLE IF NOT EXISTS pekko_projection_offset_store (
    projection_name VARCHAR(255) NOT NULL,
    projection_key VARCHAR(255) NOT NULL,
    current_offset VARCHAR(255) NOT NULL,
    manifest VARCHAR(4) NOT NULL,
    mergeable BOOLEAN NOT NULL,
    last_updated BIGINT NOT NULL,
    PRIMARY KEY (projection_name, projection_key)
);
CREATE INDEX IF NOT EXISTS projection_name_index ON pekko_projection_offset_store (projection_name);

CREATE TABLE IF NOT EXISTS pekko_projection_management (
    projection_name VARCHAR(255) NOT NULL,
    projection_key VARCHAR(255) NOT NULL,
    paused BOOLEAN NOT NULL,
    last_updated BIGINT NOT NULL,
    PRIMARY KEY (projection_name, projection_key)
);

-- One row per read model. A rebuild (ops/projections rebuild) sets `rebuilding` while it empties and replays the
-- model; every handler transaction of a running node reads this row FOR SHARE first and refuses to write while
-- it is set, so a node never writes into a model being rebuilt by the tool.
CREATE TABLE projection_control (
    name TEXT PRIMARY KEY,
    rebuilding BOOLEAN NOT NULL DEFAULT FALSE,
    rebuilt_at TIMESTAMPTZ
);

-- The newest journal ordering each model's slice has applied, written in the same transaction as its rows (as is
-- Pekko's offset, which that library writes first, so it cannot tell a batch applied twice): a batch that does not
-- start after it is refused (ProjectionControl), whoever runs it.
CREATE TABLE projection_slices (
    name TEXT NOT NULL,
    tag TEXT NOT NULL,
    last_ordering BIGINT NOT NULL,
    PRIMARY KEY (name, tag)
);

-- What agents see of a visitor (from Visitor events): the identity the host site passed. Erased with the visitor.
CREATE TABLE read_visitors (
    site_id TEXT NOT NULL,
    visitor_id TEXT NOT NULL,
    user_id TEXT,
    name TEXT,
    email TEXT,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    identified_at TIMESTAMPTZ,
    erased_at TIMESTAMPTZ,
    PRIMARY KEY (site_id, visitor_id)
);
CREATE INDEX read_visitors_email_idx ON read_visitors (site_id, lower(email));
CREATE INDEX read_visitors_name_idx ON read_visitors (site_id, lower(name));

-- The conversation list (from Conversation events). Pages are keyset-paginated on (opened_at, conversation_id),
-- which never change once written, newest first.
CREATE TABLE read_conversations (
    conversation_id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    visitor_id TEXT NOT NULL,
    status TEXT NOT NULL,
    group_id TEXT,
    agent_id TEXT,
    agent_ids TEXT[] NOT NULL DEFAULT '{}',
    -- Labels arrive with part 2 of issue 11: filled by a later projection of label events.
    labels TEXT[] NOT NULL DEFAULT '{}',
    opened_at TIMESTAMPTZ NOT NULL,
    first_assigned_at TIMESTAMPTZ,
    first_response_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    closed_by TEXT,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_at TIMESTAMPTZ,
    last_message_author TEXT,
    last_message_preview TEXT,
    visitor_messages INTEGER NOT NULL DEFAULT 0,
    agent_messages INTEGER NOT NULL DEFAULT 0,
    system_messages INTEGER NOT NULL DEFAULT 0,
    transfers INTEGER NOT NULL DEFAULT 0,
    rating SMALLINT,
    rating_comment TEXT,
    rated_at TIMESTAMPTZ,
    missed BOOLEAN NOT NULL DEFAULT FALSE,
    erased_at TIMESTAMPTZ
);
CREATE INDEX read_conversations_page_idx ON read_conversations (site_id, opened_at DESC, conversation_id DESC);
CREATE INDEX read_conversations_visitor_idx ON read_conversations (site_id, visitor_id);
CREATE INDEX read_conversations_agents_idx ON read_conversations USING GIN (agent_ids);
CREATE INDEX read_conversations_labels_idx ON read_conversations USING GIN (labels);

-- Every timeline entry (from Conversation events): messages with their text and search terms, and the joins,
-- transfers and closes a transcript shows. `terms` holds the lexemes of dev.parley.persistence.search.TextAnalyzer
-- (Lucene: CJK bigrams and unigrams, English stems), positions included, so PostgreSQL ranks and every node of a
-- cluster shares one index.
CREATE TABLE read_messages (
    conversation_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    site_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT NOT NULL,
    body TEXT,
    -- What a non-message entry says besides its author: a transfer's target ("agent:ID" or "group:ID").
    detail TEXT,
    at TIMESTAMPTZ NOT NULL,
    terms TSVECTOR,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX read_messages_terms_idx ON read_messages USING GIN (terms);
CREATE INDEX read_messages_site_at_idx ON read_messages (site_id, at);

-- A CSV export in progress or done: lets anyone of the site (on any node) follow a long export's progress.
CREATE TABLE export_jobs (
    export_id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    total_rows BIGINT NOT NULL,
    rows_written BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX export_jobs_site_idx ON export_jobs (site_id, started_at DESC);
