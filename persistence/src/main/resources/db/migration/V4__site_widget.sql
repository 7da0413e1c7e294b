-- How a site's chat widget looks and behaves, and whether visitors' identities must be signed by the shop.
-- settings: a JSON object validated by the edge (colour, position, titles, greeting, pre-chat form, sound).
-- identity_secret: the HMAC-SHA256 key the shop's backend signs visitor ids with; never sent to browsers.
CREATE TABLE site_widget (
    site_id VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES site (id) ON DELETE CASCADE,
    settings VARCHAR(8000) NOT NULL,
    identity_required BOOLEAN NOT NULL,
    identity_secret VARCHAR(128)
);
