-- Every webhook delivery Seglink acknowledged, written before the 200. One row per event and
-- topic: Shopify's redeliveries and duplicates carry the same event id.
CREATE TABLE webhook_inbox (
    event_id     TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    shop         TEXT    NOT NULL,
    webhook_id   TEXT    NOT NULL,
    api_version  TEXT    NOT NULL,
    triggered_at TEXT,
    body         BLOB    NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (event_id, topic)
);
