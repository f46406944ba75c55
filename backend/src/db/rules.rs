//! A store's discount rules, and what the discount node's metafield last received.

use super::{DbError, Store, SyncState, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A rule as stored: the `discount_rules::Rule` JSON, and whether it reaches checkout.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredRule {
    /// Its row.
    pub id: i64,
    /// `discount_rules::Rule` as JSON.
    pub rule: String,
    /// 1 when active.
    pub active: bool,
    /// Unix seconds.
    pub updated_at: UnixTime,
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
    /// Whether Shopify has the rules.
    pub state: SyncState,
    /// Why it failed.
    pub detail: Option<String>,
    /// Unix seconds.
    pub synced_at: UnixTime,
}

/// A change to a store's rules, decided on the rules as they stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleChange {
    /// A new rule (`discount_rules::Rule` JSON).
    Insert {
        /// The rule.
        rule: String,
        /// Whether it reaches checkout.
        active: bool,
    },
    /// A new version of rule `id`.
    Update {
        /// The rule's row.
        id: i64,
        /// The rule.
        rule: String,
        /// Whether it reaches checkout.
        active: bool,
    },
}

impl Store {
    /// Reads the store's rules and writes the change `decide` makes of them, in one transaction
    /// that first takes the store's write lock (its `shops` row on PostgreSQL, the database on
    /// SQLite): two changes can never both pass a check (at most 25 active, the metafield's
    /// size) made on the same rules. `decide` refusing writes nothing.
    pub async fn change_discount_rules<E>(
        &self,
        shop: &ShopDomain,
        now: UnixTime,
        decide: impl FnOnce(&[StoredRule]) -> Result<RuleChange, E>,
    ) -> Result<Result<(), E>, DbError> {
        Ok(on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query("UPDATE shops SET shop = shop WHERE shop = $1").bind(shop).execute(&mut *transaction).await?;
            let rules: Vec<StoredRule> = sqlx::query_as(
                "SELECT id, rule, active, updated_at FROM discount_rules WHERE shop = $1 ORDER BY id",
            )
            .bind(shop)
            .fetch_all(&mut *transaction)
            .await?;
            match decide(&rules) {
                Err(refusal) => Err(refusal),
                Ok(RuleChange::Insert { rule, active }) => {
                    sqlx::query(
                        "INSERT INTO discount_rules (shop, rule, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
                    )
                    .bind(shop)
                    .bind(rule)
                    .bind(active)
                    .bind(now)
                    .execute(&mut *transaction)
                    .await?;
                    transaction.commit().await?;
                    Ok(())
                }
                Ok(RuleChange::Update { id, rule, active }) => {
                    let updated = sqlx::query(
                        "UPDATE discount_rules SET rule = $3, active = $4, updated_at = $5 WHERE shop = $1 AND id = $2",
                    )
                    .bind(shop)
                    .bind(id)
                    .bind(rule)
                    .bind(active)
                    .bind(now)
                    .execute(&mut *transaction)
                    .await?
                    .rows_affected();
                    super::one_row(updated, DbError::NotFound)?;
                    transaction.commit().await?;
                    Ok(())
                }
            }
        }))
    }

    /// The store's rules, oldest first.
    pub async fn discount_rules(&self, shop: &ShopDomain) -> Result<Vec<StoredRule>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, rule, active, updated_at FROM discount_rules WHERE shop = $1 ORDER BY id")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Removes a rule; `NotFound` when the store has no such rule.
    pub async fn delete_discount_rule(&self, shop: &ShopDomain, id: i64) -> Result<(), DbError> {
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
    pub async fn discount_sync(&self, shop: &ShopDomain) -> Result<Option<DiscountSync>, DbError> {
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
    pub async fn set_discount_sync(&self, shop: &ShopDomain, sync: &DiscountSync) -> Result<(), DbError> {
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
            .bind(sync.state)
            .bind(&sync.detail)
            .bind(sync.synced_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
