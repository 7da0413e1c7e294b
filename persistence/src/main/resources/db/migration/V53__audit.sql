-- The audit log's API (issue 11, part 2). Entries that come from the journal (transfers, by AuditModel) carry the
-- event they came from as source_key, so that a replay of the journal (ops/projections rebuild audit) adds none twice;
-- entries the server writes have none. Never changed or deleted by the server.
ALTER TABLE audit_log ADD COLUMN source_key VARCHAR(200);
CREATE UNIQUE INDEX audit_log_source_idx ON audit_log (source_key) WHERE source_key IS NOT NULL;
-- Entries without a site (sign-ins, one's own password) are shown to the admins of the sites the actor works for.
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id DESC) WHERE site_id IS NULL;

-- AuditModel's own table: the site of each conversation, from its Opened event (later events do not name it).
CREATE TABLE audit_conversation_sites (
    conversation_id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL
);
