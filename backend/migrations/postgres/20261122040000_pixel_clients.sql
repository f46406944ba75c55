-- The storefront client (Shopify's clientId) behind a pixel event, and the customer a client is
-- known to be: linked only from server evidence, a purchase whose order webhook names the buyer.
ALTER TABLE events ADD COLUMN client_id TEXT;
CREATE INDEX events_client ON events (shop, client_id);
CREATE INDEX events_order ON events (shop, order_id);

CREATE TABLE client_links (
    shop        TEXT   NOT NULL,
    client_id   TEXT   NOT NULL,
    customer_id TEXT   NOT NULL,
    linked_at   BIGINT NOT NULL,
    PRIMARY KEY (shop, client_id)
);
