//! Connect links: the store that owns a workspace invites one other store by its domain. The
//! link is used once, by that store only, within 24 hours, and can be revoked; each use is
//! recorded. Only the token's hash is stored, and the link carries the token in its fragment
//! (`/connect#token=…`), which browsers send to no server and no `Referer`. Moving a store
//! re-provisions its web pixel, whose settings carry the workspace's public key.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::view::{LinkList, LinkView, Moved, NewLinkView};
use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::crypto::{random_token, sha256_hex};
use crate::db::{ConnectLink, DbError, Store, Workspace};
use crate::error::AppError;
use crate::input::{JsonBody, Path};
use crate::shopify::ShopDomain;

/// A link works for this long.
pub const LINK_LIFETIME_SECS: i64 = 24 * 3_600;

/// Which store a new link is for.
#[derive(Deserialize)]
pub struct NewLink {
    /// `<handle>.myshopify.com`.
    pub shop: String,
}

/// The link's token, as pasted.
#[derive(Deserialize)]
pub struct Accept {
    /// What `create` returned.
    pub token: String,
}

/// The caller's workspace, when the caller owns it.
pub async fn owned_workspace(store: &Store, session: &ShopSession) -> Result<Workspace, AppError> {
    let shop = &session.claims.shop;
    let record = store.shop(shop).await?.ok_or_else(|| {
        AppError::Unprocessable("open Seglink in this store's admin first to install it".to_owned())
    })?;
    let workspace = store.workspace(&record.workspace_id).await?.ok_or(AppError::NotFound)?;
    if workspace.owner_shop.as_ref() != Some(shop) {
        return Err(AppError::Forbidden(format!(
            "only the workspace's owner store ({}) may do this",
            workspace.owner_shop.as_ref().map_or("none", ShopDomain::as_str)
        )));
    }
    Ok(workspace)
}

/// `POST /api/connect-links` with `{"shop"}`: a link for that store into the caller's workspace.
pub async fn create(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(request): JsonBody<NewLink>,
) -> Result<(StatusCode, Json<NewLinkView>), AppError> {
    let workspace = owned_workspace(&app.store, &session).await?;
    let for_shop =
        ShopDomain::parse(&request.shop).map_err(|error| AppError::invalid("/shop", error.to_string()))?;
    if app.store.shop(&for_shop).await?.is_some_and(|record| record.workspace_id == workspace.id) {
        return Err(AppError::invalid("/shop", "is in this workspace already"));
    }
    let now = unix_now();
    let token = format!("clt_{}", random_token(24));
    let link = ConnectLink {
        id: format!("cl_{}", random_token(12)),
        workspace_id: workspace.id,
        for_shop: for_shop.clone(),
        created_by: session.claims.shop.clone(),
        created_at: now,
        expires_at: now + LINK_LIFETIME_SECS,
        used_at: None,
        revoked_at: None,
    };
    app.store.create_connect_link(&link, &sha256_hex(&token)).await?;
    let url = format!("{}/connect#token={token}", app.config.app_url);
    Ok((StatusCode::CREATED, Json(NewLinkView { link: LinkView::from(&link), token, url })))
}

/// `GET /api/connect-links`: the workspace's links and what became of them.
pub async fn list(State(app): State<AppState>, session: ShopSession) -> Result<Json<LinkList>, AppError> {
    let workspace = owned_workspace(&app.store, &session).await?;
    let links = app.store.connect_links(&workspace.id).await?;
    Ok(Json(LinkList { links: links.iter().map(LinkView::from).collect() }))
}

/// `DELETE /api/connect-links/{id}`: revokes an unused link.
pub async fn revoke(
    State(app): State<AppState>,
    session: ShopSession,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let workspace = owned_workspace(&app.store, &session).await?;
    app.store.revoke_connect_link(&workspace.id, &id, unix_now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/connect`: moves the caller's store into the link's workspace.
pub async fn accept(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(request): JsonBody<Accept>,
) -> Result<Json<Moved>, AppError> {
    let shop = &session.claims.shop;
    let refused = |reason: &str| AppError::BadRequest(format!("the connect link {reason}"));
    let link = app
        .store
        .connect_link_by_hash(&sha256_hex(request.token.trim()))
        .await?
        .ok_or_else(|| refused("is not valid"))?;
    let now = unix_now();
    if link.revoked_at.is_some() {
        return Err(refused("was revoked"));
    }
    if link.used_at.is_some() {
        return Err(refused("was used already; ask for a new one"));
    }
    if link.expires_at <= now {
        return Err(refused("has expired; ask for a new one"));
    }
    if link.for_shop != *shop {
        return Err(AppError::Forbidden(format!("this connect link is for {}, not {shop}", link.for_shop)));
    }
    if app.store.shop(shop).await?.is_none() {
        return Err(AppError::Unprocessable(
            "open Seglink in this store's admin first to install it".to_owned(),
        ));
    }
    app.store.use_connect_link(&link.id, shop, now).await.map_err(|error| match error {
        DbError::Conflict => refused("was used already; ask for a new one"),
        other => other.into(),
    })?;
    crate::install::reprovision_pixel(&app, shop, now, "the store moved workspace").await?;
    let workspace = app.store.workspace(&link.workspace_id).await?.ok_or(AppError::NotFound)?;
    crate::log::info(
        "store moved by a connect link",
        &[("shop", shop.as_str()), ("workspace", &workspace.id), ("link", &link.id)],
    );
    Ok(Json(Moved { shop: shop.to_owned(), workspace: workspace.slug }))
}
