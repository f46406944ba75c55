//! Every route the backend answers, in one place.

use axum::Router;
use axum::routing::get;

use crate::app::AppState;
use crate::health;

/// The routes, with their state.
pub fn router(state: AppState) -> Router {
    Router::new()
        // Operations
        .route("/health", get(health::health))
        .with_state(state)
}
