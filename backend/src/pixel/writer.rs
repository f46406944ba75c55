//! The pixel's event writer: each request's events, group-committed with other requests'.

use std::time::Duration;

use crate::db::{DbError, EventRow, Store};
use crate::group_commit::{GroupCommit, NotCommitted};
use crate::shop_domain::ShopDomain;

/// Requests in one write at most (each up to 50 events).
const MAX_BATCH: usize = 64;

/// Writes of a group that may end in a deadlock before it fails.
const DEADLOCK_ATTEMPTS: u32 = 4;

/// One request's events.
type Request = (ShopDomain, Vec<EventRow>);

/// Writes pixel events in batches.
pub struct EventWriter(GroupCommit<Request, Vec<String>>);

impl EventWriter {
    /// Starts the writer on `store`; a request waits at most `deadline` for it.
    pub fn start(store: Store, deadline: Duration) -> Self {
        Self(GroupCommit::start(MAX_BATCH, deadline, move |requests: Vec<Request>| {
            let store = store.clone();
            async move { Ok(write(&store, requests).await?) }
        }))
    }

    /// Stores one request's events, each with the customer its client is linked to; returns
    /// those customers once the events are committed.
    pub async fn record(&self, shop: &ShopDomain, rows: Vec<EventRow>) -> Result<Vec<String>, NotCommitted> {
        self.0.submit((shop.clone(), rows)).await
    }
}

/// Writes the group; beside it, on another connection, looks up which customers the group's
/// clients are (one query for the group, not one per request: those lookups cost as much as the
/// writes), for the callers to evaluate again.
async fn write(store: &Store, requests: Vec<Request>) -> Result<Vec<Vec<String>>, DbError> {
    let mut clients: Vec<(&ShopDomain, &str)> = requests
        .iter()
        .flat_map(|(shop, rows)| rows.iter().filter_map(move |row| Some((shop, row.client_id.as_deref()?))))
        .collect();
    clients.sort_unstable();
    clients.dedup();
    let rows: Vec<(&ShopDomain, &EventRow)> =
        requests.iter().flat_map(|(shop, rows)| rows.iter().map(move |row| (shop, row))).collect();
    let (links, written) = tokio::join!(
        async { if clients.is_empty() { Ok(Vec::new()) } else { store.linked_customers(&clients).await } },
        async {
            // Another replica writing some of these events at once in another order (a pixel
            // sending a batch again) can deadlock with this write: run again, rows committed
            // meanwhile are skipped. The rows keep the order they came in, so their ids follow
            // the storefront's order (sorting them would avoid the deadlock and lose that).
            let mut attempts = 1;
            loop {
                match store.record_events(&rows).await {
                    Err(error) if error.is_deadlock() && attempts < DEADLOCK_ATTEMPTS => attempts += 1,
                    written => break written,
                }
            }
        },
    );
    written?;
    let links = links?;
    Ok(requests
        .iter()
        .map(|(shop, rows)| {
            let mut customers: Vec<String> = links
                .iter()
                .filter(|(linked_shop, client, _)| {
                    linked_shop == shop && rows.iter().any(|row| row.client_id.as_ref() == Some(client))
                })
                .map(|(_, _, customer)| customer.clone())
                .collect();
            customers.sort_unstable();
            customers.dedup();
            customers
        })
        .collect())
}
