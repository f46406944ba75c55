//! Group commit for the inbox. One task writes: it takes every delivery that arrived while its
//! last commit ran and stores them in one transaction, then answers each request. A burst costs
//! one commit per batch instead of one per delivery, and no request is answered before its row
//! is committed.

use axum::body::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::db::{Arriving, Recorded, Store};
use crate::shopify::webhook::WebhookDelivery;

/// Deliveries in one transaction at most; SQLite allows 32,766 parameters, 8 per row.
const MAX_BATCH: usize = 512;
/// Deliveries waiting for the writer before senders wait too.
const QUEUE: usize = 8_192;

struct Pending {
    delivery: WebhookDelivery,
    body: Bytes,
    received_at: i64,
    reply: oneshot::Sender<Result<Recorded, String>>,
}

/// The writer's mailbox.
pub struct Inbox {
    sender: mpsc::Sender<Pending>,
}

impl Inbox {
    /// Starts the writer on `store`.
    pub fn start(store: Store) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write(store, receiver));
        Self { sender }
    }

    /// Stores a delivery; returns once it is committed.
    pub async fn record(
        &self,
        delivery: WebhookDelivery,
        body: Bytes,
        received_at: i64,
    ) -> Result<Recorded, String> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Pending { delivery, body, received_at, reply })
            .await
            .map_err(|_| "the inbox writer stopped".to_owned())?;
        answer.await.map_err(|_| "the inbox writer stopped".to_owned())?
    }
}

async fn write(store: Store, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let arriving: Vec<Arriving<'_>> = batch
            .iter()
            .map(|pending| Arriving {
                delivery: &pending.delivery,
                body: &pending.body,
                received_at: pending.received_at,
            })
            .collect();
        let outcome = store.record_webhooks(&arriving).await.map_err(|error| error.to_string());
        drop(arriving);
        match outcome {
            Ok(recorded) => {
                for (pending, recorded) in batch.drain(..).zip(recorded) {
                    let _ = pending.reply.send(Ok(recorded));
                }
            }
            Err(error) => {
                for pending in batch.drain(..) {
                    let _ = pending.reply.send(Err(error.clone()));
                }
            }
        }
    }
}
