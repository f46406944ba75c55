//! The session-token and webhook checks as the routes see them: a handler runs only for a
//! request that passed.

use seglink::clock::UnixTime;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::post;
use seglink::checks::{ShopSession, VerifiedWebhook};
use serde_json::{Value, json};
use shopify_sim::signing::{SessionClaims, session_token, webhook_hmac};

use crate::helpers::{API_KEY, SECRET, TestApp, send, state};

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn bearer(token: &str) -> Request<Body> {
    Request::get("/api/session")
        .header("Authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_admin_api_knows_the_shop_from_the_session_token() {
    async fn whoami(session: ShopSession) -> axum::Json<Value> {
        axum::Json(json!({ "shop": session.claims.shop.as_str(), "user": session.claims.user_id }))
    }
    let (state, _database) = state().await;
    let probe = Router::new().route("/api/session", axum::routing::get(whoami)).with_state(state);
    let token = session_token(SECRET, &SessionClaims::new("seglink-test.myshopify.com", API_KEY, 7, now()));
    let (status, _, body) = send(&probe, bearer(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "shop": "seglink-test.myshopify.com", "user": "7" })
    );
}

#[tokio::test]
async fn a_missing_or_bad_session_token_asks_app_bridge_to_retry() {
    let app = TestApp::spawn().await;
    let stale =
        session_token(SECRET, &SessionClaims::new("seglink-test.myshopify.com", API_KEY, 7, now() - 3_600));
    let foreign = session_token(
        "another app's secret",
        &SessionClaims::new("seglink-test.myshopify.com", API_KEY, 7, now()),
    );
    let requests = [
        Request::get("/api/session").body(Body::empty()).unwrap(),
        bearer(&stale),
        bearer(&foreign),
        bearer("garbage"),
        Request::get("/api/session")
            .header("Authorization", format!("Basic {SECRET}"))
            .body(Body::empty())
            .unwrap(),
    ];
    for request in requests {
        let (status, headers, body) = app.request(request).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(
            headers.get("X-Shopify-Retry-Invalid-Session-Request").and_then(|value| value.to_str().ok()),
            Some("1")
        );
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string());
    }
}

async fn probe() -> (Router, crate::helpers::TempDb) {
    async fn handler(webhook: VerifiedWebhook) -> String {
        format!("{} {} {}", webhook.delivery.topic, webhook.delivery.event_id, webhook.body.len())
    }
    let (state, database) = state().await;
    (Router::new().route("/webhooks", post(handler)).with_state(state), database)
}

fn delivery(signature: &str, topic: Option<&str>, body: &'static str) -> Request<Body> {
    let mut request = Request::post("/webhooks")
        .header("X-Shopify-Hmac-Sha256", signature)
        .header("X-Shopify-Shop-Domain", "seglink-test.myshopify.com")
        .header("X-Shopify-API-Version", "2026-10")
        .header("X-Shopify-Webhook-Id", "w-1")
        .header("X-Shopify-Event-Id", "e-1");
    if let Some(topic) = topic {
        request = request.header("X-Shopify-Topic", topic);
    }
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn only_signed_webhooks_reach_the_handler() {
    let (router, _database) = probe().await;
    let body = r#"{"id":1,"email":"a@b.c"}"#;
    let (status, _, answer) =
        send(&router, delivery(&webhook_hmac(SECRET, body.as_bytes()), Some("orders/paid"), body)).await;
    assert_eq!((status, answer.as_str()), (200, "orders/paid e-1 24"));

    let (status, _, _) =
        send(&router, delivery(&webhook_hmac("wrong", body.as_bytes()), Some("orders/paid"), body)).await;
    assert_eq!(status, 401);
    let (status, _, _) = send(&router, delivery(&webhook_hmac(SECRET, body.as_bytes()), None, body)).await;
    assert_eq!(status, 400);
    let (status, _, _) = send(&router, delivery(&webhook_hmac(SECRET, b""), Some("orders/paid"), "")).await;
    assert_eq!(status, 400);
    let get = Request::get("/webhooks").body(Body::empty()).unwrap();
    assert_eq!(send(&router, get).await.0, 405);
}

/// A managed store in a workspace of its own, and a session token for it.
async fn connected(app: &TestApp, shop: &str) -> String {
    let domain = seglink::shopify::ShopDomain::parse(shop).unwrap();
    let (workspace, _) =
        seglink::install::workspace::create(&app.state.store, &domain, UnixTime::EPOCH).await.unwrap();
    let tokens = crate::helpers::stored_tokens(app.state.keys.seal("t", shop), "");
    let connection = seglink::db::Connection::Managed;
    app.state.store.connect_shop(&domain, &workspace.id, connection, &tokens, UnixTime::EPOCH).await.unwrap();
    session_token(SECRET, &SessionClaims::new(shop, API_KEY, 7, now()))
}

#[tokio::test]
async fn every_admin_body_is_refused_as_json_with_the_path_to_the_bad_field() {
    let app = TestApp::spawn().await;
    let token = connected(&app, "seglink-test.myshopify.com").await;
    let cases = [
        (
            "PUT",
            "/api/ingestion-policy",
            json!({ "excluded_channels": [], "excluded_tags": [], "exclude_test_orders": true, "upsell_delay_minutes": 5000 }),
            "/upsell_delay_minutes",
        ),
        (
            "PUT",
            "/api/ingestion-policy",
            json!({ "excluded_channels": ["pos", "a,b"], "excluded_tags": [], "exclude_test_orders": true, "upsell_delay_minutes": 0 }),
            "/excluded_channels/1",
        ),
        ("POST", "/api/connect-links", json!({ "shop": "evil.com" }), "/shop"),
        ("POST", "/api/connect-links", json!({ "nope": 1 }), "/"),
        ("POST", "/api/connections", json!({ "shop": 1 }), "/shop"),
        ("POST", "/api/connect", json!([]), "/"),
    ];
    for (method, path, body, field) in cases {
        let (status, answer) = app.call(method, path, Some(&token), Some(body.clone())).await;
        assert_eq!((status, answer["path"].as_str()), (422, Some(field)), "{method} {path} {body}: {answer}");
    }
}

#[tokio::test]
async fn path_and_query_parameters_are_refused_as_json_too() {
    let app = TestApp::spawn().await;
    let token = connected(&app, "seglink-test.myshopify.com").await;
    let segment = json!({ "name": "VIP", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.call("POST", "/api/segments", Some(&token), Some(segment)).await.0, 201);

    let (status, answer) = app.call("GET", "/api/segments/vip/members?limit=lots", Some(&token), None).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/limit")), "{answer}");
    let (status, answer) = app.call("DELETE", "/api/discount-rules/first", Some(&token), None).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|error| !error.is_empty()), "{answer}");
}

#[tokio::test]
async fn a_session_of_one_shop_never_reaches_anothers_data() {
    let app = TestApp::spawn().await;
    let a = &connected(&app, "shop-a.myshopify.com").await;
    let b = &connected(&app, "shop-b.myshopify.com").await;
    let segment = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.call("POST", "/api/segments", Some(a), Some(segment)).await.0, 201);
    let rule = json!({ "segment": "vip", "title": "VIP", "value": { "percentage": "10" }, "target": { "type": "orderSubtotal" } });
    app.call("POST", "/api/discount-rules", Some(a), Some(rule)).await;

    let (_, listed) = app.call("GET", "/api/segments", Some(b), None).await;
    assert_eq!(listed["segments"], json!([]), "{listed}");
    for path in ["/api/segments/vip", "/api/segments/vip/members", "/api/segments/vip/push"] {
        assert_eq!(app.call("GET", path, Some(b), None).await.0, 404, "{path}");
    }
    assert_eq!(app.call("DELETE", "/api/segments/vip", Some(b), None).await.0, 404);
    let (_, rules) = app.call("GET", "/api/discount-rules", Some(b), None).await;
    assert_eq!(rules["rules"], json!([]), "{rules}");
    let (_, connections) = app.call("GET", "/api/connections", Some(b), None).await;
    assert_eq!(connections["stores"].as_array().unwrap().len(), 1, "only itself: {connections}");
    assert_eq!(connections["stores"][0]["shop"], "shop-b.myshopify.com");
    // A's own view is intact.
    assert_eq!(app.call("GET", "/api/segments/vip", Some(a), None).await.0, 200);
}
