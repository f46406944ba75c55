//! The handler: stores the delivery, then answers 200 (`duplicate` says whether the event was
//! stored before); storage down or locked past the deadline answers 503, any other storage
//! failure 500, and Shopify retries either.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::app::AppState;
use crate::checks::VerifiedWebhook;
use crate::clock::unix_now;
use crate::db::Recorded;
use crate::error::AppError;
use crate::group_commit::NotCommitted;

/// The answer Shopify gets.
#[derive(Serialize)]
pub struct Received {
    /// The event was stored by an earlier delivery.
    duplicate: bool,
}

/// `POST /webhooks`.
pub async fn receive(
    State(app): State<AppState>,
    webhook: VerifiedWebhook,
) -> Result<Json<Received>, AppError> {
    let topic = webhook.delivery.topic.clone();
    let recorded =
        app.inbox.record(webhook.delivery, webhook.body, unix_now()).await.map_err(|error| match error {
            NotCommitted::Unavailable(_) => AppError::from(error),
            NotCommitted::Failed(_) => AppError::internal(format!("storing a {topic} webhook"), error),
        })?;
    if recorded == Recorded::New {
        app.jobs_waiting.notify_one();
    }
    Ok(Json(Received { duplicate: recorded == Recorded::Duplicate }))
}
