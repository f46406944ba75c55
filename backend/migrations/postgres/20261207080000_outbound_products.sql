-- The outbound product sync, opt-in per store: whether it is on, and what a title over Shopify's
-- 255 characters does (refused, or cut at 255).
CREATE TABLE catalog_settings (
    shop        TEXT    PRIMARY KEY,
    outbound    BOOLEAN NOT NULL DEFAULT FALSE,
    long_titles TEXT    NOT NULL DEFAULT 'refuse' CHECK (long_titles IN ('refuse', 'truncate')),
    updated_at  BIGINT  NOT NULL
);

-- Products made in Seglink, pushed to Shopify with productSet under their own handle (an upsert,
-- so a retried push makes no second product), with what Shopify answered.
CREATE TABLE outbound_products (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop       TEXT   NOT NULL,
    handle     TEXT   NOT NULL,
    product    TEXT   NOT NULL,
    state      TEXT   NOT NULL CHECK (state IN ('pending', 'pushed', 'refused')),
    product_id TEXT,
    detail     TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX outbound_products_shop ON outbound_products (shop, id);
