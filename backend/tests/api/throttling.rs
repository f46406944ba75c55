//! The retry policy reads the simulator's throttled answers as it would Shopify's.

use std::time::Duration;

use seglink::shopify::retry_policy::{Decision, decide};
use serde_json::json;
use shopify_sim::oauth::{AppCredentials, OAuthServer};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

#[test]
fn a_throttled_answer_from_the_simulator_says_how_long_to_wait() {
    let now = Duration::from_secs(1_790_812_800);
    let shop = seed_shop(&SeedOptions { customers: 5, products: 1, orders: 1, ..SeedOptions::default() });
    let app =
        AppCredentials { client_id: "k".to_owned(), client_secret: "s".to_owned(), redirect_urls: vec![] };
    let oauth = OAuthServer::new(&shop.domain, app, &["read_customers"]);
    let mut api = AdminApi::new(shop, oauth, Plan::Standard, now);
    let session = api.oauth_mut().session_token(1, now.as_secs());
    let request = json!({
        "client_id": "k", "client_secret": "s",
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": session, "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
    });
    let token = api.oauth_mut().access_token(&request, now.as_secs()).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    api.bucket_mut().drain(now);
    let query = json!({ "query": "{ customers(first: 250) { nodes { id } } }" });
    let answer = api.graphql(&token, &query, now);
    let decision = decide(1, answer.status, &answer.body, None, 252.0, true, 0.5);
    assert_eq!(decision, Decision::RetryAfter(Duration::from_millis(2_520)));

    let later = now + Duration::from_millis(2_520);
    let retried = api.graphql(&token, &query, later);
    assert_eq!(
        decide(2, retried.status, &retried.body, None, 252.0, true, 0.5),
        Decision::Done,
        "{}",
        retried.body
    );
}
