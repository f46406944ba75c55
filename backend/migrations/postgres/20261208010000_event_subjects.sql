-- What segment rules read of an event's properties (its products and collection) as short JSON,
-- written beside them (`segments::facts::subjects`). The customer index holds it, so a full
-- evaluation reads a page's events from the index alone instead of fetching every event's row
-- for its properties: 91 ms instead of 340 ms for half a page of a million-customer store
-- (docs/benchmarks.md, "A million customers"). NULL: not known (an event stored before this
-- column, or subjects too long for an index entry); rules then read the properties, found
-- through the small `events_unsubjected` index.
ALTER TABLE events ADD COLUMN subjects TEXT;
DROP INDEX events_customer;
CREATE INDEX events_customer ON events (shop, customer_id, kind, occurred_at) INCLUDE (subjects)
    WHERE customer_id IS NOT NULL;
CREATE INDEX events_unsubjected ON events (shop, customer_id) WHERE customer_id IS NOT NULL AND subjects IS NULL;
