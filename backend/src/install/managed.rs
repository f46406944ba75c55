//! The managed install (the default for embedded apps): Shopify installs the app, the admin
//! loads it with a session token, and the backend trades that token for an expiring offline
//! token (shopify-app-js `token-exchange.ts`; docs/backend.md). Runs on the first request of a store that has no
//! active token; later requests find the token stored.

use super::{Connected, connect};
use crate::app::App;
use crate::clock::UnixTime;
use crate::db::Connection;
use crate::error::AppError;
use crate::shopify::ShopDomain;
use crate::shopify::token_grant::GrantError;

/// Makes sure `shop` is connected, exchanging `session_token` when it is not. `Some` when this
/// call connected it.
pub async fn ensure_installed(
    app: &App,
    shop: &ShopDomain,
    session_token: &str,
    now: UnixTime,
) -> Result<Option<Connected>, AppError> {
    let record = app.store.shop(shop).await?;
    if record.is_some_and(|record| record.active && record.tokens.is_some()) {
        return Ok(None);
    }
    let grant =
        app.shopify.grants().exchange_session_token(app.shopify.http(), shop, session_token).await.map_err(
            |error| match error {
                // Shopify refused the session token: App Bridge fetches a fresh one and retries.
                GrantError::Refused { status: 400 | 401, .. } => {
                    AppError::InvalidSession("Shopify refused the session token; fetch a fresh one")
                }
                other => AppError::upstream(other),
            },
        )?;
    let tokens = app.shopify.seal_grant(shop, &grant, now);
    Ok(Some(connect(app, shop, Connection::Managed, &tokens, None, now).await?))
}
