//! `GET` and `PUT /api/meta`: the store's Conversions API settings (the access token is write-only:
//! it is sealed when saved and never sent back) and what forwarding has done.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::app::{App, AppState};
use crate::checks::ShopSession;
use crate::clock::{UnixTime, unix_now};
use crate::db::MetaSettings;
use crate::error::AppError;
use crate::input::JsonBody;
use crate::shop_domain::ShopDomain;

/// Events given up on for one reason.
#[derive(Serialize, TS)]
pub struct MetaDrop {
    pub reason: String,
    pub events: i64,
}

/// What forwarding has done.
#[derive(Serialize, TS)]
pub struct MetaHealthView {
    pub sent: i64,
    /// Requests Meta failed or refused.
    pub failed: i64,
    pub dropped: Vec<MetaDrop>,
    /// Events waiting to be sent.
    pub waiting: i64,
    pub last_error: Option<String>,
    pub last_error_at: Option<UnixTime>,
    pub last_sent_at: Option<UnixTime>,
}

/// The Meta settings page.
#[derive(Serialize, TS)]
pub struct MetaView {
    pub pixel_id: Option<String>,
    /// Whether an access token is kept (it is never shown).
    pub token_saved: bool,
    pub test_event_code: Option<String>,
    pub enabled: bool,
    pub health: MetaHealthView,
}

/// A change of the settings; an absent or empty `access_token` keeps the saved one.
#[derive(Deserialize, TS)]
pub struct MetaInput {
    pub pixel_id: String,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub test_event_code: Option<String>,
    pub enabled: bool,
}

/// `GET /api/meta`.
pub async fn show(State(app): State<AppState>, session: ShopSession) -> Result<Json<MetaView>, AppError> {
    Ok(Json(view(&app, &session.claims.shop).await?))
}

/// `PUT /api/meta`.
pub async fn save(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<MetaInput>,
) -> Result<Json<MetaView>, AppError> {
    let shop = &session.claims.shop;
    let pixel_id = input.pixel_id.trim();
    if pixel_id.is_empty() || pixel_id.len() > 20 || !pixel_id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(AppError::invalid("/pixel_id", "must be the Meta pixel's id: up to 20 digits"));
    }
    let saved = app.store.meta_settings(shop).await?;
    let sealed_token = match input.access_token.as_deref().map(str::trim).filter(|token| !token.is_empty()) {
        Some(token) => {
            if token.len() < 20
                || token.len() > 1_000
                || !token.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"_-.".contains(&byte))
            {
                return Err(AppError::invalid(
                    "/access_token",
                    "must be the Conversions API access token from Events Manager (letters and digits)",
                ));
            }
            app.keys.seal(token, shop.as_str())
        }
        None => saved.map(|settings| settings.sealed_token).ok_or_else(|| {
            AppError::invalid(
                "/access_token",
                "is required: generate it in Events Manager under the dataset's settings",
            )
        })?,
    };
    let test_event_code = input.test_event_code.as_deref().map(str::trim).filter(|code| !code.is_empty());
    if let Some(code) = test_event_code
        && (code.len() > 64 || !code.bytes().all(|byte| byte.is_ascii_alphanumeric()))
    {
        return Err(AppError::invalid(
            "/test_event_code",
            "must be Events Manager's test code: letters and digits",
        ));
    }
    let now = unix_now();
    let settings = MetaSettings {
        pixel_id: pixel_id.to_owned(),
        sealed_token,
        test_event_code: test_event_code.map(str::to_owned),
        enabled: input.enabled,
        updated_at: now,
    };
    app.store.save_meta_settings(shop, &settings).await?;
    app.meta.settings_changed(shop);
    // The pixel reads Meta's browser ids and the visitor's marketing consent only while this is on.
    crate::install::reprovision_pixel(&app, shop, now, "Meta forwarding changed").await?;
    Ok(Json(view(&app, shop).await?))
}

async fn view(app: &App, shop: &ShopDomain) -> Result<MetaView, AppError> {
    let settings = app.store.meta_settings(shop).await?;
    let (health, drops) = app.store.meta_health(shop).await?;
    Ok(MetaView {
        pixel_id: settings.as_ref().map(|settings| settings.pixel_id.clone()),
        token_saved: settings.is_some(),
        test_event_code: settings.as_ref().and_then(|settings| settings.test_event_code.clone()),
        enabled: settings.as_ref().is_some_and(|settings| settings.enabled),
        health: MetaHealthView {
            sent: health.sent,
            failed: health.failed,
            dropped: drops.into_iter().map(|(reason, events)| MetaDrop { reason, events }).collect(),
            waiting: app.store.meta_backlog(shop).await?,
            last_error: health.last_error,
            last_error_at: health.last_error_at,
            last_sent_at: health.last_sent_at,
        },
    })
}
