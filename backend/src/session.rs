//! `GET /api/session`: the embedded admin's first request. It installs the store on its first
//! load (token exchange), then says who is talking and how setup is going.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::install::{STEPS, managed::ensure_installed};
use crate::shopify::extract::ShopSession;

/// The shop, the staff member, the workspace and the setup checklist. The server key appears in
/// the answer that created the workspace, and never again.
pub async fn current(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let shop = &session.claims.shop;
    let connected = ensure_installed(&app, shop, &session.token, unix_now()).await?;
    let record = app.store.shop(shop.as_str()).await?.ok_or(AppError::NotFound)?;
    let workspace = app.store.workspace(&record.workspace_id).await?.ok_or(AppError::NotFound)?;
    let steps = app.store.setup_steps(shop.as_str()).await?;
    let setup: Vec<Value> = STEPS
        .iter()
        .map(|step| {
            let found = steps.iter().find(|(name, _, _)| name == step);
            json!({
                "step": step,
                "state": found.map_or("pending", |(_, state, _)| state.as_str()),
                "detail": found.and_then(|(_, _, detail)| detail.clone()),
            })
        })
        .collect();
    Ok(Json(json!({
        "shop": shop.as_str(),
        "user": session.claims.user_id,
        "workspace": { "slug": workspace.slug, "public_key": workspace.public_key },
        "server_key": connected.and_then(|connected| connected.new_server_key),
        "setup": setup,
    })))
}
