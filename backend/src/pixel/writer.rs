//! The pixel's event writer: each request's events, group-committed with other requests'.

use crate::db::{EventRow, Store};
use crate::group_commit::GroupCommit;
use crate::shop_domain::ShopDomain;

/// Requests in one write at most (each up to 50 events).
const MAX_BATCH: usize = 64;

/// Writes pixel events in batches.
pub struct EventWriter(GroupCommit<(ShopDomain, Vec<EventRow>), ()>);

impl EventWriter {
    /// Starts the writer on `store`.
    pub fn start(store: Store) -> Self {
        Self(GroupCommit::start(MAX_BATCH, move |requests: Vec<(ShopDomain, Vec<EventRow>)>| {
            let store = store.clone();
            async move {
                let rows: Vec<(&ShopDomain, &EventRow)> = requests
                    .iter()
                    .flat_map(|(shop, rows)| rows.iter().map(move |row| (shop, row)))
                    .collect();
                store.record_events(&rows).await.map_err(|error| error.to_string())?;
                Ok(vec![(); requests.len()])
            }
        }))
    }

    /// Stores one request's events; returns once they are committed.
    pub async fn record(&self, shop: &ShopDomain, rows: Vec<EventRow>) -> Result<(), String> {
        self.0.submit((shop.clone(), rows)).await
    }
}
