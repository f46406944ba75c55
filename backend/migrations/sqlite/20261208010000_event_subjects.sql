-- What segment rules read of an event's properties (its products and collection) as short JSON,
-- written beside them (`segments::facts::subjects`), as on PostgreSQL, whose customer index holds
-- it. SQLite's customer index holds the properties themselves (it has no entry size limit), so
-- its evaluations go on reading those.
ALTER TABLE events ADD COLUMN subjects TEXT;
