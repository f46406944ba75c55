-- A merchant's account. One workspace may hold several stores.
CREATE TABLE workspaces (
    id              TEXT   PRIMARY KEY,
    slug            TEXT   NOT NULL UNIQUE,
    public_key      TEXT   NOT NULL UNIQUE,
    -- SHA-256 of the server key, which is shown once and never stored.
    server_key_hash TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);

-- A store connected to a workspace, and how Seglink reaches it. Tokens are sealed (AES-256-GCM,
-- bound to the shop); dropped on uninstall or disconnect, while the store's data stays.
CREATE TABLE shops (
    shop               TEXT   PRIMARY KEY,
    workspace_id       TEXT   NOT NULL REFERENCES workspaces (id),
    connection         TEXT   NOT NULL,
    access_token       TEXT,
    access_expires_at  BIGINT,
    refresh_token      TEXT,
    refresh_expires_at BIGINT,
    scopes             TEXT   NOT NULL DEFAULT '',
    active             BIGINT NOT NULL DEFAULT 1,
    installed_at       BIGINT NOT NULL,
    uninstalled_at     BIGINT
);
CREATE INDEX shops_workspace ON shops (workspace_id);

-- Setup progress, one row per provisioning step, so a failed install resumes where it stopped.
CREATE TABLE setup_steps (
    shop       TEXT   NOT NULL,
    step       TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    detail     TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (shop, step)
);

-- Background work. A crashed worker's claim lapses at locked_until and the job runs again.
CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT   NOT NULL,
    shop         TEXT   NOT NULL,
    payload      TEXT   NOT NULL,
    dedupe_key   TEXT   UNIQUE,
    state        TEXT   NOT NULL DEFAULT 'queued',
    attempts     BIGINT NOT NULL DEFAULT 0,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Canonical events (DESIGN.md §3). The unique key makes reprocessing a delivery a no-op.
CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop        TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    source_id   TEXT   NOT NULL,
    customer_id TEXT,
    order_id    TEXT,
    occurred_at BIGINT NOT NULL,
    properties  TEXT   NOT NULL,
    UNIQUE (shop, source, source_id, kind)
);
CREATE INDEX events_customer ON events (shop, customer_id);

-- Current state mirrored from webhooks; updated_at (Unix seconds) guards against older payloads.
CREATE TABLE customers (
    shop            TEXT   NOT NULL,
    customer_id     TEXT   NOT NULL,
    email           TEXT,
    first_name      TEXT,
    last_name       TEXT,
    phone           TEXT,
    country         TEXT,
    tags            TEXT   NOT NULL DEFAULT '',
    marketing_state TEXT,
    created_at      BIGINT,
    updated_at      BIGINT NOT NULL,
    deleted         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop, customer_id)
);

CREATE TABLE orders (
    shop          TEXT   NOT NULL,
    order_id      TEXT   NOT NULL,
    customer_id   TEXT,
    name          TEXT,
    total_price   TEXT,
    currency      TEXT,
    source_name   TEXT,
    tags          TEXT   NOT NULL DEFAULT '',
    test          BIGINT NOT NULL DEFAULT 0,
    financial_status TEXT,
    line_items    TEXT   NOT NULL DEFAULT '[]',
    cancelled_at  BIGINT,
    created_at    BIGINT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (shop, order_id)
);
CREATE INDEX orders_customer ON orders (shop, customer_id);

CREATE TABLE products (
    shop       TEXT   NOT NULL,
    product_id TEXT   NOT NULL,
    title      TEXT,
    handle     TEXT,
    status     TEXT,
    tags       TEXT   NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    deleted    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop, product_id)
);

-- Per-store rules for what is ingested.
CREATE TABLE ingestion_policies (
    shop                 TEXT   PRIMARY KEY,
    excluded_channels    TEXT   NOT NULL DEFAULT '',
    excluded_tags        TEXT   NOT NULL DEFAULT '',
    exclude_test_orders  BIGINT NOT NULL DEFAULT 1,
    upsell_delay_minutes BIGINT NOT NULL DEFAULT 0,
    updated_at           BIGINT NOT NULL
);

-- Orders held for the post-purchase upsell window. The order's state keeps updating in `orders`
-- (edits fold in there); one event is released from it when the window closes.
CREATE TABLE held_orders (
    shop       TEXT   NOT NULL,
    order_id   TEXT   NOT NULL,
    paid       BIGINT NOT NULL DEFAULT 0,
    source_id  TEXT   NOT NULL,
    release_at BIGINT NOT NULL,
    PRIMARY KEY (shop, order_id)
);

-- GDPR requests, each due 30 days after it arrived.
CREATE TABLE privacy_requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop         TEXT   NOT NULL,
    topic        TEXT   NOT NULL,
    customer_id  TEXT,
    received_at  BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    completed_at BIGINT,
    export       TEXT,
    source_id    TEXT   NOT NULL UNIQUE
);
