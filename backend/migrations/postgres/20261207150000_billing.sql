-- The plan each shop is on, as last read from Shopify (`currentAppInstallation.activeSubscriptions`,
-- read again on every `app_subscriptions/update`): never from anything a browser sends.
CREATE TABLE shop_plans (
    shop               TEXT    PRIMARY KEY,
    plan               TEXT    NOT NULL,
    -- NULL on the free plan, which has no subscription.
    subscription_id    TEXT,
    status             TEXT,
    trial_days         BIGINT  NOT NULL DEFAULT 0,
    subscribed_at      BIGINT,
    current_period_end BIGINT,
    test               BOOLEAN NOT NULL DEFAULT FALSE,
    synced_at          BIGINT  NOT NULL
);

-- Trials already given, by a hash of the shop's domain: kept after an uninstall and a shop's
-- redaction, so a store that reinstalls does not get a second trial (docs/billing.md).
CREATE TABLE billing_trials (
    shop_hash       TEXT   PRIMARY KEY,
    subscription_id TEXT   NOT NULL,
    started_at      BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL
);

-- Pixel events stored per shop and calendar month (UTC, as 202612), against the plan's limit.
CREATE TABLE usage_months (
    shop         TEXT    NOT NULL,
    month        BIGINT  NOT NULL,
    pixel_events BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (shop, month)
);
