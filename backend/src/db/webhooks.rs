//! The webhook inbox: each verified delivery, written with the job that processes it in one
//! transaction before Shopify gets its 200.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// What storing a webhook did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// First time this event was seen; a job will process it.
    New,
    /// The same event and topic were stored before; nothing changed.
    Duplicate,
}

/// What a verified delivery's headers say, as the inbox keeps it.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryHeaders<'a> {
    /// The shop it is about.
    pub shop: &'a ShopDomain,
    /// Such as `orders/paid`.
    pub topic: &'a str,
    /// The same for every delivery of one event: the key duplicates are dropped on.
    pub event_id: &'a str,
    /// Unique per delivery attempt series.
    pub webhook_id: &'a str,
    /// The API version of the payload.
    pub api_version: &'a str,
    /// When Shopify says the event happened, as sent.
    pub triggered_at: Option<&'a str>,
}

/// A verified delivery on its way to the inbox.
#[derive(Clone, Copy, Debug)]
pub struct Arriving<'a> {
    /// What its headers say.
    pub delivery: DeliveryHeaders<'a>,
    /// The raw body.
    pub body: &'a [u8],
    /// Unix seconds.
    pub received_at: UnixTime,
}

/// The job kind that processes one stored delivery.
pub const WEBHOOK_JOB: &str = "webhook";

impl Store {
    /// Writes a verified delivery and its processing job durably, unless the event was stored
    /// already.
    pub async fn record_webhook(
        &self,
        delivery: DeliveryHeaders<'_>,
        body: &[u8],
        received_at: UnixTime,
    ) -> Result<Recorded, DbError> {
        let batch = [Arriving { delivery, body, received_at }];
        Ok(self.record_webhooks(&batch).await?[0])
    }

    /// Writes a batch of deliveries and their jobs in one statement: the cost of a commit is
    /// shared by everything that arrived while the last one ran. Answers in the batch's order.
    pub async fn record_webhooks(&self, batch: &[Arriving<'_>]) -> Result<Vec<Recorded>, DbError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // Rows in key order: another replica's batch holding some of the same events (Shopify
        // may send one event twice at once) then takes their locks in the same order and waits,
        // where in any order the two could deadlock.
        let mut ordered: Vec<&Arriving<'_>> = batch.iter().collect();
        ordered.sort_by_key(|arriving| {
            (arriving.delivery.shop, arriving.delivery.event_id, arriving.delivery.topic)
        });
        // One statement: the inbox trigger enqueues a job for each row it inserts.
        let inserted: Vec<(ShopDomain, String, String)> = on_pool!(self, pool => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO webhook_inbox (event_id, topic, shop, webhook_id, api_version, triggered_at, body, received_at) ",
            );
            insert.push_values(&ordered, |mut row, arriving| {
                let delivery = arriving.delivery;
                row.push_bind(delivery.event_id)
                    .push_bind(delivery.topic)
                    .push_bind(delivery.shop)
                    .push_bind(delivery.webhook_id)
                    .push_bind(delivery.api_version)
                    .push_bind(delivery.triggered_at)
                    .push_bind(arriving.body)
                    .push_bind(arriving.received_at);
            });
            insert.push(" ON CONFLICT (shop, event_id, topic) DO NOTHING RETURNING shop, event_id, topic");
            insert.build_query_as().fetch_all(pool).await?
        });
        // The first of several copies of an event in one batch is the one stored.
        let mut claimed = vec![false; inserted.len()];
        Ok(batch
            .iter()
            .map(|arriving| {
                let position = inserted.iter().enumerate().position(|(index, (shop, event_id, topic))| {
                    !claimed[index]
                        && shop == arriving.delivery.shop
                        && *event_id == arriving.delivery.event_id
                        && *topic == arriving.delivery.topic
                });
                match position {
                    Some(index) => {
                        claimed[index] = true;
                        Recorded::New
                    }
                    None => Recorded::Duplicate,
                }
            })
            .collect())
    }

    /// A stored delivery's body (`None` once pruned) and arrival time.
    pub async fn webhook_body(
        &self,
        shop: &ShopDomain,
        event_id: &str,
        topic: &str,
    ) -> Result<Option<(Option<Vec<u8>>, UnixTime)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT body, received_at FROM webhook_inbox WHERE shop = $1 AND event_id = $2 AND topic = $3",
            )
            .bind(shop)
            .bind(event_id)
            .bind(topic)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Drops a delivery's body and keeps the row, which dedupes a redelivery: once processed,
    /// what the body said lives in the tables it was processed into, where redaction finds it.
    pub async fn prune_webhook_body(
        &self,
        shop: &ShopDomain,
        event_id: &str,
        topic: &str,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE webhook_inbox SET body = NULL WHERE shop = $1 AND event_id = $2 AND topic = $3")
                .bind(shop)
                .bind(event_id)
                .bind(topic)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A shop's deliveries whose bodies are still kept (waiting, retrying or dead): event id,
    /// topic and body.
    pub async fn kept_webhook_bodies(
        &self,
        shop: &ShopDomain,
    ) -> Result<Vec<(String, String, Vec<u8>)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT event_id, topic, body FROM webhook_inbox WHERE shop = $1 AND body IS NOT NULL")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The last delivery of each topic a shop received: topic and Unix seconds.
    pub async fn last_webhook_per_topic(
        &self,
        shop: &ShopDomain,
    ) -> Result<Vec<(String, UnixTime)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT topic, MAX(received_at) FROM webhook_inbox WHERE shop = $1 GROUP BY topic ORDER BY topic",
            )
            .bind(shop)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many deliveries are stored for a shop.
    pub async fn webhook_count(&self, shop: &ShopDomain) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE shop = $1").bind(shop).fetch_one(pool).await?
        }))
    }
}
