//! Shopify's token endpoint, `POST /admin/oauth/access_token`: an authorization code or a session
//! token in, an expiring offline token with its refresh token out; and the refresh itself
//! (shopify-app-js `token-exchange.ts` and `refresh-token.ts`; docs/backend.md).

use serde::Deserialize;
use serde_json::json;

use super::ShopDomain;
use super::http::ShopifyHttp;

const TOKEN_PATH: &str = "/admin/oauth/access_token";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN: &str = "urn:shopify:params:oauth:token-type:offline-access-token";

/// What the token endpoint grants.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenGrant {
    /// The offline access token.
    pub access_token: String,
    /// Scopes granted, comma separated.
    #[serde(default)]
    pub scope: String,
    /// Seconds the access token lives (absent for a non-expiring token).
    pub expires_in: Option<i64>,
    /// Trades for a new pair when the access token expires.
    pub refresh_token: Option<String>,
    /// Seconds the refresh token lives.
    pub refresh_token_expires_in: Option<i64>,
}

/// The token endpoint said no, or did not answer.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Refused: a used code, a bad session token, an expired refresh token.
    #[error("Shopify refused the grant ({status}): {reason}")]
    Refused {
        /// The status.
        status: u16,
        /// `error_description` or `error`.
        reason: String,
    },
    /// No answer, or one that was not a grant.
    #[error("{0}")]
    Failed(String),
}

/// The app's credentials, for the token endpoint.
pub struct Client<'a> {
    /// The client id.
    pub api_key: &'a str,
    /// The client secret.
    pub api_secret: &'a str,
}

impl Client<'_> {
    /// Trades a verified session token for an expiring offline token (managed install).
    pub async fn exchange_session_token(
        &self,
        http: &ShopifyHttp,
        shop: &ShopDomain,
        session_token: &str,
    ) -> Result<TokenGrant, GrantError> {
        let body = json!({
            "client_id": self.api_key, "client_secret": self.api_secret,
            "grant_type": TOKEN_EXCHANGE, "subject_token": session_token, "subject_token_type": ID_TOKEN,
            "requested_token_type": OFFLINE_TOKEN, "expiring": "1",
        });
        request(http, shop, &body).await
    }

    /// Trades an authorization code from the OAuth callback for an expiring offline token.
    pub async fn exchange_code(
        &self,
        http: &ShopifyHttp,
        shop: &ShopDomain,
        code: &str,
    ) -> Result<TokenGrant, GrantError> {
        let body = json!({ "client_id": self.api_key, "client_secret": self.api_secret, "code": code, "expiring": "1" });
        request(http, shop, &body).await
    }

    /// Trades a refresh token for a new access and refresh token.
    pub async fn refresh(
        &self,
        http: &ShopifyHttp,
        shop: &ShopDomain,
        refresh_token: &str,
    ) -> Result<TokenGrant, GrantError> {
        let body = json!({
            "client_id": self.api_key, "client_secret": self.api_secret,
            "grant_type": "refresh_token", "refresh_token": refresh_token,
        });
        request(http, shop, &body).await
    }
}

async fn request(
    http: &ShopifyHttp,
    shop: &ShopDomain,
    body: &serde_json::Value,
) -> Result<TokenGrant, GrantError> {
    let answer = http
        .post_json(shop, TOKEN_PATH, None, body)
        .await
        .map_err(|error| GrantError::Failed(error.to_string()))?;
    if answer.status != 200 {
        let reason = ["error_description", "error", "errors"]
            .iter()
            .find_map(|field| answer.body.get(field).and_then(|value| value.as_str()))
            .unwrap_or("no reason given")
            .to_owned();
        return Err(GrantError::Refused { status: answer.status, reason });
    }
    serde_json::from_value(answer.body)
        .map_err(|error| GrantError::Failed(format!("not a token grant: {error}")))
}
