-- Configuration people edit in forms: plain relational data, portable between H2 and PostgreSQL.

-- Server-wide secrets (token signing keys), created on first start and shared by every node of a cluster.
CREATE TABLE server_secret (
    name VARCHAR(64) PRIMARY KEY,
    secret VARCHAR(512) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A site is a tenant: one shop's website with its widget, agents and conversations.
CREATE TABLE site (
    id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    -- Origins allowed to open the visitor WebSocket, one per line, e.g. https://shop.example.
    allowed_origins VARCHAR(4000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE account (
    id VARCHAR(64) PRIMARY KEY,
    username VARCHAR(100) NOT NULL,
    display_name VARCHAR(200) NOT NULL,
    -- Argon2id, PHC string format; never the password itself.
    password_hash VARCHAR(512) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT account_username_unique UNIQUE (username)
);

-- Which sites an account works for, and as what. An admin manages the site; an agent chats for it.
CREATE TABLE membership (
    account_id VARCHAR(64) NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    role VARCHAR(16) NOT NULL,
    PRIMARY KEY (account_id, site_id),
    CONSTRAINT membership_role_check CHECK (role IN ('admin', 'agent'))
);

CREATE INDEX membership_site_idx ON membership (site_id);
