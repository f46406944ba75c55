//! Billing's side of the store: the plan each shop is on as Shopify last said, the trials already
//! given, and each month's pixel events (docs/billing.md).

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A shop's plan as last read from Shopify.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanRow {
    /// Our plan's handle (`billing::PLANS`).
    pub plan: String,
    /// The `AppSubscription` GID; `None` on the free plan.
    pub subscription_id: Option<String>,
    /// Its `AppSubscriptionStatus`.
    pub status: Option<String>,
    pub trial_days: i64,
    /// Unix seconds.
    pub subscribed_at: Option<UnixTime>,
    /// Unix seconds.
    pub current_period_end: Option<UnixTime>,
    /// A test charge, never billed (development stores).
    pub test: bool,
    /// Unix seconds.
    pub synced_at: UnixTime,
}

/// A trial already given to a store.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TrialRow {
    pub subscription_id: String,
    /// Unix seconds.
    pub started_at: UnixTime,
    /// Unix seconds.
    pub ends_at: UnixTime,
}

impl Store {
    /// The shop's plan as last read from Shopify; `None` before the first read.
    pub async fn plan(&self, shop: &ShopDomain) -> Result<Option<PlanRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT plan, subscription_id, status, trial_days, subscribed_at, current_period_end, test, synced_at
                 FROM shop_plans WHERE shop = $1",
            )
            .bind(shop)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Keeps what Shopify said of the shop's plan.
    pub async fn save_plan(&self, shop: &ShopDomain, row: &PlanRow) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO shop_plans (shop, plan, subscription_id, status, trial_days, subscribed_at, current_period_end, test, synced_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (shop) DO UPDATE SET plan = excluded.plan, subscription_id = excluded.subscription_id,
                     status = excluded.status, trial_days = excluded.trial_days, subscribed_at = excluded.subscribed_at,
                     current_period_end = excluded.current_period_end, test = excluded.test, synced_at = excluded.synced_at",
            )
            .bind(shop)
            .bind(&row.plan)
            .bind(&row.subscription_id)
            .bind(&row.status)
            .bind(row.trial_days)
            .bind(row.subscribed_at)
            .bind(row.current_period_end)
            .bind(row.test)
            .bind(row.synced_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The first trial a store was given, by the hash of its domain.
    pub async fn first_trial(&self, shop_hash: &str) -> Result<Option<TrialRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT subscription_id, started_at, ends_at FROM billing_trials WHERE shop_hash = $1")
                .bind(shop_hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Records a store's trial unless one is recorded already; the one that stands.
    pub async fn record_trial(&self, shop_hash: &str, trial: &TrialRow) -> Result<TrialRow, DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO billing_trials (shop_hash, subscription_id, started_at, ends_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shop_hash) DO NOTHING",
            )
            .bind(shop_hash)
            .bind(&trial.subscription_id)
            .bind(trial.started_at)
            .bind(trial.ends_at)
            .execute(pool)
            .await?;
        });
        Ok(self.first_trial(shop_hash).await?.unwrap_or_else(|| trial.clone()))
    }

    /// Adds stored pixel events to each shop's count for `month` (as 202612).
    pub async fn add_pixel_usage(&self, month: i64, counts: &[(&ShopDomain, i64)]) -> Result<(), DbError> {
        on_pool!(self, pool => {
            // All or none: counts kept for a retry after a failure are not added twice.
            let mut transaction = pool.begin().await?;
            for (shop, count) in counts {
                sqlx::query(
                    "INSERT INTO usage_months (shop, month, pixel_events) VALUES ($1, $2, $3)
                     ON CONFLICT (shop, month) DO UPDATE SET pixel_events = usage_months.pixel_events + excluded.pixel_events",
                )
                .bind(*shop)
                .bind(month)
                .bind(count)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
        });
        Ok(())
    }

    /// Pixel events stored for the shop in `month`.
    pub async fn pixel_usage(&self, shop: &ShopDomain, month: i64) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT pixel_events FROM usage_months WHERE shop = $1 AND month = $2")
                .bind(shop)
                .bind(month)
                .fetch_optional(pool)
                .await?
                .unwrap_or(0)
        }))
    }

    /// Segments the merchant keeps (not suggestions, not being deleted), and active rules.
    pub async fn plan_counts(&self, shop: &ShopDomain) -> Result<(i64, i64), DbError> {
        Ok(on_pool!(self, pool => {
            let segments: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM segments WHERE shop = $1 AND deleted = FALSE AND suggested = FALSE",
            )
            .bind(shop)
            .fetch_one(pool)
            .await?;
            let rules: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM discount_rules WHERE shop = $1 AND active = TRUE")
                .bind(shop)
                .fetch_one(pool)
                .await?;
            (segments, rules)
        }))
    }
}
