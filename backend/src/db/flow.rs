//! Shopify Flow's side of the store: which triggers each shop has a workflow for, and the segment
//! changes waiting to be fired (docs/automations.md).

use super::{DbError, Store, on_pool};
use crate::shop_domain::ShopDomain;

/// The handles of the segment triggers (`extensions/flow-segment-*`).
pub const SEGMENT_ENTERED: &str = "segment-entered";
pub const SEGMENT_LEFT: &str = "segment-left";
/// The handle of the product trigger (`extensions/flow-listing-score-dropped`).
pub const LISTING_SCORE_DROPPED: &str = "listing-score-dropped";

/// A segment change waiting to be fired as a Flow trigger.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FlowPending {
    pub id: i64,
    /// The trigger's handle.
    pub handle: String,
    pub slug: String,
    /// The segment's name now; `None` once the segment is gone.
    pub name: Option<String>,
    pub customer_id: String,
    /// The payload itself, for a trigger that is not about a segment change.
    pub payload: Option<String>,
}

impl Store {
    /// Records what a lifecycle callback stamped `stamped_ms` says of `handle`, unless a newer
    /// callback has been recorded; whether it was recorded.
    pub async fn record_flow_trigger(
        &self,
        shop: &ShopDomain,
        handle: &str,
        enabled: bool,
        stamped_ms: i64,
    ) -> Result<bool, DbError> {
        let recorded = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO flow_triggers (shop, handle, enabled, stamped_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shop, handle) DO UPDATE SET enabled = excluded.enabled, stamped_ms = excluded.stamped_ms
                 WHERE flow_triggers.stamped_ms < excluded.stamped_ms",
            )
            .bind(shop)
            .bind(handle)
            .bind(enabled)
            .bind(stamped_ms)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(recorded == 1)
    }

    /// The triggers a workflow of `shop` uses now.
    pub async fn flow_triggers_in_use(&self, shop: &ShopDomain) -> Result<Vec<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT handle FROM flow_triggers WHERE shop = $1 AND enabled = TRUE ORDER BY handle")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The oldest `limit` changes waiting to be fired for `shop`.
    pub async fn flow_pending(&self, shop: &ShopDomain, limit: i64) -> Result<Vec<FlowPending>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT f.id, f.handle, f.slug, s.name, f.customer_id, f.payload FROM flow_outbox f
                 LEFT JOIN segments s ON s.shop = f.shop AND s.slug = f.slug AND s.deleted = FALSE
                 WHERE f.shop = $1 ORDER BY f.id LIMIT $2",
            )
            .bind(shop)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records that Flow's action run `run_id` was carried out; `false` when it was before.
    pub async fn record_flow_action(
        &self,
        shop: &ShopDomain,
        run_id: &str,
        handle: &str,
        now: crate::clock::UnixTime,
    ) -> Result<bool, DbError> {
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO flow_action_runs (shop, action_run_id, handle, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(shop)
            .bind(run_id)
            .bind(handle)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Whether Flow's action run `run_id` was carried out.
    pub async fn flow_action_done(&self, shop: &ShopDomain, run_id: &str) -> Result<bool, DbError> {
        let found: Option<i32> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT 1 FROM flow_action_runs WHERE shop = $1 AND action_run_id = $2")
                .bind(shop)
                .bind(run_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// Forgets a change: fired, or not to be fired.
    pub async fn forget_flow_pending(&self, id: i64) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM flow_outbox WHERE id = $1").bind(id).execute(pool).await?;
        });
        Ok(())
    }
}
