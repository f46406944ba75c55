//! The document Shopify frames, and the bounce page.
//!
//! Shopify opens the app URL in the admin's iframe with `embedded=1`, `shop`, `host`, `id_token`
//! (a session token) and `hmac`. The document request has no `Authorization` header, so the
//! `id_token` is what authenticates it: verified like any session token, it names the shop, and
//! the shop's first load installs it. Without a valid one (missing, or older than its minute),
//! the request goes to the bounce page, where App Bridge fetches a fresh token and loads the
//! document again (`shopify-reload`). A request from outside the admin is sent into it.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;

use super::assets::entry_tags;
use super::html::{escape, notice, page};
use crate::app::AppState;
use crate::clock::unix_now;
use crate::config::Config;
use crate::error::AppError;
use crate::install::managed::ensure_installed;
use crate::shopify::{ShopDomain, session_token};

type Params = Vec<(String, String)>;

fn param<'p>(params: &'p Params, name: &str) -> Option<&'p str> {
    params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

/// `GET /` and every admin page's path.
pub async fn document(State(app): State<AppState>, uri: Uri, Query(params): Query<Params>) -> Response {
    let now = unix_now();
    let verified = param(&params, "id_token")
        .and_then(|token| session_token::verify(token, &app.config.api_key, &app.config.secrets(), now).ok());
    if let Some(claims) = verified {
        let token = param(&params, "id_token").unwrap_or_default();
        return match ensure_installed(&app, &claims.shop, token, now).await {
            Ok(_) => page(
                StatusCode::OK,
                Some((&claims.shop, simulated_admin(&app.config))),
                admin_html(&app.config),
            ),
            // Shopify refused to exchange it: a fresh one will do.
            Err(AppError::InvalidSession(_)) => to_bounce(&app.config, &claims.shop, uri.path(), &params),
            Err(error) => {
                crate::log::error("installing from the admin failed", &[("error", &error.to_string())]);
                notice(
                    StatusCode::BAD_GATEWAY,
                    "Seglink could not finish installing",
                    "Shopify did not answer as expected. Reload the page to try again.",
                )
            }
        };
    }
    let Some(shop) = param(&params, "shop").and_then(|shop| ShopDomain::parse(shop).ok()) else {
        return notice(
            StatusCode::BAD_REQUEST,
            "Open Seglink from your Shopify admin",
            "This page is the Seglink app inside the Shopify admin. Open it from Apps in your store's admin.",
        );
    };
    if param(&params, "embedded") == Some("1") {
        return to_bounce(&app.config, &shop, uri.path(), &params);
    }
    // Outside the admin (a bookmark, the install redirect): into the admin, where the app runs.
    match param(&params, "host").and_then(admin_host) {
        Some(host) => Redirect::to(&format!("https://{host}/apps/{}", app.config.api_key)).into_response(),
        None => Redirect::to(&format!("https://{}/admin/apps/{}", shop.as_str(), app.config.api_key))
            .into_response(),
    }
}

/// Sends a request without a valid token to the bounce page, to come back to the same path
/// and query with a fresh `id_token`.
fn to_bounce(config: &Config, shop: &ShopDomain, path: &str, params: &Params) -> Response {
    // The app URL was checked at start, so it parses; the path comes from the router.
    let Ok(mut reload) = reqwest::Url::parse(&format!("{}{path}", config.app_url)) else {
        return notice(
            StatusCode::BAD_REQUEST,
            "Open Seglink from your Shopify admin",
            "This address is not one of Seglink's pages.",
        );
    };
    let kept = params.iter().filter(|(key, _)| key != "id_token" && key != "hmac");
    reload.query_pairs_mut().extend_pairs(kept.map(|(key, value)| (key.as_str(), value.as_str())));
    let mut bounce =
        reqwest::Url::parse("http://bounce/auth/session-token").unwrap_or_else(|_| unreachable!());
    bounce
        .query_pairs_mut()
        .append_pair("shop", shop.as_str())
        .extend_pairs(param(params, "host").map(|host| ("host", host)))
        .append_pair("embedded", "1")
        .append_pair("shopify-reload", reload.as_str());
    // Same origin: the path and query only, so nothing here can send the admin away.
    Redirect::to(&format!("{}?{}", bounce.path(), bounce.query().unwrap_or_default())).into_response()
}

/// `GET /auth/session-token`: App Bridge alone, which reads `shopify-reload`, fetches a fresh
/// session token and loads that URL with it. The page holds no data.
pub async fn bounce(State(app): State<AppState>, Query(params): Query<Params>) -> Response {
    let shop = param(&params, "shop").and_then(|shop| ShopDomain::parse(shop).ok());
    let reload = param(&params, "shopify-reload").unwrap_or_default();
    // Only back into this app: a reload URL elsewhere would make this page an open redirect.
    if shop.is_none() || !reload.starts_with(&format!("{}/", app.config.app_url)) {
        return notice(
            StatusCode::BAD_REQUEST,
            "Open Seglink from your Shopify admin",
            "This link is not one Seglink made. Open the app from Apps in your store's admin.",
        );
    }
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"shopify-api-key\" content=\"{key}\">\
         <script src=\"{cdn}/shopifycloud/app-bridge.js\"></script><title>Seglink</title></head><body></body></html>",
        key = escape(&app.config.api_key),
        cdn = escape(&app.config.cdn_origin),
    );
    page(StatusCode::OK, shop.as_ref().map(|shop| (shop, simulated_admin(&app.config))), body)
}

/// The simulator's origin when it plays Shopify (development and tests only).
fn simulated_admin(config: &Config) -> Option<&str> {
    config.shopify_origin.as_deref()
}

/// The document: App Bridge first and not deferred, then Polaris, then the app's own assets.
fn admin_html(config: &Config) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"shopify-api-key\" content=\"{key}\">\
         <script src=\"{cdn}/shopifycloud/app-bridge.js\"></script>\
         <script src=\"{cdn}/shopifycloud/polaris-1.js\"></script>\
         {assets}<title>Seglink</title></head><body><div id=\"app\"></div></body></html>",
        key = escape(&config.api_key),
        cdn = escape(&config.cdn_origin),
        assets = entry_tags(),
    )
}

/// The admin host a launch's `host` names (base64 of `admin.shopify.com/store/<handle>` or
/// `<shop>.myshopify.com/admin`), if it is one.
fn admin_host(encoded: &str) -> Option<String> {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let decoded = engine.decode(encoded.trim_end_matches('=')).ok()?;
    let host = String::from_utf8(decoded).ok()?;
    let handle_ok = |handle: &str| {
        !handle.is_empty()
            && handle.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    };
    let valid = match host.strip_prefix("admin.shopify.com/store/") {
        Some(handle) => handle_ok(handle),
        None => host.strip_suffix("/admin").and_then(|domain| ShopDomain::parse(domain).ok()).is_some(),
    };
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_shopify_admin_hosts_are_followed() {
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        assert_eq!(
            admin_host(&encode("admin.shopify.com/store/ada")).as_deref(),
            Some("admin.shopify.com/store/ada")
        );
        assert_eq!(
            admin_host(&encode("ada.myshopify.com/admin")).as_deref(),
            Some("ada.myshopify.com/admin")
        );
        assert_eq!(admin_host(&encode("evil.com/admin")), None);
        assert_eq!(admin_host(&encode("admin.shopify.com/store/ada/../../evil")), None);
        assert_eq!(admin_host(&encode("admin.shopify.com.evil.com/store/ada")), None);
        assert_eq!(admin_host("%%%"), None);
    }
}
