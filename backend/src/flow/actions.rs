//! `POST /flow/actions/{handle}`: Flow runs one of Seglink's actions in a workflow. The request is
//! signed like a webhook; the work is queued, so the answer comes well inside the 10 seconds Flow
//! waits, and a run Flow sends again (same `action_run_id`) is answered without doing it twice.
//! A 4xx is final in Flow and its body is shown to the merchant, so each says what to fix.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::app::{App, AppState};
use crate::checks::SignedByShopify;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::input::Path;
use crate::shop_domain::ShopDomain;

/// What Flow sends (shopify.dev, "Flow action endpoints").
#[derive(Deserialize)]
struct ActionRequest {
    shopify_domain: String,
    action_run_id: String,
    handle: String,
    #[serde(default)]
    properties: Map<String, Value>,
}

/// Runs `handle`: queues its work and records the run.
pub async fn action(
    State(app): State<AppState>,
    Path(handle): Path<String>,
    signed: SignedByShopify,
) -> Result<Json<Value>, AppError> {
    let request: ActionRequest = serde_json::from_slice(&signed.body)
        .map_err(|error| AppError::BadRequest(format!("not a Flow action request: {error}")))?;
    if request.handle != handle {
        return Err(AppError::BadRequest(format!("this endpoint runs `{handle}`, not `{}`", request.handle)));
    }
    if request.action_run_id.is_empty() || request.action_run_id.len() > 255 {
        return Err(AppError::invalid("/action_run_id", "must be 1 to 255 characters"));
    }
    let shop = ShopDomain::parse(&request.shopify_domain)
        .map_err(|_| AppError::BadRequest("shopify_domain must be a *.myshopify.com domain".to_owned()))?;
    if !app.store.shop(&shop).await?.is_some_and(|record| record.active) {
        return Err(AppError::Forbidden(format!("Seglink is not installed on {shop}")));
    }
    if app.store.flow_action_done(&shop, &request.action_run_id).await? {
        return Ok(Json(json!({ "repeated": true })));
    }
    // The work is queued before the run is recorded: a repeat arriving in between queues it
    // again, which the job's own dedupe absorbs while it waits, whereas a run recorded and never
    // queued would be lost.
    match handle.as_str() {
        RECOMPUTE_SEGMENT => recompute_segment(&app, &shop, &request.properties).await?,
        SCORE_PRODUCT => score_product(&app, &shop, &request.properties).await?,
        TAG_CUSTOMER => tag_customer(&app, &shop, &request.properties).await?,
        _ => return Err(AppError::NotFound),
    }
    let first = app.store.record_flow_action(&shop, &request.action_run_id, &handle, unix_now()).await?;
    Ok(Json(json!({ "repeated": !first })))
}

/// The handles of the action extensions (`extensions/flow-*`).
pub const RECOMPUTE_SEGMENT: &str = "recompute-segment";
pub const SCORE_PRODUCT: &str = "score-product";
pub const TAG_CUSTOMER: &str = "tag-customer";

/// A text property, required.
fn text<'a>(properties: &'a Map<String, Value>, key: &str) -> Result<&'a str, AppError> {
    properties
        .get(key)
        .and_then(Value::as_str)
        .filter(|value| !value.trim().is_empty())
        .map(str::trim)
        .ok_or_else(|| AppError::invalid(format!("/properties/{key}"), "is required"))
}

/// A resource id property: Flow's examples send a reference as a number or as a GID.
fn resource_id(properties: &Map<String, Value>, key: &str, kind: &str) -> Result<String, AppError> {
    let id = match properties.get(key) {
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::String(text)) => text.trim_start_matches(&format!("gid://shopify/{kind}/")).to_owned(),
        _ => String::new(),
    };
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(AppError::invalid(
            format!("/properties/{key}"),
            format!("must be a {} id or its GID", kind.to_lowercase()),
        ));
    }
    Ok(id)
}

/// The live segment a `segment_slug` property names.
async fn segment_slug<'p>(
    app: &App,
    shop: &ShopDomain,
    properties: &'p Map<String, Value>,
) -> Result<&'p str, AppError> {
    let slug = text(properties, "segment_slug")?;
    let live = app.store.segment(shop, slug).await?.is_some_and(|segment| !segment.deleted);
    if !live {
        return Err(AppError::invalid(
            "/properties/segment_slug",
            format!("Seglink has no segment `{slug}`"),
        ));
    }
    Ok(slug)
}

/// Puts the customer in the segment by hand and evaluates them now (one customer: well inside
/// Flow's time); their tag push is queued. A customer Seglink has not heard of yet joins when
/// their record arrives.
async fn tag_customer(app: &App, shop: &ShopDomain, properties: &Map<String, Value>) -> Result<(), AppError> {
    let customer = resource_id(properties, "customer_id", "Customer")?;
    let slug = segment_slug(app, shop, properties).await?;
    let now = unix_now();
    app.store.include_in_segment(shop, slug, &customer, now).await?;
    if crate::segments::refresh_customer(&app.store, shop, &customer, now).await? > 0 {
        app.jobs_waiting.notify_one();
    }
    Ok(())
}

async fn recompute_segment(
    app: &App,
    shop: &ShopDomain,
    properties: &Map<String, Value>,
) -> Result<(), AppError> {
    let slug = segment_slug(app, shop, properties).await?;
    let customers = app.store.customer_count(shop).await?;
    crate::segments::evaluate::queue(app, shop, slug, customers, unix_now()).await?;
    Ok(())
}

async fn score_product(
    app: &App,
    shop: &ShopDomain,
    properties: &Map<String, Value>,
) -> Result<(), AppError> {
    let id = resource_id(properties, "product_id", "Product")?;
    if app.store.product(shop, &id).await?.is_none_or(|product| product.deleted) {
        return Err(AppError::invalid("/properties/product_id", format!("Seglink has no product {id}")));
    }
    crate::catalog::write::queue(app, shop, Some(id), unix_now()).await?;
    Ok(())
}
