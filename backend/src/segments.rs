//! Segments (docs/segments.md): membership from the rules, kept current incrementally and in full,
//! pushed back to Shopify as tags and native segments, explained, and served to the admin.

pub mod api;
pub mod facts;
pub mod membership;
mod native;
pub mod push;
pub mod reconcile;
mod suggest;
pub mod view;

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::db::{DbError, NewJob};
use crate::jobs::JobError;

pub use membership::{preview, recompute, refresh_customer};
pub use suggest::suggest;

/// Recomputes a store's segments in full.
pub const RECOMPUTE_JOB: &str = "segment_recompute";
const DAY: i64 = 86_400;

#[derive(Serialize, Deserialize)]
struct RecomputeJob {
    /// The midnight (Unix seconds) of a nightly run, which queues the next night's.
    nightly: Option<i64>,
}

/// Queues the nightly recompute of `shop` for the first midnight UTC after `now`; one per night.
pub async fn queue_nightly(app: &App, shop: &str, now: i64) -> Result<(), DbError> {
    let midnight = (now / DAY + 1) * DAY;
    app.store
        .enqueue(&NewJob {
            kind: RECOMPUTE_JOB,
            shop: shop.to_owned(),
            payload: serde_json::to_string(&RecomputeJob { nightly: Some(midnight) }).unwrap_or_default(),
            run_at: midnight,
            dedupe_key: Some(format!("nightly:{shop}:{midnight}")),
        })
        .await?;
    Ok(())
}

/// Runs a recompute job: every live segment in full, then, nightly, the next night's.
pub async fn run_recompute(app: &App, shop: &str, payload: &str) -> Result<(), JobError> {
    let job: RecomputeJob = serde_json::from_str(payload)
        .map_err(|error| JobError::Fatal(format!("bad recompute job: {error}")))?;
    let now = crate::clock::unix_now();
    // Nightly housekeeping too: exports nobody fetched are not kept past their time, nor
    // storefront events past the store's retention.
    app.store.purge_expired_exports(now).await?;
    let days = app.store.storefront_event_days(shop).await?;
    app.store.prune_storefront_events(shop, now - days * DAY).await?;
    if !app.store.shop(shop).await?.is_some_and(|record| record.active) {
        // Uninstalled or disconnected: nothing to push to, and no next night.
        return Ok(());
    }
    recompute(app, shop, None, now).await?;
    // The next night follows this one's, however late this one ran: the retention is kept
    // even by a store without segments.
    if let Some(midnight) = job.nightly {
        queue_nightly(app, shop, midnight).await?;
    }
    Ok(())
}
