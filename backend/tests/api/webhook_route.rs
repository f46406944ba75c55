//! `POST /webhooks`: stored before the 200, once per event, and nothing stored for a refused
//! delivery.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use shopify_sim::signing::webhook_hmac;

use crate::helpers::{SECRET, TestApp};

const SHOP: &str = "seglink-test.myshopify.com";

fn delivery(secret: &str, event_id: &str, body: &'static str) -> Request<Body> {
    Request::post("/webhooks")
        .header("X-Shopify-Hmac-Sha256", webhook_hmac(secret, body.as_bytes()))
        .header("X-Shopify-Topic", "orders/paid")
        .header("X-Shopify-Shop-Domain", SHOP)
        .header("X-Shopify-API-Version", "2026-10")
        .header("X-Shopify-Webhook-Id", format!("w-{event_id}"))
        .header("X-Shopify-Event-Id", event_id)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_delivery_is_stored_before_it_is_acknowledged_and_only_once() {
    let app = TestApp::spawn().await;
    let body = r#"{"id":820982911946154508}"#;
    let (status, _, answer) = app.request(delivery(SECRET, "e-1", body)).await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&answer).unwrap()),
        (200, json!({ "duplicate": false }))
    );
    assert_eq!(app.state.store.webhook_count(SHOP).await.unwrap(), 1, "stored by the time of the 200");

    let (status, _, answer) = app.request(delivery(SECRET, "e-1", body)).await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&answer).unwrap()),
        (200, json!({ "duplicate": true }))
    );
    app.request(delivery(SECRET, "e-2", body)).await;
    assert_eq!(app.state.store.webhook_count(SHOP).await.unwrap(), 2);
}

#[tokio::test]
async fn a_refused_delivery_stores_nothing() {
    let app = TestApp::spawn().await;
    let (status, _, _) = app.request(delivery("forged", "e-1", r#"{"id":1}"#)).await;
    assert_eq!(status, 401);
    let (status, _, _) = app.request(delivery(SECRET, "e-2", "")).await;
    assert_eq!(status, 400);
    let (status, _, _) = app.request(Request::get("/webhooks").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 405);
    assert_eq!(app.state.store.webhook_count(SHOP).await.unwrap(), 0);
}
