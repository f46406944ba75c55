//! The admin's view of the storefront pixel: whether Shopify has it, the last events it sent,
//! and a reconnect that writes its settings again.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::shopify::extract::ShopSession;

/// Events listed at most.
const LAST_EVENTS: i64 = 20;

/// `GET /api/pixel`.
pub async fn status(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let shop = session.claims.shop.as_str();
    let step = app.store.setup_steps(shop).await?.into_iter().find(|(step, _, _)| step == "web_pixel");
    let events: Vec<Value> = app
        .store
        .recent_pixel_events(shop, LAST_EVENTS)
        .await?
        .into_iter()
        .map(|(kind, at, linked)| json!({ "kind": kind, "occurred_at": at, "linked": linked }))
        .collect();
    let (state, detail) = step.map_or(("pending".to_owned(), None), |(_, state, detail)| (state, detail));
    Ok(Json(json!({
        "connected": state == "done", "state": state, "detail": detail,
        "endpoint": format!("{}/v1/pixel/events", app.config.app_url), "last_events": events,
    })))
}

/// `POST /api/pixel/reconnect`: provisions the pixel again, with every settings key.
pub async fn reconnect(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let shop = session.claims.shop.as_str();
    crate::install::reprovision_pixel(&app, shop, unix_now(), "reconnected from the admin").await?;
    Ok(Json(json!({ "state": "pending" })))
}
