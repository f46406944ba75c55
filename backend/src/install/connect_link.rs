//! Connect links: a merchant in one workspace makes a signed link that expires; opened from
//! another store's admin, it moves that store into the workspace. The token carries the
//! workspace and the expiry, signed with a key derived for links alone.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::shopify::extract::ShopSession;

/// A link works for this long.
pub const LINK_LIFETIME_SECS: i64 = 24 * 3_600;

/// The link's token, as pasted.
#[derive(Deserialize)]
pub struct Accept {
    /// What `create` returned.
    pub token: String,
}

/// `POST /api/connect-links`: a link into the caller's workspace.
pub async fn create(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let record = app.store.shop(session.claims.shop.as_str()).await?.ok_or(AppError::NotFound)?;
    let expires_at = unix_now() + LINK_LIFETIME_SECS;
    let token = app.keys.sign_link(&format!("{}.{expires_at}", record.workspace_id));
    Ok(Json(json!({
        "token": token,
        "url": format!("{}/connect?token={token}", app.config.app_url),
        "expires_at": expires_at,
    })))
}

/// `POST /api/connect`: moves the caller's store into the link's workspace.
pub async fn accept(
    State(app): State<AppState>,
    session: ShopSession,
    Json(request): Json<Accept>,
) -> Result<Json<Value>, AppError> {
    let invalid = || AppError::BadRequest("the connect link is not valid".to_owned());
    let value = app.keys.verify_link(request.token.trim()).ok_or_else(invalid)?;
    let (workspace_id, expires_at) = value.rsplit_once('.').ok_or_else(invalid)?;
    let expires_at: i64 = expires_at.parse().map_err(|_| invalid())?;
    if expires_at <= unix_now() {
        return Err(AppError::BadRequest("the connect link has expired; make a new one".to_owned()));
    }
    let workspace = app.store.workspace(workspace_id).await?.ok_or_else(invalid)?;
    if !app.store.move_shop(session.claims.shop.as_str(), &workspace.id).await? {
        return Err(AppError::Unprocessable(
            "open Seglink in this store's admin first to install it".to_owned(),
        ));
    }
    Ok(Json(json!({ "shop": session.claims.shop.as_str(), "workspace": workspace.slug })))
}
