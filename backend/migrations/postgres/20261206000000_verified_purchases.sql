-- The verified order carries the token of the checkout it came from; a storefront client is tied
-- to the order's customer only when its pixel reported that same token (docs/security.md).
ALTER TABLE orders ADD COLUMN checkout_token TEXT;

-- Purchases the pixel reported used to be stored as the order's purchase, keeping the browser's
-- lines and value. They become what they are, a storefront's claim to have checked out, which no
-- segment counts; the orders a webhook confirmed get their purchase again from the verified order.
UPDATE events SET source = 'pixel', kind = 'checkout_completed', customer_id = NULL
WHERE source = 'order' AND kind = 'purchase' AND properties LIKE '{"v":1%';

INSERT INTO events (shop, kind, source, source_id, customer_id, order_id, occurred_at, properties)
SELECT o.shop, 'purchase', 'order', o.order_id, o.customer_id, o.order_id, COALESCE(o.created_at, o.updated_at),
       json_build_object('name', o.name, 'total_price', o.total_price, 'currency', o.currency,
                         'source_name', o.source_name, 'line_items', o.line_items::json)::text
FROM orders o
JOIN events e ON e.shop = o.shop AND e.source = 'pixel' AND e.kind = 'checkout_completed' AND e.source_id = o.order_id
WHERE LOWER(o.financial_status) IN ('paid', 'partially_refunded', 'refunded')
ON CONFLICT (shop, source, source_id, kind) DO NOTHING;
