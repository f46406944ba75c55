-- The email a guest checked out with (an order placed signed in as no customer), lower-cased:
-- when it is a segment member's, the member got no discount, and the guest-miss report says so
-- (docs/discount-function.md). Kept only for guest orders; customers/redact clears it.
ALTER TABLE orders ADD COLUMN guest_email TEXT;
CREATE INDEX orders_by_guest_email ON orders (shop, guest_email) WHERE guest_email IS NOT NULL;
