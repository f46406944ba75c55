//! Shopify's side of app authorisation for one shop: the authorize redirect, and the
//! `/admin/oauth/access_token` grants (authorization code, token exchange, refresh), with the
//! tokens they hand out and the checks every Admin API call makes on them.
//!
//! Algorithms and lifetimes: shopify-app-js `lib/auth/oauth` and `lib/session` (docs/simulator.md). Error bodies Shopify is known to
//! send are reproduced word for word (sources beside each); where no real response is on record
//! the body follows RFC 6749 §5.2, and docs/simulator.md says which those are. Time is passed in.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::signing::{SessionClaims, hex, hmac_sha256, session_token, signed_query};

/// Expiring offline access tokens last an hour (changelog 2025-12-10).
pub const ACCESS_TOKEN_SECONDS: u64 = 3_600;
/// A refresh token lasts 90 days.
pub const REFRESH_TOKEN_SECONDS: u64 = 90 * 86_400;
/// After a refresh, the old refresh token may be retried for 30 days, until its replacement is
/// used (changelog 2026-08-28).
pub const REFRESH_RETRY_SECONDS: u64 = 30 * 86_400;
/// Online access tokens last a day, less a second, as Shopify reports `expires_in`.
pub const ONLINE_TOKEN_SECONDS: u64 = 86_399;
/// Session tokens are accepted this far either side of `nbf`/`exp`, as Shopify's libraries allow.
pub const SESSION_TOKEN_LEEWAY: i64 = 10;

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN: &str = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN: &str = "urn:shopify:params:oauth:token-type:online-access-token";

/// The app as the Partner Dashboard knows it.
#[derive(Clone, Debug)]
pub struct AppCredentials {
    /// The client id (API key).
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// Redirect URLs the app allows; `redirect_uri` must start with one of them.
    pub redirect_urls: Vec<String>,
}

/// A refused request: the HTTP status and the JSON body Shopify sends with it.
#[derive(Clone, Debug, PartialEq)]
pub struct OAuthError {
    /// 400, 401 or 403.
    pub status: u16,
    /// The response body.
    pub body: Value,
}

impl OAuthError {
    fn grant(status: u16, error: &str, description: &str) -> Self {
        Self { status, body: json!({ "error": error, "error_description": description }) }
    }

    fn code_not_found() -> Self {
        // Body recorded in nozzlegear/ShopifySharp#70.
        Self::grant(400, "invalid_request", "The authorization code was not found or was already used")
    }

    fn invalid_subject_token() -> Self {
        // Body recorded in kinngh/shopify-node-express-mongodb-app#135.
        Self::grant(
            400,
            "invalid_subject_token",
            "Token exchange cannot be performed due to an invalid subject token.",
        )
    }

    fn invalid_client() -> Self {
        Self::grant(401, "invalid_client", "Client authentication failed.")
    }

    fn invalid_grant() -> Self {
        Self::grant(400, "invalid_grant", "The refresh token is invalid, expired or was replaced.")
    }

    fn invalid_request(description: &str) -> Self {
        Self::grant(400, "invalid_request", description)
    }

    /// What the Admin API answers for a missing, unknown or expired access token.
    pub fn invalid_access_token() -> Self {
        Self {
            status: 401,
            body: json!({ "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)" }),
        }
    }
}

/// An access token's grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Scopes, as granted at install.
    pub scopes: Vec<String>,
    /// Unix seconds after which the token is refused; `None` for a non-expiring offline token.
    pub expires_at: Option<u64>,
    /// The staff member of an online token.
    pub user_id: Option<u64>,
}

#[derive(Clone, Debug)]
struct RefreshToken {
    expires_at: u64,
    /// Once used: when, and the pair it gave, which a retry gets again.
    rotation: Option<Rotation>,
}

#[derive(Clone, Debug)]
struct Rotation {
    first_used_at: u64,
    access_token: String,
    refresh_token: String,
}

/// One shop's authorisation server.
#[derive(Clone, Debug)]
pub struct OAuthServer {
    shop: String,
    app: AppCredentials,
    scopes: Vec<String>,
    codes: HashMap<String, bool>,
    access_tokens: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, RefreshToken>,
    issued: u64,
    refreshes: u64,
}

impl OAuthServer {
    /// `shop` (`<handle>.myshopify.com`) with `app` installed and granted `scopes`.
    pub fn new(shop: &str, app: AppCredentials, scopes: &[&str]) -> Self {
        Self {
            shop: shop.to_owned(),
            app,
            scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            issued: 0,
            refreshes: 0,
        }
    }

    /// The shop's domain.
    pub fn shop(&self) -> &str {
        &self.shop
    }

    /// The app's client id, which names its reserved metafield namespaces.
    pub(crate) fn client_id(&self) -> &str {
        &self.app.client_id
    }

    /// The app's client secret, which signs webhooks.
    pub(crate) fn client_secret(&self) -> &str {
        &self.app.client_secret
    }

    /// Every token stops working, as when the app is uninstalled.
    pub fn revoke_all(&mut self) {
        self.access_tokens.clear();
        self.refresh_tokens.clear();
        self.codes.clear();
    }

    /// A custom app's Admin API token, as a merchant makes one in the shop's admin: it never
    /// expires and holds exactly `scopes`.
    pub fn custom_app_token(&mut self, scopes: &[&str]) -> String {
        let token = self.mint("shpat");
        let scopes = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        self.access_tokens.insert(token.clone(), Grant { scopes, expires_at: None, user_id: None });
        token
    }

    /// Every expiring access token expires now, as an hour after issue; refresh tokens still work.
    pub fn expire_access_tokens(&mut self) {
        for grant in self.access_tokens.values_mut() {
            if grant.expires_at.is_some() {
                grant.expires_at = Some(0);
            }
        }
    }

    /// How many refresh grants succeeded.
    pub fn refreshes(&self) -> u64 {
        self.refreshes
    }

    /// `host`: base64 of the shop's admin address, as Shopify adds it to redirects and app loads.
    pub fn host(&self) -> String {
        let handle = self.shop.trim_end_matches(".myshopify.com");
        STANDARD_NO_PAD.encode(format!("admin.shopify.com/store/{handle}"))
    }

    /// `/admin/oauth/authorize`: the merchant approves, and Shopify redirects to the app with a
    /// one-time `code` in a signed query. Returns that redirect's URL.
    pub fn authorize(&mut self, params: &[(&str, &str)], now: u64) -> Result<String, OAuthError> {
        let param = |name: &str| params.iter().find(|(key, _)| *key == name).map(|(_, value)| *value);
        if param("client_id") != Some(self.app.client_id.as_str()) {
            return Err(OAuthError::invalid_request("Unknown client_id."));
        }
        let redirect_uri = param("redirect_uri").unwrap_or_default();
        if !self
            .app
            .redirect_urls
            .iter()
            .any(|allowed| !allowed.is_empty() && redirect_uri.starts_with(allowed.as_str()))
        {
            return Err(OAuthError::invalid_request("The redirect_uri is not whitelisted"));
        }
        let code = self.mint("code");
        self.codes.insert(code.clone(), param("expiring") == Some("1"));
        let host = self.host();
        let timestamp = now.to_string();
        let query = signed_query(
            &self.app.client_secret,
            &[
                ("code", &code),
                ("host", &host),
                ("shop", &self.shop),
                ("state", param("state").unwrap_or_default()),
                ("timestamp", &timestamp),
            ],
        );
        let separator = if redirect_uri.contains('?') { '&' } else { '?' };
        Ok(format!("{redirect_uri}{separator}{query}"))
    }

    /// `POST /admin/oauth/access_token` with a JSON body.
    pub fn access_token(&mut self, body: &Value, now: u64) -> Result<Value, OAuthError> {
        let field = |name: &str| body.get(name).and_then(Value::as_str);
        let client_id = field("client_id").unwrap_or_default();
        let client_secret = field("client_secret").unwrap_or_default();
        if client_id != self.app.client_id || !same_bytes(client_secret, &self.app.client_secret) {
            return Err(OAuthError::invalid_client());
        }
        let expiring = field("expiring") == Some("1");
        match field("grant_type") {
            None | Some("authorization_code") => {
                let code = field("code").unwrap_or_default();
                let expiring = self.codes.remove(code).ok_or_else(OAuthError::code_not_found)? || expiring;
                Ok(self.offline_response(expiring, now))
            }
            Some(TOKEN_EXCHANGE) => {
                if field("subject_token_type") != Some(ID_TOKEN) {
                    return Err(OAuthError::invalid_request("subject_token_type must be an ID token."));
                }
                let claims = self
                    .verify_session_token(field("subject_token").unwrap_or_default(), now)
                    .ok_or_else(OAuthError::invalid_subject_token)?;
                match field("requested_token_type") {
                    Some(OFFLINE_TOKEN) => Ok(self.offline_response(expiring, now)),
                    Some(ONLINE_TOKEN) => Ok(self.online_response(&claims, now)),
                    _ => Err(OAuthError::invalid_request("requested_token_type is not supported.")),
                }
            }
            Some("refresh_token") => {
                let refreshed = self.refresh(field("refresh_token").unwrap_or_default(), now);
                self.refreshes += u64::from(refreshed.is_ok());
                refreshed
            }
            Some(_) => {
                Err(OAuthError::grant(400, "unsupported_grant_type", "The grant type is not supported."))
            }
        }
    }

    /// The check every Admin API request makes on `X-Shopify-Access-Token`.
    pub fn authenticate(&self, access_token: &str, now: u64) -> Result<&Grant, OAuthError> {
        self.access_tokens
            .get(access_token)
            .filter(|grant| grant.expires_at.is_none_or(|expires_at| now < expires_at))
            .ok_or_else(OAuthError::invalid_access_token)
    }

    /// A session token for a staff member, as App Bridge would hand the app one.
    pub fn session_token(&self, user_id: u64, now: u64) -> String {
        let claims = SessionClaims::new(&self.shop, &self.app.client_id, user_id, now_signed(now));
        session_token(&self.app.client_secret, &claims)
    }

    /// The signed query of an embedded app load in the admin: `embedded`, `host`, `id_token`,
    /// `locale`, `session`, `shop`, `timestamp` and `hmac`.
    pub fn app_load_query(&self, user_id: u64, now: u64) -> String {
        let id_token = self.session_token(user_id, now);
        let session = hex(&Sha256::digest(format!("{}:{user_id}", self.shop)));
        let host = self.host();
        let timestamp = now.to_string();
        signed_query(
            &self.app.client_secret,
            &[
                ("embedded", "1"),
                ("host", &host),
                ("id_token", &id_token),
                ("locale", "en"),
                ("session", &session),
                ("shop", &self.shop),
                ("timestamp", &timestamp),
            ],
        )
    }

    fn refresh(&mut self, presented: &str, now: u64) -> Result<Value, OAuthError> {
        let token = self.refresh_tokens.get(presented).cloned().ok_or_else(OAuthError::invalid_grant)?;
        if now >= token.expires_at {
            return Err(OAuthError::invalid_grant());
        }
        let Some(rotation) = token.rotation else {
            let response = self.offline_response(true, now);
            let rotation = Rotation {
                first_used_at: now,
                access_token: string_field(&response, "access_token"),
                refresh_token: string_field(&response, "refresh_token"),
            };
            if let Some(used) = self.refresh_tokens.get_mut(presented) {
                used.rotation = Some(rotation);
            }
            return Ok(response);
        };
        // A retry of a used token gets the same pair, until the replacement has itself been used.
        let replacement_used = self
            .refresh_tokens
            .get(&rotation.refresh_token)
            .is_none_or(|replacement| replacement.rotation.is_some());
        if replacement_used || now >= rotation.first_used_at + REFRESH_RETRY_SECONDS {
            return Err(OAuthError::invalid_grant());
        }
        let access_left = self
            .access_tokens
            .get(&rotation.access_token)
            .and_then(|grant| grant.expires_at)
            .map_or(0, |expires_at| expires_at.saturating_sub(now));
        let refresh_left = self
            .refresh_tokens
            .get(&rotation.refresh_token)
            .map_or(0, |replacement| replacement.expires_at.saturating_sub(now));
        Ok(json!({
            "access_token": rotation.access_token,
            "scope": self.scopes.join(","),
            "expires_in": access_left,
            "refresh_token": rotation.refresh_token,
            "refresh_token_expires_in": refresh_left,
        }))
    }

    fn offline_response(&mut self, expiring: bool, now: u64) -> Value {
        let access_token = self.mint("shpat");
        let scope = self.scopes.join(",");
        let expires_at = expiring.then_some(now + ACCESS_TOKEN_SECONDS);
        self.access_tokens
            .insert(access_token.clone(), Grant { scopes: self.scopes.clone(), expires_at, user_id: None });
        if !expiring {
            return json!({ "access_token": access_token, "scope": scope });
        }
        let refresh_token = self.mint("shprt");
        self.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshToken { expires_at: now + REFRESH_TOKEN_SECONDS, rotation: None },
        );
        json!({
            "access_token": access_token,
            "scope": scope,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": refresh_token,
            "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
        })
    }

    fn online_response(&mut self, claims: &SessionClaims, now: u64) -> Value {
        let user_id = claims.sub.parse().unwrap_or_default();
        let access_token = self.mint("shpua");
        let grant = Grant {
            scopes: self.scopes.clone(),
            expires_at: Some(now + ONLINE_TOKEN_SECONDS),
            user_id: Some(user_id),
        };
        self.access_tokens.insert(access_token.clone(), grant);
        json!({
            "access_token": access_token,
            "scope": self.scopes.join(","),
            "expires_in": ONLINE_TOKEN_SECONDS,
            "associated_user_scope": self.scopes.join(","),
            "associated_user": {
                "id": user_id,
                "first_name": "Staff",
                "last_name": format!("Member {user_id}"),
                "email": format!("staff{user_id}@example.com"),
                "email_verified": true,
                "account_owner": user_id == 1,
                "locale": "en",
                "collaborator": false,
            },
        })
    }

    /// HS256 only, signed with the client secret, for this app and this shop, within its time.
    fn verify_session_token(&self, token: &str, now: u64) -> Option<SessionClaims> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let decoded_header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if decoded_header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return None;
        }
        let expected =
            hmac_sha256(self.app.client_secret.as_bytes(), format!("{header}.{payload}").as_bytes());
        if !same_bytes_raw(&URL_SAFE_NO_PAD.decode(signature).ok()?, &expected) {
            return None;
        }
        let claims: SessionClaims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let dest = format!("https://{}", self.shop);
        let now = now_signed(now);
        let fresh = claims.nbf - SESSION_TOKEN_LEEWAY <= now && now < claims.exp + SESSION_TOKEN_LEEWAY;
        let ours =
            claims.aud == self.app.client_id && claims.dest == dest && claims.iss == format!("{dest}/admin");
        (fresh && ours).then_some(claims)
    }

    /// Tokens are unguessable in Shopify; here they only need to be unique and repeatable, so
    /// they hash the shop and a counter.
    fn mint(&mut self, prefix: &str) -> String {
        self.issued += 1;
        let digest = Sha256::digest(format!("{}:{prefix}:{}", self.shop, self.issued));
        format!("{prefix}_{}", &hex(&digest)[..32])
    }
}

fn string_field(value: &Value, name: &str) -> String {
    value.get(name).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn now_signed(now: u64) -> i64 {
    i64::try_from(now).unwrap_or(i64::MAX)
}

fn same_bytes(given: &str, expected: &str) -> bool {
    same_bytes_raw(given.as_bytes(), expected.as_bytes())
}

/// Compares without stopping at the first difference, so timing says nothing about a secret.
fn same_bytes_raw(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}
