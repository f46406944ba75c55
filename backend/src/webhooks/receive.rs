//! The handler: stores the delivery, then answers 200 (`duplicate` says whether the event was
//! stored before); a storage failure answers 500 so Shopify retries.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::clock::unix_now;
use crate::db::Recorded;
use crate::error::AppError;
use crate::shopify::extract::VerifiedWebhook;

/// `POST /webhooks`.
pub async fn receive(State(app): State<AppState>, webhook: VerifiedWebhook) -> Result<Json<Value>, AppError> {
    let topic = webhook.delivery.topic.clone();
    let recorded = app
        .inbox
        .record(webhook.delivery, webhook.body, unix_now())
        .await
        .map_err(|error| AppError::Internal(format!("storing a {topic} webhook: {error}")))?;
    if recorded == Recorded::New {
        app.jobs_waiting.notify_one();
    }
    Ok(Json(json!({ "duplicate": recorded == Recorded::Duplicate })))
}
