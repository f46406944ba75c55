-- What the merchant chose for the storefront pixel: which standard events it sends (empty for
-- all) and the share of visitors it tracks. Written into the pixel's settings on Shopify
-- (docs/pixel.md).
CREATE TABLE pixel_settings (
    shop           TEXT   NOT NULL PRIMARY KEY,
    tracked_events TEXT   NOT NULL DEFAULT '',
    sampling_rate  TEXT   NOT NULL DEFAULT '1',
    updated_at     BIGINT NOT NULL
);
