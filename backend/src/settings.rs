//! A store's settings in the admin: its ingestion policy and its privacy requests.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::db::{IngestionPolicy, PrivacyRequest};
use crate::error::AppError;
use crate::input::{JsonBody, Path};

/// The longest upsell window Seglink holds orders for.
const MAX_UPSELL_DELAY_MINUTES: i64 = 24 * 60;

/// The shortest and longest a store may keep its storefront events.
const STOREFRONT_EVENT_DAYS: std::ops::RangeInclusive<i64> = 30..=3_650;

/// How long Seglink keeps what it holds: the one choice the merchant makes, and the rules
/// that are fixed.
#[derive(Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RetentionView {
    /// Days storefront (pixel) events are kept; older ones go nightly. 30 to 3650.
    pub storefront_event_days: i64,
}

/// An ingestion policy as the admin sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    excluded_channels: Vec<String>,
    excluded_tags: Vec<String>,
    exclude_test_orders: bool,
    upsell_delay_minutes: i64,
}

/// Which orders Seglink leaves out, and how long it waits for post-purchase upsells.
#[derive(Serialize, TS)]
pub struct PolicyView {
    /// Sales channel handles, such as `pos`.
    pub excluded_channels: Vec<String>,
    /// Order tags.
    pub excluded_tags: Vec<String>,
    pub exclude_test_orders: bool,
    pub upsell_delay_minutes: i64,
}

impl From<IngestionPolicy> for PolicyView {
    fn from(policy: IngestionPolicy) -> Self {
        Self {
            excluded_channels: policy.excluded_channels,
            excluded_tags: policy.excluded_tags,
            exclude_test_orders: policy.exclude_test_orders,
            upsell_delay_minutes: policy.upsell_delay_minutes,
        }
    }
}

/// `GET /api/privacy-requests`.
#[derive(Serialize, TS)]
pub struct PrivacyRequests {
    pub requests: Vec<PrivacyRequest>,
}

/// `GET /api/ingestion-policy`.
pub async fn policy(State(app): State<AppState>, session: ShopSession) -> Result<Json<PolicyView>, AppError> {
    Ok(Json(app.store.ingestion_policy(&session.claims.shop).await?.into()))
}

/// `PUT /api/ingestion-policy`.
pub async fn set_policy(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<PolicyInput>,
) -> Result<Json<PolicyView>, AppError> {
    if !(0..=MAX_UPSELL_DELAY_MINUTES).contains(&input.upsell_delay_minutes) {
        return Err(AppError::invalid(
            "/upsell_delay_minutes",
            format!("must be from 0 to {MAX_UPSELL_DELAY_MINUTES} minutes"),
        ));
    }
    let clean = |field: &str, items: Vec<String>| -> Result<Vec<String>, AppError> {
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| (index, item.trim().to_owned()))
            .filter(|(_, item)| !item.is_empty())
            .map(|(index, item)| {
                if item.contains(',') {
                    Err(AppError::invalid(format!("/{field}/{index}"), "cannot contain a comma"))
                } else {
                    Ok(item)
                }
            })
            .collect()
    };
    let policy = IngestionPolicy {
        excluded_channels: clean("excluded_channels", input.excluded_channels)?,
        excluded_tags: clean("excluded_tags", input.excluded_tags)?,
        exclude_test_orders: input.exclude_test_orders,
        upsell_delay_minutes: input.upsell_delay_minutes,
    };
    app.store.set_ingestion_policy(&session.claims.shop, &policy, unix_now()).await?;
    Ok(Json(policy.into()))
}

/// `GET /api/data-retention`.
pub async fn retention(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<RetentionView>, AppError> {
    let storefront_event_days = app.store.storefront_event_days(&session.claims.shop).await?;
    Ok(Json(RetentionView { storefront_event_days }))
}

/// `PUT /api/data-retention`: events older than the new limit go with the next nightly run.
pub async fn set_retention(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<RetentionView>,
) -> Result<Json<RetentionView>, AppError> {
    if !STOREFRONT_EVENT_DAYS.contains(&input.storefront_event_days) {
        return Err(AppError::invalid(
            "/storefront_event_days",
            format!("must be from {} to {} days", STOREFRONT_EVENT_DAYS.start(), STOREFRONT_EVENT_DAYS.end()),
        ));
    }
    let shop = &session.claims.shop;
    let now = unix_now();
    app.store.set_storefront_event_days(shop, input.storefront_event_days, now).await?;
    // The nightly run carries the pruning out, segments or not.
    crate::segments::queue_nightly(&app.store, shop, now).await?;
    Ok(Json(input))
}

/// `GET /api/privacy-requests`: each request with its due date and, for a data request, whether
/// its export waits to be downloaded and until when.
pub async fn privacy_requests(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<PrivacyRequests>, AppError> {
    let requests = app.store.privacy_requests(&session.claims.shop, unix_now()).await?;
    Ok(Json(PrivacyRequests { requests }))
}

/// `GET /api/privacy-requests/{id}/export`: a data request's export, served once; the merchant
/// passes it to the customer. It is deleted as it is served, and after 7 days if never fetched.
pub async fn take_export(
    State(app): State<AppState>,
    session: ShopSession,
    Path(id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let export =
        app.store.take_export(&session.claims.shop, id, unix_now()).await?.ok_or(AppError::NotFound)?;
    let export = serde_json::from_str(&export)
        .map_err(|error| AppError::internal("reading a stored export", error))?;
    Ok(Json(export))
}
