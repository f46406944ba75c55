//! Installing the app on a shop the way Shopify's managed install does: a session token from
//! the admin, exchanged for an offline access token.

use std::time::Duration;

use serde_json::json;
use shopify_sim::oauth::{AppCredentials, OAuthServer};
use shopify_sim::shop::Shop;
use shopify_sim::{AdminApi, Plan};

/// The app's client secret in every test.
pub const SECRET: &str = "shpss_test_secret";

/// `shop` with the app `client_id` installed and granted `scopes`, and an offline token for it.
pub fn install(
    shop: Shop,
    client_id: &str,
    scopes: &[&str],
    plan: Plan,
    now: Duration,
) -> (AdminApi, String) {
    let app = AppCredentials {
        client_id: client_id.to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_urls: vec!["https://app.example/auth/callback".to_owned()],
    };
    let oauth = OAuthServer::new(&shop.domain, app, scopes);
    let mut api = AdminApi::new(shop, oauth, plan, now);
    let session = api.oauth_mut().session_token(1, now.as_secs());
    let request = json!({
        "client_id": client_id, "client_secret": SECRET,
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": session, "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
    });
    let response =
        api.oauth_mut().access_token(&request, now.as_secs()).expect("the token exchange succeeds");
    let token = response["access_token"].as_str().expect("an access token").to_owned();
    (api, token)
}
