//! Storage: one method per use case, each one transaction, on SQLite (the default, a file) or
//! PostgreSQL, chosen by the `DATABASE_URL` scheme.

mod postgres;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

use crate::shopify::webhook::WebhookDelivery;

/// What storing a webhook did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// First time this event was seen.
    New,
    /// The same event and topic were stored before; nothing changed.
    Duplicate,
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database refused or could not be reached.
    #[error("database: {0}")]
    Other(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// Everything the backend stores.
#[async_trait]
pub trait Store: Send + Sync {
    /// Writes a verified delivery durably, unless its event was stored already.
    async fn record_webhook(
        &self,
        delivery: &WebhookDelivery,
        body: &[u8],
        received_at: i64,
    ) -> Result<Recorded, DbError>;

    /// How many deliveries are stored for a shop.
    async fn webhook_count(&self, shop: &str) -> Result<i64, DbError>;
}

/// Opens the database `url` names and brings its schema up to date.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, DbError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::connect(url).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    }
}
