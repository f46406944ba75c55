//! `POST /flow/lifecycle`: Flow says whether a shop has a workflow turned on that starts with one
//! of Seglink's triggers. Flow waits at most 5 seconds for a 2xx before it refuses to turn the
//! workflow on, so this only records what it is told.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::AppState;
use crate::checks::SignedByShopify;
use crate::error::AppError;
use crate::shop_domain::ShopDomain;

/// The callback's body (shopify.dev, "Track Flow lifecycle events"). `shop_id` is typed a number
/// and sent as a string in the docs; it is not needed.
#[derive(Deserialize)]
struct Callback {
    flow_trigger_definition_id: String,
    has_enabled_flow: bool,
    shopify_domain: String,
    timestamp: String,
}

/// Records the callback unless a newer one was recorded (they may arrive out of order). A trigger
/// Seglink does not have is acknowledged and ignored, so a merchant is never blocked by it.
pub async fn lifecycle(
    State(app): State<AppState>,
    signed: SignedByShopify,
) -> Result<Json<Value>, AppError> {
    let callback: Callback = serde_json::from_slice(&signed.body)
        .map_err(|error| AppError::BadRequest(format!("not a Flow lifecycle callback: {error}")))?;
    let shop = ShopDomain::parse(&callback.shopify_domain)
        .map_err(|_| AppError::BadRequest("shopify_domain must be a *.myshopify.com domain".to_owned()))?;
    let stamped = OffsetDateTime::parse(&callback.timestamp, &Rfc3339)
        .map_err(|_| AppError::BadRequest("timestamp must be an ISO 8601 date and time".to_owned()))?;
    let stamped_ms = i64::try_from(stamped.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    let Some(trigger) = super::trigger_named(&callback.flow_trigger_definition_id) else {
        let fields = [("shop", shop.as_str()), ("trigger", callback.flow_trigger_definition_id.as_str())];
        crate::log::warn("a Flow lifecycle callback names a trigger Seglink does not have", &fields);
        return Ok(Json(json!({ "recorded": false })));
    };
    let recorded =
        app.store.record_flow_trigger(&shop, trigger.handle, callback.has_enabled_flow, stamped_ms).await?;
    Ok(Json(json!({ "recorded": recorded })))
}
