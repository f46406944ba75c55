//! The admin's view of the storefront pixel: whether Shopify has it, the last events it sent,
//! what the merchant chose it to send, and a reconnect that writes its settings again.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::{UnixTime, unix_now};
use crate::db::{PixelSettings, StepState};
use crate::error::AppError;
use crate::input::JsonBody;

/// Events listed at most.
const LAST_EVENTS: i64 = 20;

/// Whether Shopify runs the pixel, and what it sent last.
#[derive(Serialize, TS)]
pub struct PixelStatus {
    pub connected: bool,
    /// The provisioning step's state.
    pub state: StepState,
    pub detail: Option<String>,
    /// Where the pixel posts.
    pub endpoint: String,
    pub last_events: Vec<PixelEvent>,
    pub settings: PixelSettingsView,
    /// The standard events the merchant may choose among, in the pixel API's names.
    pub trackable_events: Vec<String>,
}

/// What the merchant chose the pixel to send.
#[derive(Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PixelSettingsView {
    /// Standard events sent; empty for every one. `checkout_completed` is always sent.
    pub tracked_events: Vec<String>,
    /// Visitors tracked, in percent (1 to 100); the same visitor is always in or out.
    pub sampling_percent: u32,
}

impl PixelSettingsView {
    fn of(settings: &PixelSettings) -> Self {
        // Stored as the share the pixel reads: `0.25` is 25%.
        let share: f64 = settings.sampling_rate.parse().unwrap_or(1.0);
        Self {
            tracked_events: settings.tracked_events.clone(),
            sampling_percent: (share * 100.0).round().clamp(1.0, 100.0) as u32,
        }
    }

    /// The settings as stored, or the field that is wrong.
    fn checked(self) -> Result<PixelSettings, AppError> {
        if !(1..=100).contains(&self.sampling_percent) {
            return Err(AppError::invalid("/sampling_percent", "must be a whole number from 1 to 100"));
        }
        let mut tracked: Vec<String> = Vec::new();
        for (index, name) in self.tracked_events.into_iter().enumerate() {
            if !events::TRACKABLE_EVENTS.contains(&name.as_str()) {
                return Err(AppError::invalid(
                    format!("/tracked_events/{index}"),
                    format!("`{name}` is not a standard event the pixel can leave out"),
                ));
            }
            if !tracked.contains(&name) {
                tracked.push(name);
            }
        }
        // Every event chosen is the same as none left out.
        if tracked.len() == events::TRACKABLE_EVENTS.len() {
            tracked.clear();
        }
        let sampling_rate = match self.sampling_percent {
            100 => "1".to_owned(),
            percent => format!("0.{percent:02}").trim_end_matches('0').to_owned(),
        };
        Ok(PixelSettings { tracked_events: tracked, sampling_rate })
    }
}

/// An event the pixel sent.
#[derive(Serialize, TS)]
pub struct PixelEvent {
    pub kind: String,
    pub occurred_at: UnixTime,
    /// Tied to a known customer.
    pub linked: bool,
}

/// A reconnect under way.
#[derive(Serialize, TS)]
pub struct Reconnecting {
    pub state: StepState,
}

/// `GET /api/pixel`.
pub async fn status(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<PixelStatus>, AppError> {
    let shop = &session.claims.shop;
    let step = app.store.setup_steps(shop).await?.into_iter().find(|(step, _, _)| step == "web_pixel");
    let last_events = app
        .store
        .recent_pixel_events(shop, LAST_EVENTS)
        .await?
        .into_iter()
        .map(|(kind, occurred_at, linked)| PixelEvent { kind, occurred_at, linked })
        .collect();
    let (state, detail) = step.map_or((StepState::Pending, None), |(_, state, detail)| (state, detail));
    Ok(Json(PixelStatus {
        connected: state == StepState::Done,
        state,
        detail,
        endpoint: format!("{}/v1/pixel/events", app.config.app_url),
        last_events,
        settings: PixelSettingsView::of(&app.store.pixel_settings(shop).await?),
        trackable_events: events::TRACKABLE_EVENTS.iter().map(|name| (*name).to_owned()).collect(),
    }))
}

/// `PUT /api/pixel/settings`: stores what the pixel sends and writes it into the pixel's
/// settings on Shopify (with every other key).
pub async fn set_settings(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<PixelSettingsView>,
) -> Result<Json<PixelSettingsView>, AppError> {
    let shop = &session.claims.shop;
    let settings = input.checked()?;
    let now = unix_now();
    app.store.set_pixel_settings(shop, &settings, now).await?;
    crate::install::reprovision_pixel(&app, shop, now, "pixel settings changed").await?;
    Ok(Json(PixelSettingsView::of(&settings)))
}

/// `POST /api/pixel/reconnect`: provisions the pixel again, with every settings key.
pub async fn reconnect(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<Reconnecting>, AppError> {
    let shop = &session.claims.shop;
    crate::install::reprovision_pixel(&app, shop, unix_now(), "reconnected from the admin").await?;
    Ok(Json(Reconnecting { state: StepState::Pending }))
}
