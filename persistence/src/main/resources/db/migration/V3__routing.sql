-- Routing configuration (issue 5): skill groups, capacities, policies, working hours and holidays.
-- Plain relational data edited through /api/sites/{siteId}/routing; read by each site's dispatcher.

-- One row per configured site; a site without a row routes as "unconfigured" (manual claiming).
CREATE TABLE routing_settings (
    site_id VARCHAR(64) PRIMARY KEY REFERENCES site (id) ON DELETE CASCADE,
    policy VARCHAR(16) NOT NULL,
    offer_timeout_seconds INTEGER NOT NULL,
    default_capacity INTEGER NOT NULL,
    -- IANA zone of the working hours; null when the site has no working hours (always open).
    time_zone VARCHAR(64),
    -- Greeting the widget shows before the visitor writes; null for none.
    welcome_message VARCHAR(1000),
    -- Close an assigned chat after this many seconds without a visitor message (a notice first); null: never.
    auto_close_after_seconds INTEGER,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT routing_settings_policy_check CHECK (policy IN ('manual', 'least-busy', 'round-robin')),
    CONSTRAINT routing_settings_offer_check CHECK (offer_timeout_seconds BETWEEN 5 AND 3600),
    CONSTRAINT routing_settings_capacity_check CHECK (default_capacity BETWEEN 0 AND 100)
);

CREATE TABLE routing_group (
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    id VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    -- null: the site's policy
    policy VARCHAR(16),
    overflow_group VARCHAR(64),
    overflow_after_seconds INTEGER,
    PRIMARY KEY (site_id, id),
    CONSTRAINT routing_group_policy_check CHECK (policy IS NULL OR policy IN ('manual', 'least-busy', 'round-robin'))
);

CREATE TABLE routing_group_member (
    site_id VARCHAR(64) NOT NULL,
    group_id VARCHAR(64) NOT NULL,
    account_id VARCHAR(64) NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    PRIMARY KEY (site_id, group_id, account_id),
    FOREIGN KEY (site_id, group_id) REFERENCES routing_group (site_id, id) ON DELETE CASCADE
);

-- Maximum concurrent chats of an agent on a site; agents without a row get routing_settings.default_capacity.
CREATE TABLE routing_capacity (
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    account_id VARCHAR(64) NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    max_chats INTEGER NOT NULL,
    PRIMARY KEY (site_id, account_id),
    CONSTRAINT routing_capacity_check CHECK (max_chats BETWEEN 0 AND 100)
);

-- Page-URL rules, tried in rule_order; the first whose text the page URL contains picks the group.
CREATE TABLE routing_url_rule (
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    rule_order INTEGER NOT NULL,
    url_contains VARCHAR(512) NOT NULL,
    group_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (site_id, rule_order)
);

-- Weekly spans in the site's time zone; group_id '' is the site's own hours. closes <= opens: past midnight.
CREATE TABLE routing_hours (
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    group_id VARCHAR(64) NOT NULL,
    day_of_week SMALLINT NOT NULL,
    opens_minute INTEGER NOT NULL,
    closes_minute INTEGER NOT NULL,
    PRIMARY KEY (site_id, group_id, day_of_week, opens_minute),
    CONSTRAINT routing_hours_day_check CHECK (day_of_week BETWEEN 1 AND 7),
    CONSTRAINT routing_hours_minute_check CHECK (opens_minute BETWEEN 0 AND 1439 AND closes_minute BETWEEN 0 AND 1439)
);

-- Whole local days closed; group_id '' for the site (applies to every group).
CREATE TABLE routing_holiday (
    site_id VARCHAR(64) NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    group_id VARCHAR(64) NOT NULL,
    holiday_date DATE NOT NULL,
    PRIMARY KEY (site_id, group_id, holiday_date)
);
