//! The SQLite store: one file in WAL mode, so readers never wait on the writer.

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{DbError, Recorded, Store};
use crate::shopify::webhook::WebhookDelivery;

/// A store in a SQLite file.
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the file and migrates it.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses no committed transaction on a process crash.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn record_webhook(
        &self,
        delivery: &WebhookDelivery,
        body: &[u8],
        received_at: i64,
    ) -> Result<Recorded, DbError> {
        let result = sqlx::query(
            "INSERT INTO webhook_inbox (event_id, topic, shop, webhook_id, api_version, triggered_at, body, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, topic) DO NOTHING",
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
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE shop = ?")
            .bind(shop)
            .fetch_one(&self.pool)
            .await?)
    }
}
