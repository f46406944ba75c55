//! The pixel's event writer: each request's events, group-committed with other requests'.

use crate::db::{EventRow, Store};
use crate::group_commit::GroupCommit;

/// Requests in one write at most (each up to 50 events).
const MAX_BATCH: usize = 64;

/// Writes pixel events in batches.
pub struct EventWriter(GroupCommit<(String, Vec<EventRow>), ()>);

impl EventWriter {
    /// Starts the writer on `store`.
    pub fn start(store: Store) -> Self {
        Self(GroupCommit::start(MAX_BATCH, move |requests: Vec<(String, Vec<EventRow>)>| {
            let store = store.clone();
            async move {
                let rows: Vec<(&str, &EventRow)> = requests
                    .iter()
                    .flat_map(|(shop, rows)| rows.iter().map(move |row| (shop.as_str(), row)))
                    .collect();
                store.record_events(&rows).await.map_err(|error| error.to_string())?;
                Ok(vec![(); requests.len()])
            }
        }))
    }

    /// Stores one request's events; returns once they are committed.
    pub async fn record(&self, shop: &str, rows: Vec<EventRow>) -> Result<(), String> {
        self.0.submit((shop.to_owned(), rows)).await
    }
}
