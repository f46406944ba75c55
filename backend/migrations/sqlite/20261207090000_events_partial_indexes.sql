-- Most storefront events are anonymous and name no order: indexing their NULL customer and order
-- cost each stored event two index writes that no query reads (every lookup by customer or order
-- names one). docs/benchmarks.md ("Pixel") has the measurement.
DROP INDEX events_customer;
DROP INDEX events_order;
DROP INDEX events_client;
CREATE INDEX events_customer ON events (shop, customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX events_order ON events (shop, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX events_client ON events (shop, client_id) WHERE client_id IS NOT NULL;
