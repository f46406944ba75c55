//! Products as webhooks and the backfill last reported them, with their variants.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A product as last reported. `None` in an optional part means the report did not carry it (a
/// webhook has no SEO fields or collections), so what is stored stays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductRow {
    /// Numeric id.
    pub product_id: String,
    /// Title.
    pub title: Option<String>,
    /// Handle.
    pub handle: Option<String>,
    /// `active`, `draft`, `archived`.
    pub status: Option<String>,
    /// Comma separated.
    pub tags: String,
    /// The description, as HTML.
    pub description_html: Option<String>,
    /// Kind of product.
    pub product_type: Option<String>,
    /// Brand or maker.
    pub vendor: Option<String>,
    /// The SEO title and description, when the report carried them (each may be unset).
    pub seo: Option<Seo>,
    /// Alt text of each image, in order, when the report carried images.
    pub image_alts: Option<Vec<Option<String>>>,
    /// Collection ids, when the report carried them.
    pub collections: Option<Vec<String>>,
    /// The variants, when the report carried them: they replace the stored ones.
    pub variants: Option<Vec<VariantRow>>,
    /// Unix seconds; the guard.
    pub updated_at: UnixTime,
    /// Deleted in Shopify.
    pub deleted: bool,
}

/// A product's SEO fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seo {
    /// The title search results show.
    pub title: Option<String>,
    /// The description search results show.
    pub description: Option<String>,
}

/// One variant of a product.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct VariantRow {
    /// Numeric id.
    pub variant_id: String,
    /// Such as `M / Blue`.
    pub title: Option<String>,
    /// Stock keeping unit.
    pub sku: Option<String>,
    /// GTIN, UPC or ISBN.
    pub barcode: Option<String>,
    /// Decimal, in the shop's currency.
    pub price: Option<String>,
    /// Decimal, the price before a sale.
    pub compare_at_price: Option<String>,
    /// Units in stock, when tracked.
    pub inventory_quantity: Option<i64>,
}

/// A stored product with what the listing score and the lookup API read.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredProduct {
    /// Numeric id.
    pub product_id: String,
    /// Title.
    pub title: Option<String>,
    /// Handle.
    pub handle: Option<String>,
    /// `active`, `draft`, `archived`.
    pub status: Option<String>,
    /// Description, as HTML.
    pub description_html: Option<String>,
    /// Kind of product.
    pub product_type: Option<String>,
    /// Brand or maker.
    pub vendor: Option<String>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// JSON: the alt text of each image.
    pub images: Option<String>,
    /// Unix seconds.
    pub updated_at: UnixTime,
    /// Deleted in Shopify.
    pub deleted: bool,
}

/// The columns a `StoredProduct` reads, in its order.
pub(super) const PRODUCT_COLUMNS: &str = "product_id, title, handle, status, description_html, product_type, vendor, \
     seo_title, seo_description, images, updated_at, deleted";

impl Store {
    /// Stores a product unless a newer version is stored; `true` when this one was kept. Its
    /// variants, when reported, replace the stored ones in the same transaction.
    pub async fn upsert_product(&self, shop: &ShopDomain, product: &ProductRow) -> Result<bool, DbError> {
        let images = product.image_alts.as_ref().map(|alts| {
            serde_json::Value::from(
                alts.iter().map(|alt| serde_json::json!({ "alt": alt })).collect::<Vec<_>>(),
            )
            .to_string()
        });
        let collections =
            product.collections.as_ref().map(|ids| serde_json::Value::from(ids.clone()).to_string());
        let (seo_known, seo) = (product.seo.is_some(), product.seo.clone().unwrap_or_default());
        Ok(on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let written = sqlx::query(
                "INSERT INTO products (shop, product_id, title, handle, status, tags, updated_at, deleted,
                     description_html, product_type, vendor, seo_title, seo_description, images, collections)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 ON CONFLICT (shop, product_id) DO UPDATE SET title = COALESCE(excluded.title, products.title),
                     handle = COALESCE(excluded.handle, products.handle), status = COALESCE(excluded.status, products.status),
                     tags = excluded.tags, updated_at = excluded.updated_at, deleted = excluded.deleted,
                     description_html = COALESCE(excluded.description_html, products.description_html),
                     product_type = COALESCE(excluded.product_type, products.product_type),
                     vendor = COALESCE(excluded.vendor, products.vendor),
                     seo_title = CASE WHEN $16 THEN excluded.seo_title ELSE products.seo_title END,
                     seo_description = CASE WHEN $16 THEN excluded.seo_description ELSE products.seo_description END,
                     images = COALESCE(excluded.images, products.images),
                     collections = COALESCE(excluded.collections, products.collections)
                 WHERE products.updated_at <= excluded.updated_at",
            )
            .bind(shop)
            .bind(&product.product_id)
            .bind(&product.title)
            .bind(&product.handle)
            .bind(&product.status)
            .bind(&product.tags)
            .bind(product.updated_at)
            .bind(product.deleted)
            .bind(&product.description_html)
            .bind(&product.product_type)
            .bind(&product.vendor)
            .bind(&seo.title)
            .bind(&seo.description)
            .bind(&images)
            .bind(&collections)
            .bind(seo_known)
            .execute(&mut *transaction)
            .await?
            .rows_affected()
                == 1;
            if written && let Some(variants) = &product.variants {
                sqlx::query("DELETE FROM product_variants WHERE shop = $1 AND product_id = $2")
                    .bind(shop)
                    .bind(&product.product_id)
                    .execute(&mut *transaction)
                    .await?;
                // Nine values a row: well inside either engine's parameter limit at Shopify's
                // 2,048 variants a product.
                for chunk in variants.chunks(1_000) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO product_variants (shop, variant_id, product_id, title, sku, barcode, price,
                             compare_at_price, inventory_quantity) ",
                    );
                    insert.push_values(chunk, |mut row, variant| {
                        row.push_bind(shop)
                            .push_bind(&variant.variant_id)
                            .push_bind(&product.product_id)
                            .push_bind(&variant.title)
                            .push_bind(&variant.sku)
                            .push_bind(&variant.barcode)
                            .push_bind(&variant.price)
                            .push_bind(&variant.compare_at_price)
                            .push_bind(variant.inventory_quantity);
                    });
                    // A variant moved between products (Shopify allows it) belongs to the newer.
                    insert.push(
                        " ON CONFLICT (shop, variant_id) DO UPDATE SET product_id = excluded.product_id,
                             title = excluded.title, sku = excluded.sku, barcode = excluded.barcode,
                             price = excluded.price, compare_at_price = excluded.compare_at_price,
                             inventory_quantity = excluded.inventory_quantity",
                    );
                    insert.build().execute(&mut *transaction).await?;
                }
            }
            transaction.commit().await?;
            written
        }))
    }

    /// A stored product, deleted or not.
    pub async fn product(
        &self,
        shop: &ShopDomain,
        product_id: &str,
    ) -> Result<Option<StoredProduct>, DbError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE shop = $1 AND product_id = $2");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql)
            .bind(shop)
            .bind(product_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// A product's variants, in id order.
    pub async fn variants(&self, shop: &ShopDomain, product_id: &str) -> Result<Vec<VariantRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT variant_id, title, sku, barcode, price, compare_at_price, inventory_quantity
                 FROM product_variants WHERE shop = $1 AND product_id = $2 ORDER BY variant_id",
            )
            .bind(shop)
            .bind(product_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The collection ids a product was last reported in; `None` when no report carried them.
    pub async fn product_collections(
        &self,
        shop: &ShopDomain,
        product_id: &str,
    ) -> Result<Option<Vec<String>>, DbError> {
        let stored: Option<Option<String>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT collections FROM products WHERE shop = $1 AND product_id = $2")
                .bind(shop)
                .bind(product_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(stored.flatten().and_then(|json| serde_json::from_str(&json).ok()))
    }
}
