-- Segments (DESIGN.md §4), keyed by their slug within the store: the slug names the customer tag
-- `seglink:<slug>` and never changes. A deleted segment stays until its tags are gone from Shopify.
CREATE TABLE segments (
    shop              TEXT   NOT NULL,
    slug              TEXT   NOT NULL,
    name              TEXT   NOT NULL,
    rules             TEXT   NOT NULL,
    native            BIGINT NOT NULL DEFAULT 0,
    native_segment_id TEXT,
    member_count      BIGINT NOT NULL DEFAULT 0,
    suggested         BIGINT NOT NULL DEFAULT 0,
    deleted           BIGINT NOT NULL DEFAULT 0,
    computed_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (shop, slug)
);

CREATE TABLE segment_members (
    shop        TEXT   NOT NULL,
    slug        TEXT   NOT NULL,
    customer_id TEXT   NOT NULL,
    since       BIGINT NOT NULL,
    PRIMARY KEY (shop, slug, customer_id)
);

-- Every entry and exit, with its time.
CREATE TABLE segment_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop        TEXT   NOT NULL,
    slug        TEXT   NOT NULL,
    customer_id TEXT   NOT NULL,
    change      TEXT   NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX segment_changes_segment ON segment_changes (shop, slug, id);

-- The customers Shopify holds the segment's tag on, as far as Seglink knows: a push adds a row
-- after each tagsAdd and drops it after each tagsRemove, so this table is the push's checkpoint,
-- and reconciliation resets it to what Shopify really holds.
CREATE TABLE segment_tagged (
    shop        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (shop, slug, customer_id)
);

-- The last push and reconciliation of each segment.
CREATE TABLE segment_pushes (
    shop          TEXT   NOT NULL,
    slug          TEXT   NOT NULL,
    state         TEXT   NOT NULL,
    -- 1 while a push is queued for changes not yet pushed: changes close together share it.
    pending       BIGINT NOT NULL DEFAULT 0,
    -- Held by the replica pushing now, renewed as it goes: two pushes of one segment at once
    -- would each act on a stale checkpoint.
    leased_until  BIGINT,
    lease_holder  TEXT,
    added         BIGINT NOT NULL DEFAULT 0,
    removed       BIGINT NOT NULL DEFAULT 0,
    calls         BIGINT NOT NULL DEFAULT 0,
    bulk          TEXT,
    repaired      BIGINT,
    reconciled_at BIGINT,
    detail        TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (shop, slug)
);

-- Discount rules (DESIGN.md §5), their order the merchant's.
CREATE TABLE discount_rules (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop       TEXT   NOT NULL,
    rule       TEXT   NOT NULL,
    active     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX discount_rules_shop ON discount_rules (shop, id);

-- What the discount node's metafield last received.
CREATE TABLE discount_syncs (
    shop        TEXT   PRIMARY KEY,
    discount_id TEXT,
    digest      TEXT,
    bytes       BIGINT,
    state       TEXT   NOT NULL,
    detail      TEXT,
    synced_at   BIGINT NOT NULL
);
