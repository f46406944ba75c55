//! The checks every Shopify-facing route makes, as extractors: a handler that takes one of these
//! runs only for a request that passed it.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::shopify::ShopDomain;
use crate::shopify::session_token::{self, SessionClaims};
use crate::shopify::signature::base64_signs;
use crate::shopify::webhook::{self, WebhookDelivery, WebhookError};

/// A staff member of a shop, from the session token App Bridge sends as `Authorization: Bearer`.
#[derive(Clone, Debug)]
pub struct ShopSession {
    /// What the token says.
    pub claims: SessionClaims,
    /// The token itself, for the token exchange.
    pub token: String,
}

/// The credential of `Authorization: Bearer <credential>`, trimmed.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

impl<S> FromRequestParts<S> for ShopSession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    /// `AppError::InvalidSession`: App Bridge fetches a fresh token and retries.
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let token = bearer(parts).ok_or(AppError::InvalidSession("a session token is required"))?;
        session_token::verify(token, &app.config.api_key, &app.config.secrets(), unix_now())
            .map(|claims| ShopSession { claims, token: token.to_owned() })
            .map_err(|_| AppError::InvalidSession("the session token is not valid"))
    }
}

/// The largest webhook body read.
pub const MAX_WEBHOOK_BYTES: usize = 5 * 1024 * 1024;

/// A webhook delivery whose signature holds, with its raw body untouched.
#[derive(Clone, Debug)]
pub struct VerifiedWebhook {
    /// What the headers say.
    pub delivery: WebhookDelivery,
    /// The bytes Shopify signed.
    pub body: Bytes,
}

impl<S> FromRequest<S> for VerifiedWebhook
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    /// 401 for a bad signature, 413 for a body over 5 MB, 408 for one that stops, 400 for
    /// anything missing (`AppError`'s JSON).
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let (parts, body) = request.into_parts();
        // Shopify's largest payloads are well under this; anything bigger is not Shopify.
        let body = read_within(body, MAX_WEBHOOK_BYTES).await.map_err(|unread| {
            AppError::from(match unread {
                Unread::TimedOut => WebhookError::BodyTimedOut,
                Unread::TooLarge => WebhookError::TooLarge,
            })
        })?;
        let header = |name: &str| parts.headers.get(name).and_then(|value| value.to_str().ok());
        let delivery = match webhook::verify(header, &body, &app.config.secrets()) {
            // A custom app's subscriptions are signed with that app's own secret.
            Err(WebhookError::BadSignature) => {
                match custom_app_secret(&app, header("x-shopify-shop-domain")).await {
                    Some(secret) => webhook::verify(header, &body, &[secret.as_str()]),
                    None => Err(WebhookError::BadSignature),
                }
            }
            checked => checked,
        }?;
        Ok(Self { delivery, body })
    }
}

/// Why a signed body was not read whole.
enum Unread {
    /// It stopped arriving (the server's body timeout).
    TimedOut,
    /// It is longer than the route reads.
    TooLarge,
}

/// The whole body, at most `limit` bytes: a signature covers every byte, so nothing is checked
/// before all of it is here.
async fn read_within(body: axum::body::Body, limit: usize) -> Result<Bytes, Unread> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|error| if crate::serve::timed_out(&error) { Unread::TimedOut } else { Unread::TooLarge })
}

/// The largest Flow request read: Flow caps what it sends well below this.
pub const MAX_FLOW_BYTES: usize = 256 * 1024;

/// A request Shopify signs like a webhook but without a webhook's headers (Flow's lifecycle
/// callbacks and action requests): `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw
/// body under the app's secret, checked in constant time before anything reads the body.
#[derive(Clone, Debug)]
pub struct SignedByShopify {
    /// The bytes Shopify signed.
    pub body: Bytes,
}

impl<S> FromRequest<S> for SignedByShopify
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    /// 401 for a missing or bad signature, 413 for a body over 256 KiB, 408 for one that stops.
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = read_within(body, MAX_FLOW_BYTES).await.map_err(|unread| match unread {
            Unread::TimedOut => AppError::TimedOut("the request body stopped arriving".to_owned()),
            Unread::TooLarge => {
                AppError::TooLarge(format!("a Flow request is at most {MAX_FLOW_BYTES} bytes"))
            }
        })?;
        let signature = parts
            .headers
            .get("x-shopify-hmac-sha256")
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| AppError::Unauthorized("X-Shopify-Hmac-Sha256 is missing".to_owned()))?;
        let genuine = base64_signs(&app.config.secrets(), &body, signature);
        if !genuine {
            return Err(AppError::Unauthorized("X-Shopify-Hmac-Sha256 does not match the body".to_owned()));
        }
        Ok(Self { body })
    }
}

/// The API secret of the custom app connected as `shop`, if it is one.
async fn custom_app_secret(app: &AppState, shop: Option<&str>) -> Option<String> {
    let shop = ShopDomain::parse(shop?).ok()?;
    let record = app.store.shop(&shop).await.ok()??;
    let sealed = record.tokens?.webhook_secret?;
    app.keys.open(&sealed, shop.as_str()).ok()
}

/// A support tool of one workspace, from its server key as `Authorization: Bearer sk_…`. The key
/// is looked up by its SHA-256 (only the hash is stored), so a rotated key stops working at once.
/// Each workspace has its own rate limit.
#[derive(Clone, Debug)]
pub struct ServerKeyCaller {
    /// The workspace the key belongs to.
    pub workspace: crate::db::Workspace,
}

/// The shape of a server key: `sk_` and URL-safe base64 (`install::server_key`).
fn well_formed_server_key(key: &str) -> bool {
    key.strip_prefix("sk_").is_some_and(|rest| {
        (16..=128).contains(&rest.len())
            && rest.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    })
}

impl<S> FromRequestParts<S> for ServerKeyCaller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    /// 401 for a missing, malformed or unknown key; 429 with `Retry-After` over the limit.
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let key = bearer(parts).ok_or_else(|| {
            AppError::Unauthorized("send the server key as Authorization: Bearer sk_…".to_owned())
        })?;
        if !well_formed_server_key(key) {
            return Err(AppError::Unauthorized("that is not a server key (sk_…)".to_owned()));
        }
        let workspace =
            app.store.workspace_by_server_key(&crate::crypto::sha256_hex(key)).await?.ok_or_else(|| {
                AppError::Unauthorized("unknown server key (rotated keys stop working)".to_owned())
            })?;
        if let Err(wait) = app.lookup_limiter.take(&workspace.id, std::time::Instant::now()) {
            return Err(AppError::TooManyRequests {
                message: "this server key's rate limit: retry after the given seconds".to_owned(),
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        Ok(Self { workspace })
    }
}
