//! The authorization-code flow, for installs that do not come through the managed install
//! (shopify-app-js `lib/auth/oauth/oauth.ts`; docs/backend.md). `/auth?shop=` sends the merchant to Shopify with a state
//! nonce that is also kept in a cookie signed with a derived key; `/auth/callback` accepts only a
//! signed, fresh query for a valid shop whose state matches that cookie, then trades the code.

use axum::extract::{Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::connect;
use crate::app::AppState;
use crate::clock::unix_now;
use crate::crypto::random_token;
use crate::db::Connection;
use crate::error::AppError;
use crate::shopify::{ShopDomain, signed_query};

const STATE_COOKIE: &str = "seglink_oauth_state";
/// The merchant has this long to approve on Shopify.
const STATE_LIFETIME_SECS: u32 = 600;

/// `GET /auth?shop=…`: redirects to the shop's grant screen.
pub async fn begin(
    State(app): State<AppState>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let shop = params
        .iter()
        .find(|(key, _)| key == "shop")
        .map(|(_, value)| value.as_str())
        .ok_or_else(|| AppError::BadRequest("the shop parameter is required".to_owned()))?;
    let shop = ShopDomain::parse(shop).map_err(|error| AppError::BadRequest(error.to_string()))?;
    let state = random_token(24);
    let redirect_uri = format!("{}/auth/callback", app.config.app_url);
    let mut authorize = reqwest::Url::parse(&app.shopify.http().url(&shop, "/admin/oauth/authorize"))
        .map_err(|error| AppError::internal("building the authorize URL", error))?;
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &app.config.api_key)
        .append_pair("scope", &app.config.scopes.join(","))
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("state", &state);
    let cookie = format!(
        "{STATE_COOKIE}={}; Max-Age={STATE_LIFETIME_SECS}; Path=/auth/callback; HttpOnly; Secure; SameSite=Lax",
        app.keys.sign_cookie(&format!("{}|{state}", shop.as_str()))
    );
    Ok(redirect(authorize.as_str(), Some(&cookie)))
}

/// `GET /auth/callback?code=…&hmac=…&host=…&shop=…&state=…&timestamp=…`.
pub async fn callback(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let now = unix_now();
    signed_query::verify(&params, &app.config.secrets(), now)
        .map_err(|error| AppError::Unauthorized(error.to_string()))?;
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let shop = ShopDomain::parse(param("shop").unwrap_or_default())
        .map_err(|error| AppError::BadRequest(error.to_string()))?;
    let expected = format!("{}|{}", shop.as_str(), param("state").unwrap_or_default());
    let cookie_state =
        cookie(&headers, STATE_COOKIE).and_then(|value| app.keys.verify_cookie(value).map(str::to_owned));
    // Constant time is not needed here: the cookie's signature was checked in constant time, and
    // the state in the query is public.
    if cookie_state.as_deref() != Some(expected.as_str()) {
        return Err(AppError::BadRequest("the OAuth state does not match this browser's".to_owned()));
    }
    let code =
        param("code").ok_or_else(|| AppError::BadRequest("the code parameter is required".to_owned()))?;
    let grant = app
        .shopify
        .grants()
        .exchange_code(app.shopify.http(), &shop, code)
        .await
        .map_err(AppError::upstream)?;
    let tokens = app.shopify.seal_grant(&shop, &grant, now);
    connect(&app, &shop, Connection::Managed, &tokens, None, now).await?;
    let expired = format!("{STATE_COOKIE}=; Max-Age=0; Path=/auth/callback; HttpOnly; Secure; SameSite=Lax");
    let admin = format!("https://admin.shopify.com/store/{}/apps/{}", shop.handle(), app.config.api_key);
    Ok(redirect(&admin, Some(&expired)))
}

fn redirect(location: &str, cookie: Option<&str>) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    if let Some(value) = cookie.and_then(|cookie| HeaderValue::from_str(cookie).ok()) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}
