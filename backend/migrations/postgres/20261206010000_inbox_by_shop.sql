-- Deliveries are unique per shop: one tenant's custom app signs with its own secret and could
-- otherwise claim an event id first and have Shopify's genuine delivery for another shop dropped
-- as a duplicate. The body is pruned once processed (NULL), keeping the row for dedupe only.
ALTER TABLE webhook_inbox DROP CONSTRAINT webhook_inbox_pkey;
ALTER TABLE webhook_inbox ADD PRIMARY KEY (shop, event_id, topic);
ALTER TABLE webhook_inbox ALTER COLUMN body DROP NOT NULL;

-- Privacy requests are recorded once per shop and delivery, for the same reason. A data
-- request's export is kept until it is downloaded once or expires.
ALTER TABLE privacy_requests DROP CONSTRAINT privacy_requests_source_id_key;
ALTER TABLE privacy_requests ADD CONSTRAINT privacy_requests_shop_source_id_key UNIQUE (shop, source_id);
ALTER TABLE privacy_requests ADD COLUMN export_expires_at BIGINT;
UPDATE privacy_requests SET export_expires_at = completed_at + 7 * 86400 WHERE export IS NOT NULL;
