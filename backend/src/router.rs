//! Every route the backend answers, in one place.

use axum::routing::{get, post};
use axum::{Router, middleware};

use crate::app::AppState;
use crate::{health, metrics, session, webhooks};

/// The routes, with their state.
pub fn router(state: AppState) -> Router {
    Router::new()
        // Operations
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        // Shopify
        .route("/webhooks", post(webhooks::receive))
        // Embedded admin API
        .route("/api/session", get(session::current))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::count_requests))
        .with_state(state)
}
