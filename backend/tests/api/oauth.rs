//! The authorization-code fallback end to end against the simulator, and the negative matrix:
//! nothing forged, stale or for a foreign host gets through, and nothing refused reaches out.

use axum::body::Body;
use axum::http::Request;
use shopify_sim::signing::signed_query;

use crate::helpers::domain;
use crate::helpers::{
    API_KEY, Fresh, PREVIOUS_SECRET, SECRET, SimulatedShop, TestApp, Tripwire, now, on_each_engine,
};

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, axum::http::HeaderMap) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let (status, headers, _) = app.request(request.body(Body::empty()).unwrap()).await;
    (status, headers)
}

fn header<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> &'h str {
    headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

async fn the_authorization_code_flow_installs_the_store(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, headers) = get(&app, &format!("/auth?shop={}", shop.domain), None).await;
    assert_eq!(status, 302);
    let authorize = header(&headers, "location").to_owned();
    assert!(
        authorize.starts_with(&format!("{}/admin/oauth/authorize?client_id={API_KEY}", shop.origin)),
        "{authorize}"
    );
    let set_cookie = header(&headers, "set-cookie");
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("Secure")
            && set_cookie.contains("SameSite=Lax")
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    // The merchant approves; Shopify sends the browser back with a signed code.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let approved = client.get(&authorize).send().await.unwrap();
    assert_eq!(approved.status(), 302);
    let back = approved.headers()["location"].to_str().unwrap().to_owned();
    let query = back.split_once('?').unwrap().1;

    let (status, headers) = get(&app, &format!("/auth/callback?{query}"), Some(&cookie)).await;
    assert_eq!(status, 302, "{}", fresh.name);
    assert_eq!(
        header(&headers, "location"),
        format!("https://admin.shopify.com/store/seglink-demo-1/apps/{API_KEY}")
    );
    assert!(header(&headers, "set-cookie").contains("Max-Age=0"), "the state is used once");
    let record = fresh.store.shop(&domain(&shop.domain)).await.unwrap().expect("installed");
    assert!(record.active && record.tokens.unwrap().refresh_token.is_some());

    // The code is spent: replaying the callback fails at Shopify and installs nothing new.
    let (status, _) = get(&app, &format!("/auth/callback?{query}"), Some(&cookie)).await;
    assert_eq!(status, 502);
}
on_each_engine!(the_authorization_code_flow_installs_the_store);

const FOREIGN_SHOPS: [&str; 6] = [
    "evil.com",
    "x.myshopify.com.evil.com",
    "x.myshopify.com@evil.com",
    "X.MYSHOPIFY.COM",
    "x.myshopify.com.",
    "x.myshopify.com%2F%40evil.com",
];

#[tokio::test]
async fn foreign_shops_are_refused_before_any_request_leaves() {
    let tripwire = Tripwire::start().await;
    let (state, _database) = crate::helpers::state().await;
    let app = TestApp::on(state.store.clone(), Some(&tripwire.origin));
    for shop in FOREIGN_SHOPS {
        let (status, headers) = get(&app, &format!("/auth?shop={shop}"), None).await;
        assert_eq!(status, 400, "{shop}");
        assert_eq!(header(&headers, "location"), "", "{shop}");
        let timestamp = now().as_secs().to_string();
        let signed =
            signed_query(SECRET, &[("code", "c"), ("shop", shop), ("state", "s"), ("timestamp", &timestamp)]);
        let cookie = format!("seglink_oauth_state={}", app.state.keys.sign_cookie(&format!("{shop}|s")));
        let (status, _) = get(&app, &format!("/auth/callback?{signed}"), Some(&cookie)).await;
        assert_eq!(status, 400, "{shop}");
    }
    assert_eq!(tripwire.hits(), 0, "no request went out");
}

#[tokio::test]
async fn forged_stale_or_unsigned_callbacks_are_refused_without_a_request() {
    let tripwire = Tripwire::start().await;
    let (state, _database) = crate::helpers::state().await;
    let app = TestApp::on(state.store.clone(), Some(&tripwire.origin));
    let shop = "seglink-demo-1.myshopify.com";
    let fresh = now().as_secs().to_string();
    let stale = (now().as_secs() - 3_600).to_string();
    let good_cookie = format!("seglink_oauth_state={}", app.state.keys.sign_cookie(&format!("{shop}|nonce")));
    let query = |secret: &str, state: &str, timestamp: &str| {
        signed_query(secret, &[("code", "c"), ("shop", shop), ("state", state), ("timestamp", timestamp)])
    };
    let other_keys = seglink::crypto::Keys::derive(&[9; 32]);
    let cases: [(&str, String, Option<String>, u16); 7] = [
        ("bad hmac", query("not-the-secret", "nonce", &fresh), Some(good_cookie.clone()), 401),
        (
            "no hmac",
            format!("code=c&shop={shop}&state=nonce&timestamp={fresh}"),
            Some(good_cookie.clone()),
            401,
        ),
        ("stale timestamp", query(SECRET, "nonce", &stale), Some(good_cookie.clone()), 401),
        ("no state cookie", query(SECRET, "nonce", &fresh), None, 400),
        ("another state", query(SECRET, "other", &fresh), Some(good_cookie.clone()), 400),
        (
            "cookie signed with another key",
            query(SECRET, "nonce", &fresh),
            Some(format!("seglink_oauth_state={}", other_keys.sign_cookie(&format!("{shop}|nonce")))),
            400,
        ),
        (
            "unsigned cookie",
            query(SECRET, "nonce", &fresh),
            Some(format!("seglink_oauth_state={shop}|nonce")),
            400,
        ),
    ];
    for (name, query, cookie, expected) in cases {
        let (status, _) = get(&app, &format!("/auth/callback?{query}"), cookie.as_deref()).await;
        assert_eq!(status, expected, "{name}");
    }
    // The previous secret still signs valid queries while a rotation is under way; with the
    // tripwire standing in for Shopify the code exchange then fails upstream (the only request).
    let (status, _) =
        get(&app, &format!("/auth/callback?{}", query(PREVIOUS_SECRET, "nonce", &fresh)), Some(&good_cookie))
            .await;
    assert_eq!(status, 502);
    assert_eq!(tripwire.hits(), 1, "only the request that passed every check went out");
}

#[tokio::test]
async fn bad_session_tokens_never_reach_the_token_exchange() {
    use shopify_sim::signing::{SessionClaims, session_token};
    let tripwire = Tripwire::start().await;
    let (state, _database) = crate::helpers::state().await;
    let app = TestApp::on(state.store.clone(), Some(&tripwire.origin));
    let shop = "seglink-demo-1.myshopify.com";
    let at = now().as_secs() as i64;
    let claims = || SessionClaims::new(shop, API_KEY, 1, at);
    let mut wrong_audience = claims();
    wrong_audience.aud = "another-app".to_owned();
    let mut expired = claims();
    (expired.nbf, expired.exp) = (at - 600, at - 60);
    let mut not_yet_valid = claims();
    (not_yet_valid.nbf, not_yet_valid.exp) = (at + 60, at + 120);
    let mut other_destination = claims();
    other_destination.dest = "https://another-shop.myshopify.com".to_owned();
    let mut foreign_destination = claims();
    (foreign_destination.dest, foreign_destination.iss) =
        ("https://x.myshopify.com.evil.com".to_owned(), "https://x.myshopify.com.evil.com/admin".to_owned());
    let mut mismatched_issuer = claims();
    mismatched_issuer.iss = "https://another-shop.myshopify.com/admin".to_owned();
    let tokens = [
        ("wrong aud", session_token(SECRET, &wrong_audience)),
        ("expired", session_token(SECRET, &expired)),
        ("not yet valid", session_token(SECRET, &not_yet_valid)),
        ("dest is another shop than iss", session_token(SECRET, &other_destination)),
        ("foreign dest", session_token(SECRET, &foreign_destination)),
        ("iss is another shop", session_token(SECRET, &mismatched_issuer)),
        ("another app's secret", session_token("another secret", &claims())),
    ];
    for (name, token) in tokens {
        let (status, _) = app.call("GET", "/api/session", Some(&token), None).await;
        assert_eq!(status, 401, "{name}");
    }
    assert_eq!(tripwire.hits(), 0, "no token exchange was attempted");
}
