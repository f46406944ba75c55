-- Whether a shop has a workflow turned on that starts with one of Seglink's Flow triggers, as
-- Flow's lifecycle callbacks say (docs/automations.md). `stamped_ms` is the callback's own time:
-- callbacks can arrive out of order, and only a newer one replaces what is known.
CREATE TABLE flow_triggers (
    shop       TEXT    NOT NULL,
    handle     TEXT    NOT NULL,
    enabled    BOOLEAN NOT NULL,
    stamped_ms BIGINT  NOT NULL,
    PRIMARY KEY (shop, handle)
);

-- Segment changes waiting to be fired as Flow triggers: written in the transaction that records
-- the change, only for triggers in use then, and deleted once Flow has taken them.
CREATE TABLE flow_outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop        TEXT   NOT NULL,
    handle      TEXT   NOT NULL,
    slug        TEXT   NOT NULL,
    customer_id TEXT   NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX flow_outbox_shop ON flow_outbox (shop, id);
