-- A preview of a large store evaluates the customers whose ids end in the lowest three digits
-- (db::facts::Scope::Sample). Indexed by that expression, ANALYZE keeps statistics of it, so the
-- planner knows how few they are and reads their events and orders through the customer indexes
-- instead of every event of the store (docs/benchmarks.md, "A million customers"). Not partial
-- (as SQLite's is): PostgreSQL then keeps no statistics of the expression, and estimates a third.
CREATE INDEX customers_sample ON customers (shop, right(customer_id, 3));
