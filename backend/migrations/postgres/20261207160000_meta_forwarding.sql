-- Forwarding storefront events and purchases to Meta's Conversions API, per shop (docs/meta.md).
CREATE TABLE meta_settings (
    shop            TEXT    PRIMARY KEY,
    pixel_id        TEXT    NOT NULL,
    -- The access token, sealed like every token (AES-256-GCM, bound to the shop).
    sealed_token    TEXT    NOT NULL,
    test_event_code TEXT,
    enabled         BOOLEAN NOT NULL,
    updated_at      BIGINT  NOT NULL
);

-- Events waiting to be sent, oldest first; one per shop, event name and event id.
CREATE TABLE meta_outbox (
    id         BIGSERIAL PRIMARY KEY,
    shop       TEXT   NOT NULL,
    event_name TEXT   NOT NULL,
    event_id   TEXT   NOT NULL,
    event_time BIGINT NOT NULL,
    event      TEXT   NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (shop, event_name, event_id)
);
CREATE INDEX meta_outbox_by_shop ON meta_outbox (shop, id);

-- What forwarding did, for the settings page.
CREATE TABLE meta_health (
    shop          TEXT   PRIMARY KEY,
    sent          BIGINT NOT NULL DEFAULT 0,
    failed        BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    last_error_at BIGINT,
    last_sent_at  BIGINT
);

-- Events given up on, counted by reason.
CREATE TABLE meta_drops (
    shop   TEXT   NOT NULL,
    reason TEXT   NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (shop, reason)
);
