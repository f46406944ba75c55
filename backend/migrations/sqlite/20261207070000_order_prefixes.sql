-- A store's order prefix for the lookup API (`EU-1001` is order #1001 of the store whose prefix is
-- EU), unique within its workspace.
ALTER TABLE shops ADD COLUMN order_prefix TEXT;
CREATE UNIQUE INDEX shops_order_prefix ON shops (workspace_id, order_prefix) WHERE order_prefix IS NOT NULL;
