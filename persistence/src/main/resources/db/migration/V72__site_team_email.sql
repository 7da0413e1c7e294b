-- Where a site's left messages are mailed (issue 14): the site's own team address; null falls back to the
-- operator's parley.mail.team-to.
ALTER TABLE site ADD COLUMN team_email VARCHAR(254);
