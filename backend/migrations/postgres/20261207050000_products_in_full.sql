-- Products in full, from webhooks and the backfill: what the listing score reads and what the
-- lookup API searches. NULL means "not reported": a webhook carries no SEO fields or collections,
-- so an update from one keeps what the backfill stored.
ALTER TABLE products ADD COLUMN description_html TEXT;
ALTER TABLE products ADD COLUMN product_type TEXT;
ALTER TABLE products ADD COLUMN vendor TEXT;
ALTER TABLE products ADD COLUMN seo_title TEXT;
ALTER TABLE products ADD COLUMN seo_description TEXT;
-- JSON: [{"alt": "…" | null}] in the product's order.
ALTER TABLE products ADD COLUMN images TEXT;
-- JSON: ["<collection id>", …].
ALTER TABLE products ADD COLUMN collections TEXT;

-- A product's variants as last reported with it; replaced whole with each newer version.
CREATE TABLE product_variants (
    shop               TEXT NOT NULL,
    variant_id         TEXT NOT NULL,
    product_id         TEXT NOT NULL,
    title              TEXT,
    sku                TEXT,
    barcode            TEXT,
    price              TEXT,
    compare_at_price   TEXT,
    inventory_quantity BIGINT,
    PRIMARY KEY (shop, variant_id)
);
CREATE INDEX product_variants_product ON product_variants (shop, product_id);
CREATE INDEX product_variants_sku ON product_variants (shop, sku);
CREATE INDEX product_variants_barcode ON product_variants (shop, barcode);
