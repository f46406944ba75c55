-- The listing score each product last received in its metafields: a write that lowers it fires
-- Flow's "Product listing score dropped" (docs/automations.md).
ALTER TABLE product_metafields ADD COLUMN listing_score BIGINT;
-- A trigger that is not about a segment change keeps its payload here (JSON); segment changes
-- leave it NULL and are made into a payload when fired, with the segment's name then.
ALTER TABLE flow_outbox ADD COLUMN payload TEXT;
