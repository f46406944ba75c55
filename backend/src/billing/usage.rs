//! Counting storefront events against the plan without slowing the pixel: each accepted
//! request adds to a count in memory, and a task writes the counts every few seconds in one
//! transaction. Writing them with the events cost a third of the pixel's throughput (measured,
//! docs/benchmarks.md). A process that dies loses at most the last few seconds of counts, in the
//! merchant's favour.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::db::Store;
use crate::shop_domain::ShopDomain;

/// How often the counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Storefront events accepted and not yet written to `usage_months`, by shop and month.
#[derive(Default)]
pub struct PixelUsage(Mutex<HashMap<(ShopDomain, i64), i64>>);

impl PixelUsage {
    /// Counts `events` stored for `shop` in `month`.
    pub fn add(&self, shop: &ShopDomain, month: i64, events: usize) {
        if events == 0 {
            return;
        }
        let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *pending.entry((shop.clone(), month)).or_default() += i64::try_from(events).unwrap_or(i64::MAX);
    }

    /// What this process counted for `shop` in `month` and has not written yet.
    pub fn pending(&self, shop: &ShopDomain, month: i64) -> i64 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(shop.clone(), month))
            .copied()
            .unwrap_or(0)
    }

    /// Writes the counts; on failure they are kept for the next time.
    pub async fn flush(&self, store: &Store) {
        let taken: Vec<((ShopDomain, i64), i64)> =
            std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_iter().collect();
        let mut months: Vec<i64> = taken.iter().map(|((_, month), _)| *month).collect();
        months.sort_unstable();
        months.dedup();
        for month in months {
            let counts: Vec<(&ShopDomain, i64)> = taken
                .iter()
                .filter(|((_, counted), _)| *counted == month)
                .map(|((shop, _), count)| (shop, *count))
                .collect();
            if let Err(error) = store.add_pixel_usage(month, &counts).await {
                crate::log::warn(
                    "writing pixel event counts failed; kept for later",
                    &[("error", &error.to_string())],
                );
                for (shop, count) in counts {
                    let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
                    *pending.entry((shop.clone(), month)).or_default() += count;
                }
            }
        }
    }
}

/// Writes `usage` every `FLUSH_EVERY` for as long as it lives.
pub async fn flush_continually(store: Store, usage: std::sync::Arc<PixelUsage>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        usage.flush(&store).await;
    }
}
