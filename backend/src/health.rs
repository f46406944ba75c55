//! `/health`: whether the process is up and configured.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;

/// 200 with the app's client id, so a probe can tell which app answered.
pub async fn health(State(app): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "app": app.config.api_key }))
}
