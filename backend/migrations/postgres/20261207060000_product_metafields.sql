-- What each product's Seglink metafields last received, by digest: a product whose values did
-- not change costs no call, and a run that stopped (throttled, a 5xx, a kill) resumes without
-- writing again what it wrote.
CREATE TABLE product_metafields (
    shop       TEXT   NOT NULL,
    product_id TEXT   NOT NULL,
    digest     TEXT   NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (shop, product_id)
);

-- The latest metafield run of each store, for the admin: where it is and what it did.
CREATE TABLE metafield_runs (
    shop        TEXT   PRIMARY KEY,
    state       TEXT   NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    scope       TEXT   NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    -- Products up to this id (in text order) are done.
    checkpoint  TEXT,
    products    BIGINT NOT NULL DEFAULT 0,
    changed     BIGINT NOT NULL DEFAULT 0,
    written     BIGINT NOT NULL DEFAULT 0,
    calls       BIGINT NOT NULL DEFAULT 0,
    missing     BIGINT NOT NULL DEFAULT 0,
    detail      TEXT
);
