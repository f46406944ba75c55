-- A custom app signs its own webhook subscriptions with its own API secret: kept sealed, like
-- the tokens, and dropped with them.
ALTER TABLE shops ADD COLUMN webhook_secret TEXT;
