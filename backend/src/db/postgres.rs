//! The PostgreSQL store, for deployments with several replicas.

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::{DbError, Recorded, Store};
use crate::shopify::webhook::WebhookDelivery;

/// A store in a PostgreSQL database.
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects and migrates.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new().max_connections(16).connect(url).await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn record_webhook(
        &self,
        delivery: &WebhookDelivery,
        body: &[u8],
        received_at: i64,
    ) -> Result<Recorded, DbError> {
        let result = sqlx::query(
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
        .execute(&self.pool)
        .await?;
        Ok(if result.rows_affected() == 1 { Recorded::New } else { Recorded::Duplicate })
    }

    async fn webhook_count(&self, shop: &str) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE shop = $1")
            .bind(shop)
            .fetch_one(&self.pool)
            .await?)
    }
}
