-- What each product's Seglink metafields last received, by digest: a product whose values did
-- not change costs no call, and a run that stopped (throttled, a 5xx, a kill) resumes without
-- writing again what it wrote.
CREATE TABLE product_metafields (
    shop       TEXT   NOT NULL,
    product_id TEXT   NOT NULL,
    digest     TEXT   NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (shop, product_id)
);

-- The latest metafield run of each store, for the admin: where it is and what it did.
CREATE TABLE metafield_runs (
    shop        TEXT   PRIMARY KEY,
    state       TEXT   NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    scope       TEXT   NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    -- Products up to this id (in text order) are done.
    checkpoint  TEXT,
    products    INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    written     INTEGER NOT NULL DEFAULT 0,
    calls       INTEGER NOT NULL DEFAULT 0,
    missing     INTEGER NOT NULL DEFAULT 0,
    detail      TEXT
);
