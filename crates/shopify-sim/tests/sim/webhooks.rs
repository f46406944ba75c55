//! Webhook delivery: Shopify's headers and signature over the raw body, one delivery per
//! subscription, retries on failure, and the scripted duplicates and reordering.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use shopify_sim::webhooks::{Delivery, DeliveryReport, RETRY_DELAYS_SECS, WebhookOutbox};

const SECRET: &str = "shpss_webhooks";
const SHOP: &str = "seglink-test.myshopify.com";
const APP: &str = "https://app.example/webhooks";
const T0: Duration = Duration::from_secs(1_790_812_800);

fn outbox() -> WebhookOutbox {
    let mut outbox = WebhookOutbox::new(SECRET, SHOP, "2026-10");
    outbox.subscribe("orders/create", APP).unwrap();
    outbox
}

/// What an app does: HMAC-SHA256 of the raw bytes with the client secret, base64.
fn signature_holds(delivery: &Delivery) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&delivery.body);
    let expected = STANDARD.decode(delivery.header("x-shopify-hmac-sha256").unwrap()).unwrap();
    mac.verify_slice(&expected).is_ok()
}

fn collect(
    outbox: &mut WebhookOutbox,
    now: Duration,
    status: Option<u16>,
) -> (Vec<Delivery>, DeliveryReport) {
    let mut sent = Vec::new();
    let report = outbox.deliver_due(now, |delivery| {
        sent.push(delivery.clone());
        status
    });
    (sent, report)
}

#[test]
fn a_delivery_carries_shopify_headers_and_a_signature_over_the_raw_body() {
    let mut outbox = outbox();
    let payload = json!({ "id": 820982911946154508u64, "note": "gift & wrap", "order_status_url": "https://x.example/a/b" });
    outbox.emit("orders/create", &payload, T0);
    let (sent, report) = collect(&mut outbox, T0, Some(200));
    assert_eq!(report, DeliveryReport { delivered: 1, retrying: 0, abandoned: 0 });
    let delivery = &sent[0];
    assert_eq!(delivery.uri, APP);
    assert_eq!(delivery.header("X-Shopify-Topic"), Some("orders/create"));
    assert_eq!(delivery.header("X-Shopify-Shop-Domain"), Some(SHOP));
    assert_eq!(delivery.header("X-Shopify-API-Version"), Some("2026-10"));
    assert!(delivery.header("X-Shopify-Webhook-Id").is_some());
    assert!(delivery.header("X-Shopify-Event-Id").is_some());
    assert_eq!(delivery.header("X-Shopify-Triggered-At"), Some("1790812800"));
    assert!(signature_holds(delivery));

    let parsed: Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(parsed, payload, "the body is the payload");
    assert_ne!(
        serde_json::to_vec(&parsed).unwrap(),
        delivery.body,
        "but re-serialising it changes the bytes"
    );
    assert!(outbox.pending().is_empty());
}

#[test]
fn each_subscription_gets_its_own_delivery_of_the_same_event() {
    let mut outbox = outbox();
    outbox.subscribe("orders/create", "https://backup.example/hooks").unwrap();
    outbox.subscribe("orders/paid", APP).unwrap();
    outbox.emit("orders/create", &json!({ "id": 1 }), T0);
    let (sent, _) = collect(&mut outbox, T0, Some(200));
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("X-Shopify-Event-Id"), sent[1].header("X-Shopify-Event-Id"));
    assert_ne!(sent[0].header("X-Shopify-Webhook-Id"), sent[1].header("X-Shopify-Webhook-Id"));
}

#[test]
fn a_failed_delivery_is_retried_eight_times_over_four_hours_then_abandoned() {
    let mut outbox = outbox();
    outbox.emit("orders/create", &json!({ "id": 1 }), T0);
    let (first, _) = collect(&mut outbox, T0, Some(500));
    let mut now = T0;
    for (retry, delay) in RETRY_DELAYS_SECS.iter().enumerate() {
        let due = outbox.next_due().expect("a retry is scheduled");
        assert_eq!(due, now + Duration::from_secs(*delay));
        let (early, _) = collect(&mut outbox, due - Duration::from_secs(1), Some(500));
        assert!(early.is_empty(), "nothing goes before it is due");
        now = due;
        let answer = if retry % 2 == 0 { None } else { Some(503) };
        let (sent, report) = collect(&mut outbox, now, answer);
        assert_eq!(sent[0].body, first[0].body, "retries send the original payload");
        assert_eq!(sent[0].header("X-Shopify-Webhook-Id"), first[0].header("X-Shopify-Webhook-Id"));
        assert_eq!(sent[0].attempt as usize, retry + 1);
        let expected = if retry + 1 == RETRY_DELAYS_SECS.len() { (0, 1) } else { (1, 0) };
        assert_eq!((report.retrying, report.abandoned), expected);
    }
    assert_eq!(now - T0, Duration::from_secs(4 * 3_600));
    assert_eq!(outbox.abandoned().len(), 1);
    assert!(outbox.pending().is_empty());
}

#[test]
fn a_retry_that_succeeds_ends_the_delivery() {
    let mut outbox = outbox();
    outbox.emit("orders/create", &json!({ "id": 1 }), T0);
    collect(&mut outbox, T0, Some(404));
    let due = outbox.next_due().unwrap();
    let (_, report) = collect(&mut outbox, due, Some(204));
    assert_eq!(report.delivered, 1);
    assert!(outbox.pending().is_empty() && outbox.abandoned().is_empty());
}

#[test]
fn scripted_duplicates_and_reordering() {
    let mut outbox = outbox();
    for id in 1..=3 {
        outbox.emit("orders/create", &json!({ "id": id }), T0);
    }
    outbox.duplicate_next(1);
    outbox.reverse_next_round();
    let (sent, report) = collect(&mut outbox, T0, Some(200));
    let ids: Vec<i64> = sent
        .iter()
        .map(|d| serde_json::from_slice::<Value>(&d.body).unwrap()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2, 1, 3], "newest first, then the first one again");
    assert_eq!(sent[0], sent[3], "a duplicate is byte for byte the same delivery");
    assert_eq!(report.delivered, 4);

    outbox.emit("orders/create", &json!({ "id": 4 }), T0);
    outbox.emit("orders/create", &json!({ "id": 5 }), T0);
    let (sent, _) = collect(&mut outbox, T0, Some(200));
    assert_eq!(sent.len(), 2, "faults apply only as scripted");
    assert!(sent[0].body < sent[1].body);
}

#[test]
fn subscriptions_are_checked() {
    let mut outbox = outbox();
    assert_eq!(outbox.subscribe("orders/create", APP).unwrap_err().field, "address");
    assert_eq!(outbox.subscribe("orders/teleported", APP).unwrap_err().field, "topic");
    for bad in ["http://app.example/hooks", "ftp://x", "https://", "http://localhost.evil.example/"] {
        assert_eq!(outbox.subscribe("orders/paid", bad).unwrap_err().field, "callbackUrl", "{bad}");
    }
    assert!(outbox.subscribe("orders/paid", "http://127.0.0.1:8080/webhooks").is_ok());
    assert_eq!(outbox.subscriptions().len(), 2);
}

#[test]
fn an_event_without_subscribers_goes_nowhere() {
    let mut outbox = outbox();
    outbox.emit("customers/create", &json!({ "id": 1 }), T0);
    assert!(outbox.pending().is_empty());
}
