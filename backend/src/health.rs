//! `/health`: whether the process is up, configured, and running its background workers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::AppState;

/// 200 with the app's client id, so a probe can tell which app answered; 503 when fewer workers
/// run than the process was started with (jobs would wait while webhooks still get their 200).
pub async fn health(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    let (expected, running) = (app.workers.expected(), app.workers.running());
    if running < expected {
        let body = json!({
            "status": "degraded", "app": app.config.api_key,
            "workers": { "expected": expected, "running": running },
        });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    (StatusCode::OK, Json(json!({ "status": "ok", "app": app.config.api_key })))
}
