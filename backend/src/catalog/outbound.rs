//! The outbound product sync, opt-in: products made in Seglink (`POST /api/products`) are pushed to
//! Shopify with `productSet`, under a handle of their own so a retried push updates rather than
//! duplicates (docs/catalog.md). What Shopify's limits refuse is refused here first, with the
//! field: a title over 255 characters (or cut to 255, per the store's setting), more than 3
//! options, more than 2,048 variants; anything else Shopify refuses is recorded on the product.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::app::{App, AppState};
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::crypto::random_token;
use crate::db::{CatalogSettings, OutboundRow};
use crate::error::AppError;
use crate::input::JsonBody;
use crate::jobs::{Job, JobError};
use crate::shop_domain::ShopDomain;
use crate::shopify::operations::{SetProduct, set_product};

/// Shopify's longest product title.
pub const MAX_TITLE_CHARS: usize = 255;
/// Options a product may have.
pub const MAX_OPTIONS: usize = 3;
/// Variants a product may have (2,048 since Shopify raised the limit from 100).
pub const MAX_VARIANTS: usize = 2_048;

/// An option and its values, such as Size: S, M, L.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionInput {
    pub name: String,
    pub values: Vec<String>,
}

/// A variant: one value of each option, in the options' order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    #[serde(default)]
    pub options: Vec<String>,
    pub price: String,
    pub sku: Option<String>,
    pub barcode: Option<String>,
}

/// `POST /api/products`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    pub title: String,
    pub description_html: Option<String>,
    pub vendor: Option<String>,
    pub product_type: Option<String>,
    #[serde(default)]
    pub options: Vec<OptionInput>,
    #[serde(default)]
    pub variants: Vec<VariantInput>,
}

/// A product made in Seglink and where its push is.
#[derive(Serialize, TS)]
pub struct OutboundView {
    pub id: i64,
    pub title: String,
    /// The handle Seglink pushes it under.
    pub handle: String,
    /// `pending`, `pushed` or `refused`.
    pub state: String,
    pub product_id: Option<String>,
    /// Shopify's refusal, or a note (a title cut to 255 characters).
    pub detail: Option<String>,
}

/// `GET /api/products/outbound`.
#[derive(Serialize, TS)]
pub struct OutboundList {
    pub products: Vec<OutboundView>,
}

impl OutboundView {
    fn of(row: OutboundRow) -> Self {
        let title =
            serde_json::from_str::<NewProduct>(&row.product).map(|product| product.title).unwrap_or_default();
        Self {
            id: row.id,
            title,
            handle: row.handle,
            state: row.state,
            product_id: row.product_id,
            detail: row.detail,
        }
    }
}

/// `GET /api/catalog/settings`.
pub async fn settings(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<CatalogSettings>, AppError> {
    Ok(Json(app.store.catalog_settings(&session.claims.shop).await?))
}

/// `PUT /api/catalog/settings` with `{"outbound": bool, "long_titles": "refuse" | "truncate"}`.
pub async fn set_settings(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(settings): JsonBody<CatalogSettings>,
) -> Result<Json<CatalogSettings>, AppError> {
    if !matches!(settings.long_titles.as_str(), "refuse" | "truncate") {
        return Err(AppError::invalid("/long_titles", "refuse or truncate"));
    }
    app.store.set_catalog_settings(&session.claims.shop, &settings, unix_now()).await?;
    Ok(Json(settings))
}

/// `GET /api/products/outbound`: the products made in Seglink, newest first.
pub async fn list(State(app): State<AppState>, session: ShopSession) -> Result<Json<OutboundList>, AppError> {
    let rows = app.store.outbound_products(&session.claims.shop).await?;
    Ok(Json(OutboundList { products: rows.into_iter().map(OutboundView::of).collect() }))
}

/// `POST /api/products`: keeps the product and pushes it in the background; 409 while the sync is
/// off, 422 for what Shopify's limits would refuse.
pub async fn create(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(mut product): JsonBody<NewProduct>,
) -> Result<(StatusCode, Json<OutboundView>), AppError> {
    let shop = &session.claims.shop;
    let settings = app.store.catalog_settings(shop).await?;
    if !settings.outbound {
        return Err(AppError::Conflict(
            "the outbound product sync is off: turn it on in the catalog settings".to_owned(),
        ));
    }
    product.title = product.title.trim().to_owned();
    let chars = product.title.chars().count();
    if chars == 0 {
        return Err(AppError::invalid("/title", "is required"));
    }
    let mut note = None;
    if chars > MAX_TITLE_CHARS {
        if settings.long_titles != "truncate" {
            return Err(AppError::invalid(
                "/title",
                format!("is {chars} characters; Shopify keeps at most {MAX_TITLE_CHARS}"),
            ));
        }
        product.title = product.title.chars().take(MAX_TITLE_CHARS).collect::<String>().trim_end().to_owned();
        note = Some(format!("title cut from {chars} to {MAX_TITLE_CHARS} characters"));
    }
    if product.options.len() > MAX_OPTIONS {
        return Err(AppError::invalid("/options", format!("at most {MAX_OPTIONS} options")));
    }
    if product.variants.len() > MAX_VARIANTS {
        return Err(AppError::invalid("/variants", format!("at most {MAX_VARIANTS} variants")));
    }
    for (index, variant) in product.variants.iter().enumerate() {
        if variant.options.len() != product.options.len() {
            return Err(AppError::invalid(format!("/variants/{index}/options"), "one value for each option"));
        }
    }
    let handle = format!("seglink-{}", random_token(9).to_lowercase().replace(['-', '_'], "x"));
    let stored =
        serde_json::to_string(&product).map_err(|error| AppError::internal("encoding a product", error))?;
    let now = unix_now();
    let id = app.store.add_outbound_product(shop, &handle, &stored, note.as_deref(), now).await?;
    app.store
        .enqueue(&PushProduct { id }.queued(shop, now, Some(format!("push_product:{shop}:{id}"))))
        .await?;
    app.jobs_waiting.notify_one();
    let row = app.store.outbound_product(shop, id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(OutboundView::of(row))))
}

/// Pushes one product made in Seglink.
#[derive(Serialize, Deserialize)]
pub struct PushProduct {
    /// The product's id in `outbound_products`.
    pub id: i64,
}

impl Job for PushProduct {
    const KIND: &'static str = "push_product";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        let Some(row) = app.store.outbound_product(shop, self.id).await? else { return Ok(()) };
        let product: NewProduct = serde_json::from_str(&row.product)
            .map_err(|error| JobError::Fatal(format!("a stored product does not read: {error}")))?;
        let variables = variables(&product, &row.handle)
            .map_err(|error| JobError::Fatal(format!("a product's productSet input: {error}")))?;
        // The handle makes it an upsert: a push retried after a lost answer updates, not duplicates.
        let answer = app.shopify.run_repeatable::<SetProduct>(shop, variables).await?.product_set;
        let now = unix_now();
        match answer {
            Some(payload) if payload.user_errors.is_empty() => {
                let id = payload.product.map(|product| product.id).unwrap_or_default();
                app.store.record_outbound_push(shop, self.id, Ok(&id), now).await?;
            }
            Some(payload) => {
                let reasons: Vec<String> =
                    payload.user_errors.into_iter().map(|error| error.message).collect();
                app.store.record_outbound_push(shop, self.id, Err(&reasons.join("; ")), now).await?;
            }
            None => return Err(JobError::Retry("productSet answered nothing".to_owned())),
        }
        Ok(())
    }
}

/// The `productSet` variables for a product under `handle`.
fn variables(product: &NewProduct, handle: &str) -> Result<set_product::Variables, serde_json::Error> {
    let options: Vec<_> = product
        .options
        .iter()
        .map(|option| json!({ "name": option.name, "values": option.values.iter().map(|value| json!({ "name": value })).collect::<Vec<_>>() }))
        .collect();
    let variants: Vec<_> = product
        .variants
        .iter()
        .map(|variant| {
            let values: Vec<_> = product
                .options
                .iter()
                .zip(&variant.options)
                .map(|(option, value)| json!({ "optionName": option.name, "name": value }))
                .collect();
            let mut input = json!({ "optionValues": values, "price": variant.price });
            if let Some(sku) = &variant.sku {
                input["sku"] = json!(sku);
            }
            if let Some(barcode) = &variant.barcode {
                input["barcode"] = json!(barcode);
            }
            input
        })
        .collect();
    let mut input =
        json!({ "title": product.title, "handle": handle, "productOptions": options, "variants": variants });
    for (field, value) in [
        ("descriptionHtml", &product.description_html),
        ("vendor", &product.vendor),
        ("productType", &product.product_type),
    ] {
        if let Some(value) = value {
            input[field] = json!(value);
        }
    }
    serde_json::from_value(json!({ "input": input, "identifier": { "handle": handle } }))
}
