//! Storage down or locked past the deadline: webhooks and the pixel answer 503 with `Retry-After`
//! and a JSON reason, service comes back without a restart, and what was acknowledged before,
//! or is sent again after, is stored once. The faults are real: another connection holding
//! SQLite's write lock, and PostgreSQL's connections cut at a proxy.

use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::helpers::{Fresh, Proxy, TestApp, config_with, domain, webhook};
use crate::pixel::{batch, post, samples, shop};

const SHOP: &str = "busy-shop.myshopify.com";
/// Short, so the test waits little; production's is 4 s.
const DEADLINE_MS: &str = "300";

fn app_on(store: seglink::db::Store) -> TestApp {
    TestApp::configured(store, config_with(None, &[("SEGLINK_STORAGE_DEADLINE_MS", DEADLINE_MS)]))
}

fn order(id: u64) -> Value {
    json!({ "id": id, "email": "a@example.com", "total_price": "10.00", "currency": "EUR" })
}

async fn deliver(app: &TestApp, event_id: &str) -> (u16, axum::http::HeaderMap, Value) {
    let (status, headers, text) = app.request(webhook(SHOP, "orders/paid", event_id, &order(1))).await;
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// What an unavailable store answers: 503, `Retry-After`, and why.
fn assert_unavailable((status, headers, body): (u16, axum::http::HeaderMap, Value), what: &str) {
    assert_eq!(status, 503, "{what}: {body}");
    assert_eq!(headers.get("retry-after").and_then(|value| value.to_str().ok()), Some("5"), "{what}");
    let reason = body["error"].as_str().unwrap_or_default();
    assert!(reason.contains("unavailable"), "{what} says why: {body}");
}

#[tokio::test]
async fn a_held_sqlite_write_lock_answers_503_and_the_retries_are_stored_once() {
    let fresh = Fresh::sqlite().await;
    let app = app_on(fresh.store.clone());
    let key = shop(&app, SHOP).await;
    let events = batch(&key, SHOP, false, samples());
    assert_eq!(deliver(&app, "before").await.0, 200);

    let mut holder = sqlx::SqliteConnection::connect(&fresh.url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut holder).await.unwrap();
    assert_unavailable(deliver(&app, "during").await, "a webhook");
    assert_unavailable(post(&app, events.clone()).await, "pixel events");
    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();

    // Shopify's retry and the pixel's, without restarting anything.
    let (status, _, answer) = deliver(&app, "during").await;
    assert_eq!(status, 200, "{answer}");
    let (status, _, answer) = post(&app, events.clone()).await;
    assert_eq!(status, 200, "{answer}");
    let accepted = answer["accepted"].as_u64().unwrap();
    assert!(accepted > 0);
    assert_eq!(app.state.store.webhook_count(&domain(SHOP)).await.unwrap(), 2, "each delivery once");
    assert_eq!(
        app.state.store.events(&domain(SHOP)).await.unwrap().len() as u64,
        accepted,
        "each event once"
    );
}

#[tokio::test]
async fn postgres_going_away_answers_503_and_service_resumes_without_a_restart() {
    let Some(fresh) = Fresh::postgres().await else { return };
    let (scheme_user, rest) = fresh.url.split_once('@').unwrap();
    let (address, database) = rest.split_once('/').unwrap();
    let proxy = Proxy::to(address.parse().expect("an ip:port in TEST_DATABASE_URL")).await;
    let store = seglink::db::Store::connect(&format!("{scheme_user}@127.0.0.1:{}/{database}", proxy.port))
        .await
        .unwrap();
    let app = app_on(store);
    let key = shop(&app, SHOP).await;
    let events = batch(&key, SHOP, false, samples());
    assert_eq!(deliver(&app, "before").await.0, 200);
    assert_eq!(post(&app, events.clone()).await.0, 200, "the key is known before the cut");

    proxy.cut();
    assert_unavailable(deliver(&app, "during").await, "a webhook");
    assert_unavailable(post(&app, events.clone()).await, "pixel events");
    // A second delivery meets a pool with no connection left and waits out the deadline.
    assert_unavailable(deliver(&app, "during-2").await, "a webhook, later");
    proxy.restore();

    for event_id in ["during", "during-2"] {
        let (status, _, answer) = deliver(&app, event_id).await;
        assert_eq!((status, answer), (200, json!({ "duplicate": false })), "{event_id}");
    }
    let (status, _, answer) = post(&app, events).await;
    assert_eq!(status, 200, "{answer}");
    let store = &fresh.store;
    assert_eq!(
        store.webhook_count(&domain(SHOP)).await.unwrap(),
        3,
        "the acknowledged delivery and the retries"
    );
    let stored = store.events(&domain(SHOP)).await.unwrap().len();
    assert_eq!(stored as u64, answer["accepted"].as_u64().unwrap(), "the batch once, though sent twice");
}
