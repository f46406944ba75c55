-- Customers put in a segment by hand (Flow's "Add a customer to a Seglink segment"): members
-- whatever the rules say, until the segment is deleted or the customer is.
CREATE TABLE segment_includes (
    shop        TEXT   NOT NULL,
    slug        TEXT   NOT NULL,
    customer_id TEXT   NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (shop, slug, customer_id)
);
