//! `GET /api/session`: the embedded admin's first request, and so where a store installed from
//! Shopify is installed: on its first load the session token is exchanged for an access token
//! (`managed::ensure_installed`). Then it says who is talking and how setup is going.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use ts_rs::TS;

use super::managed::ensure_installed;
use super::progress::{SetupStep, checklist};
use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::shop_domain::ShopDomain;

/// Who is talking: the store, the staff member, the workspace and the setup checklist.
#[derive(Serialize, TS)]
pub struct SessionView {
    #[ts(as = "String")]
    pub shop: ShopDomain,
    /// The staff member's id (the session token's `sub`).
    pub user: String,
    pub workspace: WorkspaceView,
    /// Only in the answer that created the workspace: shown once, stored hashed.
    pub server_key: Option<String>,
    pub setup: Vec<SetupStep>,
    /// Scopes the app asks for that the store has not granted.
    pub missing_scopes: Vec<String>,
}

/// The workspace a store belongs to.
#[derive(Serialize, TS)]
pub struct WorkspaceView {
    pub slug: String,
    /// The key the storefront pixel sends; not a secret.
    pub public_key: String,
    /// The caller's store owns the workspace (may make links, rotate the server key).
    pub owned: bool,
}

/// The shop, the staff member, the workspace and the setup checklist. The server key appears in
/// the answer that created the workspace, and never again.
pub async fn current(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<SessionView>, AppError> {
    let shop = &session.claims.shop;
    let connected = ensure_installed(&app, shop, &session.token, unix_now()).await?;
    let record = app.store.shop(shop).await?.ok_or(AppError::NotFound)?;
    let workspace = app.store.workspace(&record.workspace_id).await?.ok_or(AppError::NotFound)?;
    let setup = checklist(&app.store, shop).await?;
    // What the app asks for that the store has not granted (a scope added by an update, or one
    // the merchant took back): the admin offers to approve it.
    let granted: Vec<String> = record
        .tokens
        .as_ref()
        .map(|tokens| {
            tokens
                .scopes
                .split(',')
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let missing = crate::install::custom_app::missing_scopes(&app.config.scopes, &granted);
    Ok(Json(SessionView {
        shop: shop.clone(),
        user: session.claims.user_id.clone(),
        workspace: WorkspaceView {
            owned: workspace.owner_shop.as_ref() == Some(shop),
            slug: workspace.slug,
            public_key: workspace.public_key,
        },
        server_key: connected.and_then(|connected| connected.new_server_key),
        setup,
        missing_scopes: missing,
    }))
}
