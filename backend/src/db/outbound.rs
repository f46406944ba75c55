//! The outbound product sync's settings and the products it pushes.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A store's outbound sync settings; off until the merchant turns it on.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
pub struct CatalogSettings {
    /// Products made in Seglink are pushed to Shopify.
    pub outbound: bool,
    /// `refuse` or `truncate`: what a title over 255 characters does.
    pub long_titles: String,
}

/// A product made in Seglink and where its push is.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboundRow {
    pub id: i64,
    pub handle: String,
    /// JSON: the product as the merchant made it.
    pub product: String,
    /// `pending`, `pushed` or `refused`.
    pub state: String,
    /// Shopify's id once pushed.
    pub product_id: Option<String>,
    /// Shopify's refusal, or a note (a title cut to 255 characters).
    pub detail: Option<String>,
    pub updated_at: UnixTime,
}

const OUTBOUND_COLUMNS: &str = "id, handle, product, state, product_id, detail, updated_at";

impl Store {
    /// A store's settings (the defaults when it never set them).
    pub async fn catalog_settings(&self, shop: &ShopDomain) -> Result<CatalogSettings, DbError> {
        let found: Option<CatalogSettings> = on_pool!(self, pool => {
            sqlx::query_as("SELECT outbound, long_titles FROM catalog_settings WHERE shop = $1")
                .bind(shop)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.unwrap_or_else(|| CatalogSettings { outbound: false, long_titles: "refuse".to_owned() }))
    }

    /// Replaces a store's settings.
    pub async fn set_catalog_settings(
        &self,
        shop: &ShopDomain,
        settings: &CatalogSettings,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO catalog_settings (shop, outbound, long_titles, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shop) DO UPDATE SET outbound = excluded.outbound, long_titles = excluded.long_titles,
                     updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(settings.outbound)
            .bind(&settings.long_titles)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Keeps a product to push; its id.
    pub async fn add_outbound_product(
        &self,
        shop: &ShopDomain,
        handle: &str,
        product: &str,
        detail: Option<&str>,
        now: UnixTime,
    ) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO outbound_products (shop, handle, product, state, detail, created_at, updated_at)
                 VALUES ($1, $2, $3, 'pending', $4, $5, $5) RETURNING id",
            )
            .bind(shop)
            .bind(handle)
            .bind(product)
            .bind(detail)
            .bind(now)
            .fetch_one(pool)
            .await?
        }))
    }

    /// One product to push.
    pub async fn outbound_product(&self, shop: &ShopDomain, id: i64) -> Result<Option<OutboundRow>, DbError> {
        let sql = format!("SELECT {OUTBOUND_COLUMNS} FROM outbound_products WHERE shop = $1 AND id = $2");
        Ok(on_pool!(self, pool => { sqlx::query_as(&sql).bind(shop).bind(id).fetch_optional(pool).await? }))
    }

    /// A store's products to push, newest first.
    pub async fn outbound_products(&self, shop: &ShopDomain) -> Result<Vec<OutboundRow>, DbError> {
        let sql =
            format!("SELECT {OUTBOUND_COLUMNS} FROM outbound_products WHERE shop = $1 ORDER BY id DESC");
        Ok(on_pool!(self, pool => { sqlx::query_as(&sql).bind(shop).fetch_all(pool).await? }))
    }

    /// Records what Shopify answered a push.
    pub async fn record_outbound_push(
        &self,
        shop: &ShopDomain,
        id: i64,
        outcome: Result<&str, &str>,
        now: UnixTime,
    ) -> Result<(), DbError> {
        let (state, product_id, detail) = match outcome {
            Ok(product_id) => ("pushed", Some(product_id), None),
            Err(refusal) => ("refused", None, Some(refusal)),
        };
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE outbound_products SET state = $3, product_id = COALESCE($4, product_id),
                     detail = COALESCE($5, detail), updated_at = $6
                 WHERE shop = $1 AND id = $2",
            )
            .bind(shop)
            .bind(id)
            .bind(state)
            .bind(product_id)
            .bind(detail)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
