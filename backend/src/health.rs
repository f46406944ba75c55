//! `/health`: whether the process is up, configured, and running its background workers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::app::AppState;

/// What a probe reads.
#[derive(Serialize)]
pub struct Health {
    /// `ok` or `degraded`.
    status: &'static str,
    /// The app's client id, so a probe can tell which app answered.
    app: String,
    /// Only when degraded.
    #[serde(skip_serializing_if = "Option::is_none")]
    workers: Option<Workers>,
}

/// Background workers.
#[derive(Serialize)]
pub struct Workers {
    expected: usize,
    running: usize,
}

/// 200 when well; 503 when fewer workers run than the process was started with (jobs would wait
/// while webhooks still get their 200).
pub async fn health(State(app): State<AppState>) -> (StatusCode, Json<Health>) {
    let (expected, running) = (app.workers.expected(), app.workers.running());
    let app_id = app.config.api_key.clone();
    if running < expected {
        let body = Health { status: "degraded", app: app_id, workers: Some(Workers { expected, running }) };
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    (StatusCode::OK, Json(Health { status: "ok", app: app_id, workers: None }))
}
