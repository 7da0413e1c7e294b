-- Privacy (issue 10): erasure jobs, a site's retention period, and the audit log every sensitive action writes.

-- One erasure: a visitor (profile and every conversation of theirs) or one conversation (retention). A job is
-- written before any of its steps and marked done after the last, so that a node that dies mid-way resumes it.
CREATE TABLE erasure_job (
    id BIGSERIAL PRIMARY KEY,
    site_id VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    target_id VARCHAR(200) NOT NULL,
    reason VARCHAR(16) NOT NULL,
    requested_by VARCHAR(64),
    requested_at TIMESTAMP WITH TIME ZONE NOT NULL,
    conversations INTEGER,
    done_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT erasure_job_kind_check CHECK (kind IN ('visitor', 'conversation')),
    CONSTRAINT erasure_job_reason_check CHECK (reason IN ('request', 'retention'))
);
CREATE INDEX erasure_job_pending_idx ON erasure_job (id) WHERE done_at IS NULL;
CREATE UNIQUE INDEX erasure_job_retention_idx ON erasure_job (target_id) WHERE reason = 'retention';

-- Closed conversations older than this many days are erased; NULL keeps them.
ALTER TABLE site ADD COLUMN retention_days INTEGER;

-- Who did what, when, from where. Written by the server; never changed or deleted by it.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP WITH TIME ZONE NOT NULL,
    site_id VARCHAR(64),
    actor VARCHAR(64),
    action VARCHAR(64) NOT NULL,
    target VARCHAR(200),
    address VARCHAR(64),
    detail VARCHAR(1000)
);
CREATE INDEX audit_log_site_idx ON audit_log (site_id, id DESC);
