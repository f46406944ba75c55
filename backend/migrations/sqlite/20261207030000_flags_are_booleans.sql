-- Flags become booleans (the PostgreSQL migration of the same name changes their type). SQLite
-- keeps booleans as the integers 0 and 1 these columns already hold, and reads TRUE and FALSE as
-- 1 and 0, so nothing changes here; the migration keeps both histories in step.
SELECT 1;
