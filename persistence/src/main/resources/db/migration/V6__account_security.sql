-- Issue 10: roles, account lifecycle, revocable tokens, two-factor sign-in, canonical user names.

-- Four roles per site (docs/SECURITY.md, "Roles and permissions"). Every admin so far could do everything at
-- its site, so each becomes an owner: nobody loses a power, and every site that had an admin has an owner.
ALTER TABLE membership DROP CONSTRAINT membership_role_check;
UPDATE membership SET role = 'owner' WHERE role = 'admin';
ALTER TABLE membership ADD CONSTRAINT membership_role_check
    CHECK (role IN ('owner', 'admin', 'supervisor', 'agent'));

-- User names are compared in one canonical form: NFKC, lower case (docs/DECISIONS.md). Names so far were
-- ASCII, so this only folds case; two names differing only in case stop this migration with a unique-constraint
-- error naming account_username_unique: rename one by hand, then start again.
UPDATE account SET username = lower(username);

-- Every agent token carries the account's token version; bumping it ends every token and live connection.
ALTER TABLE account ADD COLUMN token_version BIGINT NOT NULL DEFAULT 1;
-- A disabled account cannot sign in and its tokens are refused; null while enabled.
ALTER TABLE account ADD COLUMN disabled_at TIMESTAMP WITH TIME ZONE;
-- Server operators may create sites. The first-start account (user name 'admin') is one.
ALTER TABLE account ADD COLUMN operator BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE account SET operator = TRUE WHERE username = 'admin';

-- Two-factor sign-in (TOTP, RFC 6238). The secret is encrypted with AES-GCM under a server secret
-- ("v1:" + base64(nonce || ciphertext)); it is set at enrolment and counts once totp_enabled_at is set.
-- totp_last_step: the last time step whose code was accepted; a code is never accepted twice.
ALTER TABLE account ADD COLUMN totp_secret VARCHAR(256);
ALTER TABLE account ADD COLUMN totp_enabled_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE account ADD COLUMN totp_last_step BIGINT;

-- Single-use recovery codes, stored as SHA-256 of account id and code (the codes are random, 50 bits each);
-- a used code is deleted.
CREATE TABLE recovery_code (
    account_id VARCHAR(64) NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    code_hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);

-- An owner may make two-factor sign-in mandatory for everyone working for the site.
ALTER TABLE site ADD COLUMN two_factor_required BOOLEAN NOT NULL DEFAULT FALSE;
