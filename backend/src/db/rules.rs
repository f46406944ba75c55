//! A store's discount rules, and what the discount node's metafield last received.

use super::{DbError, Store, on_pool};

/// A rule as stored: the `discount_rules::Rule` JSON, and whether it reaches checkout.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredRule {
    /// Its row.
    pub id: i64,
    /// `discount_rules::Rule` as JSON.
    pub rule: String,
    /// 1 when active.
    pub active: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// The last write of the rules to Shopify.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct DiscountSync {
    /// The automatic app discount that carries the config.
    pub discount_id: Option<String>,
    /// The metafield's `compareDigest` after the write.
    pub digest: Option<String>,
    /// The config's size in bytes.
    pub bytes: Option<i64>,
    /// `synced` or `failed`.
    pub state: String,
    /// Why it failed.
    pub detail: Option<String>,
    /// Unix seconds.
    pub synced_at: i64,
}

impl Store {
    /// The store's rules, oldest first.
    pub async fn discount_rules(&self, shop: &str) -> Result<Vec<StoredRule>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, rule, active, updated_at FROM discount_rules WHERE shop = $1 ORDER BY id")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Adds a rule; its id.
    pub async fn insert_discount_rule(
        &self,
        shop: &str,
        rule: &str,
        active: bool,
        now: i64,
    ) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO discount_rules (shop, rule, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
                 RETURNING id",
            )
            .bind(shop)
            .bind(rule)
            .bind(i64::from(active))
            .bind(now)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Replaces a rule; `NotFound` when the store has no such rule.
    pub async fn update_discount_rule(
        &self,
        shop: &str,
        id: i64,
        rule: &str,
        active: bool,
        now: i64,
    ) -> Result<(), DbError> {
        let updated = on_pool!(self, pool => {
            sqlx::query("UPDATE discount_rules SET rule = $3, active = $4, updated_at = $5 WHERE shop = $1 AND id = $2")
                .bind(shop)
                .bind(id)
                .bind(rule)
                .bind(i64::from(active))
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        super::one_row(updated, DbError::NotFound)
    }

    /// Removes a rule; `NotFound` when the store has no such rule.
    pub async fn delete_discount_rule(&self, shop: &str, id: i64) -> Result<(), DbError> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM discount_rules WHERE shop = $1 AND id = $2")
                .bind(shop)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        super::one_row(deleted, DbError::NotFound)
    }

    /// The last write of the rules to Shopify.
    pub async fn discount_sync(&self, shop: &str) -> Result<Option<DiscountSync>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT discount_id, digest, bytes, state, detail, synced_at FROM discount_syncs WHERE shop = $1",
            )
            .bind(shop)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Records a write of the rules to Shopify.
    pub async fn set_discount_sync(&self, shop: &str, sync: &DiscountSync) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO discount_syncs (shop, discount_id, digest, bytes, state, detail, synced_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (shop) DO UPDATE SET discount_id = excluded.discount_id, digest = excluded.digest,
                     bytes = excluded.bytes, state = excluded.state, detail = excluded.detail,
                     synced_at = excluded.synced_at",
            )
            .bind(shop)
            .bind(&sync.discount_id)
            .bind(&sync.digest)
            .bind(sync.bytes)
            .bind(&sync.state)
            .bind(&sync.detail)
            .bind(sync.synced_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
