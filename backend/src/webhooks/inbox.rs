//! The inbox writer: verified deliveries, group-committed with the jobs that process them.

use std::time::Duration;

use axum::body::Bytes;

use crate::clock::UnixTime;
use crate::db::{Arriving, Recorded, Store};
use crate::group_commit::{GroupCommit, NotCommitted};
use crate::shopify::webhook::WebhookDelivery;

/// Deliveries in one statement at most; SQLite allows 32,766 parameters, 8 per row.
const MAX_BATCH: usize = 512;

/// Writes deliveries in batches.
pub struct Inbox(GroupCommit<(WebhookDelivery, Bytes, UnixTime), Recorded>);

impl Inbox {
    /// Starts the writer on `store`; a delivery waits at most `deadline` for it.
    pub fn start(store: Store, deadline: Duration) -> Self {
        Self(GroupCommit::start(
            MAX_BATCH,
            deadline,
            move |items: Vec<(WebhookDelivery, Bytes, UnixTime)>| {
                let store = store.clone();
                async move {
                    let arriving: Vec<Arriving<'_>> = items
                        .iter()
                        .map(|(delivery, body, received_at)| Arriving {
                            delivery: delivery.headers(),
                            body,
                            received_at: *received_at,
                        })
                        .collect();
                    Ok(store.record_webhooks(&arriving).await?)
                }
            },
        ))
    }

    /// Stores a delivery; returns once it is committed.
    pub async fn record(
        &self,
        delivery: WebhookDelivery,
        body: Bytes,
        received_at: UnixTime,
    ) -> Result<Recorded, NotCommitted> {
        self.0.submit((delivery, body, received_at)).await
    }
}
