//! The webhook inbox: each verified delivery, written with the job that processes it in one
//! transaction before Shopify gets its 200.

use serde_json::json;

use super::{DbError, Store, on_pool};
use crate::shopify::webhook::WebhookDelivery;

/// What storing a webhook did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// First time this event was seen; a job will process it.
    New,
    /// The same event and topic were stored before; nothing changed.
    Duplicate,
}

/// The job kind that processes one stored delivery.
pub const WEBHOOK_JOB: &str = "webhook";

impl Store {
    /// Writes a verified delivery and its processing job durably, unless the event was stored
    /// already.
    pub async fn record_webhook(
        &self,
        delivery: &WebhookDelivery,
        body: &[u8],
        received_at: i64,
    ) -> Result<Recorded, DbError> {
        let payload = json!({ "event_id": delivery.event_id, "topic": delivery.topic }).to_string();
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO webhook_inbox (event_id, topic, shop, webhook_id, api_version, triggered_at, body, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, topic) DO NOTHING",
            )
            .bind(&delivery.event_id)
            .bind(&delivery.topic)
            .bind(delivery.shop.as_str())
            .bind(&delivery.webhook_id)
            .bind(&delivery.api_version)
            .bind(&delivery.triggered_at)
            .bind(body)
            .bind(received_at)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(Recorded::Duplicate);
            }
            sqlx::query(
                "INSERT INTO jobs (kind, shop, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(WEBHOOK_JOB)
            .bind(delivery.shop.as_str())
            .bind(&payload)
            .bind(received_at)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(Recorded::New)
        })
    }

    /// A stored delivery's shop, body and arrival time.
    pub async fn webhook_body(
        &self,
        event_id: &str,
        topic: &str,
    ) -> Result<Option<(String, Vec<u8>, i64)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT shop, body, received_at FROM webhook_inbox WHERE event_id = $1 AND topic = $2")
                .bind(event_id)
                .bind(topic)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// How many deliveries are stored for a shop.
    pub async fn webhook_count(&self, shop: &str) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE shop = $1").bind(shop).fetch_one(pool).await?
        }))
    }
}
