-- Deliveries are unique per shop: one tenant's custom app signs with its own secret and could
-- otherwise claim an event id first and have Shopify's genuine delivery for another shop dropped
-- as a duplicate. The body is pruned once processed (NULL), keeping the row for dedupe only.
CREATE TABLE webhook_inbox_by_shop (
    event_id     TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    shop         TEXT    NOT NULL,
    webhook_id   TEXT    NOT NULL,
    api_version  TEXT    NOT NULL,
    triggered_at TEXT,
    body         BLOB,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (shop, event_id, topic)
);
INSERT INTO webhook_inbox_by_shop (event_id, topic, shop, webhook_id, api_version, triggered_at, body, received_at)
SELECT event_id, topic, shop, webhook_id, api_version, triggered_at, body, received_at FROM webhook_inbox;
DROP TABLE webhook_inbox;
ALTER TABLE webhook_inbox_by_shop RENAME TO webhook_inbox;

CREATE TRIGGER webhook_inbox_enqueue AFTER INSERT ON webhook_inbox
BEGIN
    INSERT INTO jobs (kind, shop, payload, run_at, created_at)
    VALUES ('webhook', NEW.shop, json_object('event_id', NEW.event_id, 'topic', NEW.topic),
            NEW.received_at, NEW.received_at);
END;

-- Privacy requests are recorded once per shop and delivery, for the same reason. A data
-- request's export is kept until it is downloaded once or expires.
CREATE TABLE privacy_requests_by_shop (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    shop              TEXT   NOT NULL,
    topic             TEXT   NOT NULL,
    customer_id       TEXT,
    received_at       BIGINT NOT NULL,
    due_at            BIGINT NOT NULL,
    completed_at      BIGINT,
    export            TEXT,
    export_expires_at BIGINT,
    source_id         TEXT   NOT NULL,
    UNIQUE (shop, source_id)
);
INSERT INTO privacy_requests_by_shop (id, shop, topic, customer_id, received_at, due_at, completed_at, export, source_id)
SELECT id, shop, topic, customer_id, received_at, due_at, completed_at, export, source_id FROM privacy_requests;
DROP TABLE privacy_requests;
ALTER TABLE privacy_requests_by_shop RENAME TO privacy_requests;
UPDATE privacy_requests SET export_expires_at = completed_at + 7 * 86400 WHERE export IS NOT NULL;
