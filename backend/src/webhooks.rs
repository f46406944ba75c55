//! `POST /webhooks`: every verified delivery is stored durably before Shopify gets its 200, and
//! a duplicate is acknowledged without being stored twice.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::clock::unix_now;
use crate::db::Recorded;
use crate::error::AppError;
use crate::shopify::extract::VerifiedWebhook;

/// Stores the delivery, then answers 200; a storage failure answers 500 so Shopify retries.
pub async fn receive(State(app): State<AppState>, webhook: VerifiedWebhook) -> Result<Json<Value>, AppError> {
    let now = unix_now();
    let recorded =
        app.store.record_webhook(&webhook.delivery, &webhook.body, now).await.map_err(|error| {
            AppError::Internal(format!("storing a {} webhook: {error}", webhook.delivery.topic))
        })?;
    Ok(Json(json!({ "duplicate": recorded == Recorded::Duplicate })))
}
