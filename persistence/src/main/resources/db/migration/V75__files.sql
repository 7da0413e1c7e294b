-- Files and images (issue 15). The bytes live in the blob store (persistence/blob); these rows say what each
-- upload is, who sent it, how far it got, and, once attached, to which conversation it belongs.

-- One row per upload. The client chooses upload_id (unique per uploader, so a retried or resumed upload finds its
-- row again); file_id is the server's own name for it, used in blob keys and download links.
CREATE TABLE file_upload (
    file_id UUID PRIMARY KEY,
    site_id VARCHAR(64) NOT NULL,
    owner_role VARCHAR(16) NOT NULL,
    owner_id VARCHAR(128) NOT NULL,
    upload_id VARCHAR(64) NOT NULL,
    -- The name the client gave, shown as text only; never used to decide the type.
    name VARCHAR(255) NOT NULL,
    total_bytes BIGINT NOT NULL,
    received_bytes BIGINT NOT NULL DEFAULT 0,
    -- receiving | complete | refused
    state VARCHAR(16) NOT NULL,
    -- The error code of a refused upload (file-type-refused, image-refused, ...).
    refusal VARCHAR(64),
    media_type VARCHAR(128),
    sha256 CHAR(64),
    width INTEGER,
    height INTEGER,
    has_thumbnail BOOLEAN NOT NULL DEFAULT FALSE,
    conversation_id VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    UNIQUE (site_id, owner_role, owner_id, upload_id)
);
CREATE INDEX file_upload_site_idx ON file_upload (site_id);
CREATE INDEX file_upload_conversation_idx ON file_upload (conversation_id) WHERE conversation_id IS NOT NULL;

-- The chunks of an upload still receiving, in order; deleted with their blobs once the file is assembled.
CREATE TABLE file_upload_part (
    file_id UUID NOT NULL REFERENCES file_upload (file_id) ON DELETE CASCADE,
    first_byte BIGINT NOT NULL,
    length BIGINT NOT NULL,
    PRIMARY KEY (file_id, first_byte)
);

-- A site's own limits, where it has set any; the server's defaults (parley.edge.files) otherwise.
CREATE TABLE site_file_policy (
    site_id VARCHAR(64) PRIMARY KEY REFERENCES site (id) ON DELETE CASCADE,
    max_file_bytes BIGINT,
    quota_bytes BIGINT,
    -- Media types allowed (by content); NULL: the server's default list.
    allowed_types TEXT[]
);
