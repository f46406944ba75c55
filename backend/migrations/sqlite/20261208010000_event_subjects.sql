-- What segment rules read of an event's properties (its products and collection), which
-- PostgreSQL's customer index holds (`segments::facts::subjects`). SQLite's customer index holds
-- the properties themselves (it has no entry size limit), so its evaluations read those and the
-- column stays NULL here: it exists so that both engines take the same statements.
ALTER TABLE events ADD COLUMN subjects TEXT;
