//! Custom-app connections: a merchant pastes a custom app's Admin API token, its API secret and
//! the store's `*.myshopify.com` domain. The token is checked against
//! `currentAppInstallation.accessScopes` before anything is saved, and every missing scope is
//! named. The secret is needed because Shopify signs the webhooks a custom app subscribes with
//! that app's own secret. A workspace may hold several such stores; a token can be rotated and a
//! store disconnected.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::connect;
use super::view::{ConnectedStore, ConnectedStores, CustomConnected, Rotated};
use crate::app::{App, AppState};
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::db::{Connection, Store, StoredTokens};
use crate::error::AppError;
use crate::input::{JsonBody, Path};
use crate::shopify::ShopDomain;
use crate::shopify::admin::ShopifyError;
use crate::shopify::operations::{CurrentInstallation, current_installation};

/// A token and the store it is for.
#[derive(Deserialize)]
pub struct NewConnection {
    /// `<handle>.myshopify.com`.
    pub shop: String,
    /// The custom app's Admin API access token.
    pub access_token: String,
    /// The custom app's API secret key, which signs its webhooks.
    pub api_secret: String,
}

/// A replacement token (and secret, when that was rotated too).
#[derive(Deserialize)]
pub struct Rotation {
    /// The new Admin API access token.
    pub access_token: String,
    /// The API secret key, when it changed.
    pub api_secret: Option<String>,
}

/// `POST /api/connections`: adds a store to the caller's workspace.
pub async fn create(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(request): JsonBody<NewConnection>,
) -> Result<(StatusCode, Json<CustomConnected>), AppError> {
    let workspace = session_workspace(&app.store, &session).await?;
    let shop =
        ShopDomain::parse(&request.shop).map_err(|error| AppError::invalid("/shop", error.to_string()))?;
    if let Some(existing) = app.store.shop(&shop).await?
        && existing.active
        && existing.workspace_id != workspace
    {
        return Err(AppError::invalid(
            "/shop",
            format!("{} is connected to another workspace", shop.as_str()),
        ));
    }
    let tokens = validated_tokens(&app, &shop, &request.access_token, &request.api_secret).await?;
    connect(&app, &shop, Connection::Custom, &tokens, Some(&workspace), unix_now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CustomConnected {
            shop: shop.clone(),
            scopes: tokens.scopes.split(',').map(str::to_owned).collect(),
        }),
    ))
}

/// `PUT /api/connections/{shop}`: replaces a custom-app store's token.
pub async fn rotate(
    State(app): State<AppState>,
    session: ShopSession,
    Path(shop): Path<String>,
    JsonBody(request): JsonBody<Rotation>,
) -> Result<Json<Rotated>, AppError> {
    let shop = owned_custom_store(&app.store, &session, &shop).await?;
    let record = app.store.shop(&shop).await?.ok_or(AppError::NotFound)?;
    let secret =
        match (&request.api_secret, record.tokens.as_ref().and_then(|tokens| tokens.webhook_secret.as_ref()))
        {
            (Some(secret), _) => secret.clone(),
            (None, Some(sealed)) => app
                .keys
                .open(sealed, shop.as_str())
                .map_err(|error| AppError::internal("unsealing the stored API secret", error))?,
            (None, None) => return Err(AppError::invalid("/api_secret", "is required")),
        };
    let tokens = validated_tokens(&app, &shop, &request.access_token, &secret).await?;
    app.store.connect_shop(&shop, &record.workspace_id, Connection::Custom, &tokens, unix_now()).await?;
    Ok(Json(Rotated { shop, rotated: true }))
}

/// `DELETE /api/connections/{shop}`: forgets a custom-app store's token; its data stays.
pub async fn disconnect(
    State(app): State<AppState>,
    session: ShopSession,
    Path(shop): Path<String>,
) -> Result<StatusCode, AppError> {
    let shop = owned_custom_store(&app.store, &session, &shop).await?;
    app.store.deactivate_shop(&shop, unix_now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/connections`: the stores of the caller's workspace for its owner store; any other
/// store sees itself only.
pub async fn list(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<ConnectedStores>, AppError> {
    let workspace = session_workspace(&app.store, &session).await?;
    let caller = &session.claims.shop;
    let owner = workspace_owner(&app.store, &workspace).await?;
    let stores = app
        .store
        .workspace_shops(&workspace)
        .await?
        .into_iter()
        .filter(|record| owner.as_ref() == Some(caller) || record.shop == *caller)
        .map(|record| ConnectedStore {
            connection: format!("{:?}", record.connection).to_lowercase(),
            active: record.active,
            owner: owner.as_ref() == Some(&record.shop),
            shop: record.shop,
        })
        .collect();
    Ok(Json(ConnectedStores { stores }))
}

/// The store that owns workspace `id`.
async fn workspace_owner(store: &Store, id: &str) -> Result<Option<ShopDomain>, AppError> {
    Ok(store.workspace(id).await?.and_then(|workspace| workspace.owner_shop))
}

async fn session_workspace(store: &Store, session: &ShopSession) -> Result<String, AppError> {
    store.shop(&session.claims.shop).await?.map(|record| record.workspace_id).ok_or_else(|| {
        AppError::Unprocessable("open Seglink in this store's admin first to install it".to_owned())
    })
}

/// A custom-app store of the caller's workspace that the caller may manage: the store itself,
/// or any of them for the workspace's owner store.
async fn owned_custom_store(
    store: &Store,
    session: &ShopSession,
    shop: &str,
) -> Result<ShopDomain, AppError> {
    let shop = ShopDomain::parse(shop).map_err(|error| AppError::BadRequest(error.to_string()))?;
    let workspace = session_workspace(store, session).await?;
    let caller = &session.claims.shop;
    match store.shop(&shop).await? {
        Some(record) if record.workspace_id == workspace && record.connection == Connection::Custom => {
            let owner = workspace_owner(store, &workspace).await?;
            if *caller == shop || owner.as_ref() == Some(caller) {
                Ok(shop)
            } else {
                Err(AppError::Forbidden(
                    "only the store itself or the workspace's owner store may manage it".to_owned(),
                ))
            }
        }
        _ => Err(AppError::NotFound),
    }
}

/// Reads the token's scopes from Shopify and seals it when it holds every scope Seglink needs.
async fn validated_tokens(
    app: &App,
    shop: &ShopDomain,
    access_token: &str,
    api_secret: &str,
) -> Result<StoredTokens, AppError> {
    let (access_token, api_secret) = (access_token.trim(), api_secret.trim());
    if access_token.is_empty() {
        return Err(AppError::invalid("/access_token", "is required"));
    }
    if api_secret.is_empty() {
        return Err(AppError::invalid("/api_secret", "is required: it verifies the custom app's webhooks"));
    }
    // The token goes into a request header: anything but visible ASCII is a paste gone wrong,
    // and a line break would be a header of the caller's making.
    let printable = |text: &str| text.bytes().all(|byte| byte.is_ascii_graphic());
    if !printable(access_token) {
        return Err(AppError::invalid("/access_token", "must be the token as Shopify shows it, on one line"));
    }
    if !printable(api_secret) {
        return Err(AppError::invalid("/api_secret", "must be the secret as Shopify shows it, on one line"));
    }
    let installation = app
        .shopify
        .run_with_token::<CurrentInstallation>(shop, access_token, current_installation::Variables {})
        .await
        .map_err(|error| match error {
            ShopifyError::Unauthorized(_) => AppError::invalid(
                "/access_token",
                format!("Shopify does not accept this token for {}", shop.as_str()),
            ),
            other => AppError::from(other),
        })?;
    let granted: Vec<String> =
        installation.current_app_installation.access_scopes.into_iter().map(|scope| scope.handle).collect();
    let missing = missing_scopes(&app.config.scopes, &granted);
    if !missing.is_empty() {
        return Err(AppError::Unprocessable(format!(
            "the token lacks these access scopes: {}; add them to the custom app in Shopify and install it again",
            missing.join(", ")
        )));
    }
    Ok(StoredTokens {
        access_token: app.keys.seal(access_token, shop.as_str()),
        access_expires_at: None,
        refresh_token: None,
        refresh_expires_at: None,
        scopes: granted.join(","),
        webhook_secret: Some(app.keys.seal(api_secret, shop.as_str())),
    })
}

/// The `required` scopes `granted` does not cover; `write_x` covers `read_x`, as Shopify's access
/// scopes document (docs/security.md, scopes).
pub fn missing_scopes(required: &[String], granted: &[String]) -> Vec<String> {
    let covers = |scope: &str| {
        granted.iter().any(|held| {
            held == scope
                || scope.strip_prefix("read_").is_some_and(|rest| held.strip_prefix("write_") == Some(rest))
                || scope
                    .strip_prefix("unauthenticated_read_")
                    .is_some_and(|rest| held.strip_prefix("unauthenticated_write_") == Some(rest))
        })
    };
    required.iter().filter(|scope| !covers(scope)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|scope| (*scope).to_owned()).collect()
    }

    #[test]
    fn write_scopes_cover_their_read_scopes_and_gaps_are_named() {
        let required = scopes(&["read_customers", "write_customers", "read_orders", "write_pixels"]);
        assert_eq!(missing_scopes(&required, &scopes(&["write_customers", "read_orders"])), ["write_pixels"]);
        assert!(
            missing_scopes(&required, &scopes(&["write_customers", "write_orders", "write_pixels"]))
                .is_empty()
        );
        assert_eq!(missing_scopes(&scopes(&["write_orders"]), &scopes(&["read_orders"])), ["write_orders"]);
    }
}
