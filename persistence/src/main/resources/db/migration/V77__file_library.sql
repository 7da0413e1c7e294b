-- A site's library of common files (issue 15): a size chart, an instruction PDF... that agents send with a click.
-- Each entry names a complete, checked upload (file_upload) that an admin made through the ordinary upload path;
-- that upload is marked conversation_id = 'library:<id>' so that it can never be sent or erased as a
-- conversation's file. Sending an entry copies its bytes into a new upload of the conversation (DECISIONS.md).
CREATE TABLE file_library (
    id UUID PRIMARY KEY,
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    file_id UUID NOT NULL UNIQUE REFERENCES file_upload (file_id),
    -- The name agents see and conversations receive; shown as text only.
    name VARCHAR(255) NOT NULL,
    created_by VARCHAR(128) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX file_library_site_idx ON file_library (site_id);
