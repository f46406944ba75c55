//! `POST /webhooks`: stored before the 200, once per event, and nothing stored for a refused
//! delivery.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use shopify_sim::signing::webhook_hmac;

use crate::helpers::{Fresh, SECRET, TestApp, domain, on_each_engine};

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
    assert_eq!(
        app.state.store.webhook_count(&domain(SHOP)).await.unwrap(),
        1,
        "stored by the time of the 200"
    );

    let (status, _, answer) = app.request(delivery(SECRET, "e-1", body)).await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&answer).unwrap()),
        (200, json!({ "duplicate": true }))
    );
    app.request(delivery(SECRET, "e-2", body)).await;
    assert_eq!(app.state.store.webhook_count(&domain(SHOP)).await.unwrap(), 2);
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
    let huge: &'static str =
        Box::leak(format!(r#"{{"id":1,"note":"{}"}}"#, "x".repeat(10 << 20)).into_boxed_str());
    let (status, _, answer) = app.request(delivery(SECRET, "e-3", huge)).await;
    assert_eq!(status, 413, "10 MB is no webhook of Shopify's: {answer}");
    assert!(answer.contains("over 5 MB"), "{answer}");
    assert_eq!(app.state.store.webhook_count(&domain(SHOP)).await.unwrap(), 0);
}

async fn the_same_event_id_in_two_shops_is_two_deliveries(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let customer = |id: u64| json!({ "id": id, "email": format!("c{id}@example.com"), "updated_at": "2026-11-20T09:00:00Z" });
    // A tenant's custom app signs with its own secret and claims an event id first...
    let claimed = crate::helpers::webhook("tenant.myshopify.com", "customers/create", "ev-1", &customer(1));
    let (status, _, answer) = app.request(claimed).await;
    assert_eq!((status, answer.as_str()), (200, r#"{"duplicate":false}"#), "{}", fresh.name);
    // ...and Shopify's genuine delivery of that id for another shop is still stored.
    let genuine = crate::helpers::webhook(SHOP, "customers/create", "ev-1", &customer(2));
    let (status, _, answer) = app.request(genuine).await;
    assert_eq!((status, answer.as_str()), (200, r#"{"duplicate":false}"#), "{}", fresh.name);
    app.run_jobs().await;
    assert!(fresh.store.customer(&domain(SHOP), "2").await.unwrap().is_some(), "{}", fresh.name);
    assert!(fresh.store.customer(&domain("tenant.myshopify.com"), "1").await.unwrap().is_some());

    // Privacy requests too are recorded per shop.
    let redact = |shop: &str| json!({ "shop_id": 1, "shop_domain": shop });
    app.deliver("tenant.myshopify.com", "shop/redact", "ev-2", &redact("tenant.myshopify.com")).await;
    app.deliver(SHOP, "shop/redact", "ev-2", &redact(SHOP)).await;
    app.run_jobs().await;
    let now = seglink::clock::unix_now();
    assert_eq!(fresh.store.privacy_requests(&domain(SHOP), now).await.unwrap().len(), 1, "{}", fresh.name);
    assert_eq!(fresh.store.privacy_requests(&domain("tenant.myshopify.com"), now).await.unwrap().len(), 1);
}
on_each_engine!(the_same_event_id_in_two_shops_is_two_deliveries);
