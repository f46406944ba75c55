//! The workspace's server key: made with the workspace and shown once, then only its hash is
//! kept. The owner store rotates it from Settings: the new key is shown once, and the old one
//! stops working at once.

use axum::Json;
use axum::extract::State;

use super::connect_link::owned_workspace;
use super::view::ServerKey;
use crate::app::AppState;
use crate::checks::ShopSession;
use crate::crypto::{random_token, sha256_hex};
use crate::error::AppError;

/// A new server key.
pub fn new_key() -> String {
    format!("sk_{}", random_token(24))
}

/// `POST /api/server-key`: replaces the workspace's server key; the owner store only.
pub async fn rotate(State(app): State<AppState>, session: ShopSession) -> Result<Json<ServerKey>, AppError> {
    let workspace = owned_workspace(&app.store, &session).await?;
    let server_key = new_key();
    app.store.set_server_key_hash(&workspace.id, &sha256_hex(&server_key)).await?;
    crate::log::info(
        "server key rotated",
        &[("workspace", &workspace.id), ("shop", session.claims.shop.as_str())],
    );
    Ok(Json(ServerKey { server_key }))
}
