-- Webhooks (issue 11, part 2). An admin subscribes a URL to event types; WebhookModel, a projection of Conversation
-- events, writes one delivery per matching hook and event in the same transaction as its offset (exactly once; the
-- unique (hook_id, event_key) makes a replay add nothing); a sender on every node claims due deliveries with a
-- short lease, posts them signed, and records the outcome: at least once, in order per hook and conversation.

CREATE TABLE webhooks (
    id VARCHAR(64) PRIMARY KEY,
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    url VARCHAR(2000) NOT NULL,
    -- HMAC-SHA256 key of the signatures, shown to the admin once, when the hook is created.
    secret VARCHAR(128) NOT NULL,
    events TEXT[] NOT NULL,
    created_by VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX webhooks_site_idx ON webhooks (site_id) WHERE deleted_at IS NULL;

-- The outbox and the delivery log in one: a row per hook and event, pending until delivered (or given up).
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    hook_id VARCHAR(64) NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    site_id VARCHAR(64) NOT NULL,
    -- Deliveries of one hook and conversation go out in id order, one at a time; '' for events of no conversation.
    conversation_id TEXT NOT NULL,
    event_key VARCHAR(200) NOT NULL,
    event_type VARCHAR(64) NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    leased_until TIMESTAMPTZ,
    last_status INTEGER,
    last_error VARCHAR(500),
    last_attempt_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    CONSTRAINT webhook_deliveries_state_check CHECK (state IN ('pending', 'delivered', 'failed')),
    CONSTRAINT webhook_deliveries_event_unique UNIQUE (hook_id, event_key)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (hook_id, conversation_id, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (hook_id, id DESC);

-- WebhookModel's own table: each conversation's site and whether an agent ever joined (later events do not say).
CREATE TABLE webhook_conversations (
    conversation_id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    agent_joined BOOLEAN NOT NULL DEFAULT FALSE,
    visitor_messages INTEGER NOT NULL DEFAULT 0
);
