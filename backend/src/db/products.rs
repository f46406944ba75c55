//! Products as webhooks and the backfill last reported them.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A product as last reported.
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
    /// Unix seconds; the guard.
    pub updated_at: UnixTime,
    /// Deleted in Shopify.
    pub deleted: bool,
}

impl Store {
    /// Stores a product unless a newer version is stored.
    pub async fn upsert_product(&self, shop: &ShopDomain, product: &ProductRow) -> Result<bool, DbError> {
        let written = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO products (shop, product_id, title, handle, status, tags, updated_at, deleted)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (shop, product_id) DO UPDATE SET title = COALESCE(excluded.title, products.title),
                     handle = COALESCE(excluded.handle, products.handle), status = COALESCE(excluded.status, products.status),
                     tags = excluded.tags, updated_at = excluded.updated_at, deleted = excluded.deleted
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
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(written == 1)
    }
}
