-- Flags become booleans. They were BIGINT 0/1; the code now reads and writes them as bool, and
-- the SQL compares them with TRUE and FALSE, which both engines understand.
ALTER TABLE shops ALTER COLUMN active DROP DEFAULT,
    ALTER COLUMN active TYPE BOOLEAN USING active <> 0,
    ALTER COLUMN active SET DEFAULT TRUE;
ALTER TABLE customers ALTER COLUMN deleted DROP DEFAULT,
    ALTER COLUMN deleted TYPE BOOLEAN USING deleted <> 0,
    ALTER COLUMN deleted SET DEFAULT FALSE;
ALTER TABLE orders ALTER COLUMN test DROP DEFAULT,
    ALTER COLUMN test TYPE BOOLEAN USING test <> 0,
    ALTER COLUMN test SET DEFAULT FALSE;
ALTER TABLE products ALTER COLUMN deleted DROP DEFAULT,
    ALTER COLUMN deleted TYPE BOOLEAN USING deleted <> 0,
    ALTER COLUMN deleted SET DEFAULT FALSE;
ALTER TABLE ingestion_policies ALTER COLUMN exclude_test_orders DROP DEFAULT,
    ALTER COLUMN exclude_test_orders TYPE BOOLEAN USING exclude_test_orders <> 0,
    ALTER COLUMN exclude_test_orders SET DEFAULT TRUE;
ALTER TABLE held_orders ALTER COLUMN paid DROP DEFAULT,
    ALTER COLUMN paid TYPE BOOLEAN USING paid <> 0,
    ALTER COLUMN paid SET DEFAULT FALSE;
ALTER TABLE segments ALTER COLUMN native DROP DEFAULT,
    ALTER COLUMN native TYPE BOOLEAN USING native <> 0,
    ALTER COLUMN native SET DEFAULT FALSE,
    ALTER COLUMN suggested DROP DEFAULT,
    ALTER COLUMN suggested TYPE BOOLEAN USING suggested <> 0,
    ALTER COLUMN suggested SET DEFAULT FALSE,
    ALTER COLUMN deleted DROP DEFAULT,
    ALTER COLUMN deleted TYPE BOOLEAN USING deleted <> 0,
    ALTER COLUMN deleted SET DEFAULT FALSE;
ALTER TABLE discount_rules ALTER COLUMN active TYPE BOOLEAN USING active <> 0;
