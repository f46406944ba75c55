//! The admin's product metafield API: the latest run, and a run on demand for the store or one
//! product.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use ts_rs::TS;

use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::db::MetafieldRun;
use crate::error::AppError;
use crate::input::Path;

/// `GET /api/products/metafields`: the latest run, if there was one.
#[derive(Serialize, TS)]
pub struct MetafieldRunView {
    pub run: Option<MetafieldRun>,
    /// A run is queued and has not started yet.
    pub queued: bool,
}

async fn view(app: &AppState, session: &ShopSession, queued: bool) -> Result<MetafieldRunView, AppError> {
    Ok(MetafieldRunView { run: app.store.metafield_run(&session.claims.shop).await?, queued })
}

/// `GET /api/products/metafields`.
pub async fn status(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<MetafieldRunView>, AppError> {
    Ok(Json(view(&app, &session, false).await?))
}

/// `POST /api/products/metafields`: writes every changed product's metafields, in the background.
pub async fn write_all(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<(StatusCode, Json<MetafieldRunView>), AppError> {
    super::write::queue(&app, &session.claims.shop, None, unix_now()).await?;
    Ok((StatusCode::ACCEPTED, Json(view(&app, &session, true).await?)))
}

/// `POST /api/products/{id}/metafields`: the same for one product.
pub async fn write_one(
    State(app): State<AppState>,
    session: ShopSession,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<MetafieldRunView>), AppError> {
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(AppError::invalid("/id", "a product id is its number, as in gid://shopify/Product/<id>"));
    }
    let shop = &session.claims.shop;
    if app.store.product(shop, &id).await?.is_none_or(|product| product.deleted) {
        return Err(AppError::NotFound);
    }
    super::write::queue(&app, shop, Some(id), unix_now()).await?;
    Ok((StatusCode::ACCEPTED, Json(view(&app, &session, true).await?)))
}
