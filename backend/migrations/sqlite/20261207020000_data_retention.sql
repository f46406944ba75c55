-- How long a store keeps what its storefront reported (pixel events): the nightly job deletes
-- older ones (docs/security.md, "Redaction: what goes, and when").
CREATE TABLE data_retention (
    shop                  TEXT   NOT NULL PRIMARY KEY,
    storefront_event_days BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
