//! The admin's view of the storefront pixel: whether Shopify has it, the last events it sent,
//! and a reconnect that writes its settings again.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use ts_rs::TS;

use crate::app::AppState;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::shopify::extract::ShopSession;

/// Events listed at most.
const LAST_EVENTS: i64 = 20;

/// Whether Shopify runs the pixel, and what it sent last.
#[derive(Serialize, TS)]
pub struct PixelStatus {
    pub connected: bool,
    /// The provisioning step's state: `pending`, `running`, `done` or `failed`.
    pub state: String,
    pub detail: Option<String>,
    /// Where the pixel posts.
    pub endpoint: String,
    pub last_events: Vec<PixelEvent>,
}

/// An event the pixel sent.
#[derive(Serialize, TS)]
pub struct PixelEvent {
    pub kind: String,
    pub occurred_at: i64,
    /// Tied to a known customer.
    pub linked: bool,
}

/// A reconnect under way.
#[derive(Serialize, TS)]
pub struct Reconnecting {
    pub state: String,
}

/// `GET /api/pixel`.
pub async fn status(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<PixelStatus>, AppError> {
    let shop = session.claims.shop.as_str();
    let step = app.store.setup_steps(shop).await?.into_iter().find(|(step, _, _)| step == "web_pixel");
    let last_events = app
        .store
        .recent_pixel_events(shop, LAST_EVENTS)
        .await?
        .into_iter()
        .map(|(kind, occurred_at, linked)| PixelEvent { kind, occurred_at, linked })
        .collect();
    let (state, detail) = step.map_or(("pending".to_owned(), None), |(_, state, detail)| (state, detail));
    Ok(Json(PixelStatus {
        connected: state == "done",
        state,
        detail,
        endpoint: format!("{}/v1/pixel/events", app.config.app_url),
        last_events,
    }))
}

/// `POST /api/pixel/reconnect`: provisions the pixel again, with every settings key.
pub async fn reconnect(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<Reconnecting>, AppError> {
    let shop = session.claims.shop.as_str();
    crate::install::reprovision_pixel(&app, shop, unix_now(), "reconnected from the admin").await?;
    Ok(Json(Reconnecting { state: "pending".to_owned() }))
}
