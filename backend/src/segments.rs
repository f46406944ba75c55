//! Segments (docs/segments.md): membership from the rules, kept current incrementally and in full,
//! pushed back to Shopify as tags and native segments, explained, and served to the admin.

pub mod api;
pub mod evaluate;
pub mod facts;
pub mod membership;
mod native;
pub mod push;
pub mod reconcile;
mod suggest;
pub mod view;

use serde::{Deserialize, Serialize};

pub use evaluate::EvaluateSegment;
pub use membership::{preview, recompute, refresh_customer};
pub use push::PushTags;
pub use reconcile::ReconcileTags;
pub use suggest::suggest;

use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{DbError, Store};
use crate::jobs::{Job, JobError};
use crate::shop_domain::ShopDomain;

const DAY: i64 = 86_400;

/// Recomputes a store's segments in full.
#[derive(Serialize, Deserialize)]
pub struct Recompute {
    /// The midnight (Unix seconds) of a nightly run, which queues the next night's.
    nightly: Option<UnixTime>,
}

impl Job for Recompute {
    const KIND: &'static str = "segment_recompute";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        run_recompute(&app.store, shop, self).await
    }
}

/// Queues the nightly recompute of `shop` for the first midnight UTC after `now`; one per night.
pub async fn queue_nightly(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
    let midnight = UnixTime::from_secs((now.secs() / DAY + 1) * DAY);
    store
        .enqueue(&Recompute { nightly: Some(midnight) }.queued(
            shop,
            midnight,
            Some(format!("nightly:{shop}:{midnight}")),
        ))
        .await?;
    Ok(())
}

/// Runs a recompute job: every live segment in full, then, nightly, the next night's.
async fn run_recompute(store: &Store, shop: &ShopDomain, job: Recompute) -> Result<(), JobError> {
    let now = crate::clock::unix_now();
    // Nightly housekeeping too: exports nobody fetched are not kept past their time, nor
    // storefront events past the store's retention.
    store.purge_expired_exports(now).await?;
    let days = store.storefront_event_days(shop).await?;
    store.prune_storefront_events(shop, now - days * DAY).await?;
    if !store.shop(shop).await?.is_some_and(|record| record.active) {
        // Uninstalled or disconnected: nothing to push to, and no next night.
        return Ok(());
    }
    let limits = crate::billing::Entitlement::read(store, shop, now, None).await?.limits;
    let customers = store.customer_count(shop).await?;
    if customers > limits.customers {
        // Over the plan: members stay as they are, and the Billing page says why.
        let fields = [("shop", shop.as_str()), ("customers", &customers.to_string())];
        crate::log::warn("recompute skipped: the store has more customers than its plan evaluates", &fields);
    } else {
        recompute(store, shop, None, now).await?;
    }
    if job.nightly.is_some() {
        // The products' metafields follow the night's memberships.
        crate::catalog::write::queue_after_recompute(store, shop, now).await?;
    }
    // The next night follows this one's, however late this one ran: the retention is kept
    // even by a store without segments.
    if let Some(midnight) = job.nightly {
        queue_nightly(store, shop, midnight).await?;
    }
    Ok(())
}
