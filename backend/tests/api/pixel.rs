//! `POST /v1/pixel/events` on every database: the key and the shop must agree, limits answer
//! 413/400/429, events are normalised again on the server (the Wasm and raw paths store the same),
//! a browser's purchase is only a claim, a client is linked to a customer only by an order webhook
//! naming the checkout token the pixel reported, and events from the future are refused.

use axum::body::Body;
use axum::http::Request;
use seglink::clock::UnixTime;
use seglink::db::Connection;
use serde_json::{Value, json};

use crate::helpers::{Fresh, TestApp, domain, on_each_engine};

const SHOP: &str = "pixel-shop.myshopify.com";
const CLIENT: &str = "c-5f1e0a2b-77";
/// The checkout token of the sample visit's `checkout_completed`.
const CHECKOUT_TOKEN: &str = "ck-9a8b7c";

pub(crate) fn samples() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/events/tests/fixtures/pixel_events.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A connected shop in its own workspace; its public key.
pub(crate) async fn shop(app: &TestApp, domain: &str) -> String {
    let shop = seglink::shopify::ShopDomain::parse(domain).unwrap();
    let (workspace, _) =
        seglink::install::workspace::create(&app.state.store, &shop, UnixTime::EPOCH).await.unwrap();
    let tokens = crate::helpers::stored_tokens("sealed".to_owned(), "");
    app.state
        .store
        .connect_shop(
            &crate::helpers::domain(domain),
            &workspace.id,
            Connection::Managed,
            &tokens,
            UnixTime::EPOCH,
        )
        .await
        .unwrap();
    workspace.public_key
}

pub(crate) async fn post(app: &TestApp, body: String) -> (u16, axum::http::HeaderMap, Value) {
    let request = Request::post("/v1/pixel/events")
        .header("Content-Type", "text/plain")
        .body(Body::from(body))
        .unwrap();
    let (status, headers, text) = app.request(request).await;
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub(crate) fn batch(key: &str, shop: &str, normalized: bool, events: Vec<Value>) -> String {
    json!({ "key": key, "shop": shop, "normalized": normalized, "events": events }).to_string()
}

fn canonical(raw: &[Value]) -> Vec<Value> {
    raw.iter()
        .filter_map(|event| match events::normalize_text(&event.to_string()).unwrap() {
            events::Outcome::Event(event) => Some(serde_json::from_str(&event.to_json()).unwrap()),
            events::Outcome::Ignored(_) => None,
        })
        .collect()
}

async fn the_wasm_path_and_the_raw_path_store_the_same_events(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let raw_key = shop(&app, SHOP).await;
    let wasm_key = shop(&app, "other-pixel-shop.myshopify.com").await;
    let (status, headers, answer) = post(&app, batch(&raw_key, SHOP, false, samples())).await;
    assert_eq!((status, &answer), (200, &json!({ "accepted": 13, "rejected": 0 })), "{}", fresh.name);
    assert_eq!(headers["access-control-allow-origin"], "*");
    let (status, _, answer) =
        post(&app, batch(&wasm_key, "other-pixel-shop.myshopify.com", true, canonical(&samples()))).await;
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(13)));
    let strip = |rows: Vec<seglink::db::EventRow>| {
        rows.into_iter()
            .map(|row| (row.kind, row.source_id, row.properties, row.client_id))
            .collect::<Vec<_>>()
    };
    let raw = strip(fresh.store.events(&domain(SHOP)).await.unwrap());
    assert_eq!(raw.len(), 13);
    assert_eq!(raw, strip(fresh.store.events(&domain("other-pixel-shop.myshopify.com")).await.unwrap()));
    // Sent twice (a retried keepalive), stored once.
    post(&app, batch(&raw_key, SHOP, false, samples())).await;
    assert_eq!(fresh.store.events(&domain(SHOP)).await.unwrap().len(), 13);
}
on_each_engine!(the_wasm_path_and_the_raw_path_store_the_same_events);

#[tokio::test]
async fn limits_and_keys_are_enforced() {
    let fresh = Fresh::sqlite().await;
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let other_key = shop(&app, "other-pixel-shop.myshopify.com").await;
    let page = samples().remove(0);

    let (status, _, answer) = post(&app, "{\"key\":".to_owned()).await;
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("not JSON"));
    let (status, _, _) = post(&app, batch(&key, SHOP, false, vec![page.clone(); 51])).await;
    assert_eq!(status, 413, "more than 50 events");
    let (status, _, _) = post(&app, "x".repeat(70 * 1024)).await;
    assert_eq!(status, 413, "over 64 KB");
    let (status, _, _) = post(&app, batch("pk_unknown", SHOP, false, vec![page.clone()])).await;
    assert_eq!(status, 401);
    let (status, _, _) = post(&app, batch(&other_key, SHOP, false, vec![page.clone()])).await;
    assert_eq!(status, 401, "another workspace's key");

    let (status, _, answer) =
        post(&app, batch(&key, SHOP, false, vec![page.clone(), json!({ "name": "clicked" })])).await;
    assert_eq!((status, answer), (200, json!({ "accepted": 1, "rejected": 1 })));

    let request = Request::options("/v1/pixel/events").body(Body::empty()).unwrap();
    let (status, headers, _) = app.request(request).await;
    assert_eq!(status, 204);
    assert_eq!(headers["access-control-allow-origin"], "*");

    let mut limited = None;
    for _ in 0..300 {
        let (status, headers, _) = post(&app, batch(&key, SHOP, false, vec![page.clone()])).await;
        if status == 429 {
            limited = Some(headers["retry-after"].to_str().unwrap().to_owned());
            break;
        }
    }
    assert_eq!(limited.as_deref(), Some("1"), "a burst is limited, with Retry-After in seconds");
}

/// A post from `address`, as the proxy in front of `seglink serve` reports it.
async fn post_from(app: &TestApp, address: &str, body: String) -> u16 {
    let request = Request::post("/v1/pixel/events")
        .header("Content-Type", "text/plain")
        .header("X-Forwarded-For", format!("203.0.113.200, {address}"))
        .body(Body::from(body))
        .unwrap();
    app.request(request).await.0
}

#[tokio::test]
async fn nobody_can_silence_a_stores_pixel() {
    let fresh = Fresh::sqlite().await;
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let page = samples().remove(0);
    let attacker = "198.51.100.7";

    // Requests that name another shop, no shop, or a made-up key charge nothing.
    for _ in 0..300 {
        assert_eq!(post_from(&app, attacker, batch(&key, "not-a-shop", false, vec![])).await, 400);
        assert_eq!(post_from(&app, attacker, batch(&key, "other.myshopify.com", false, vec![])).await, 401);
        assert_eq!(post_from(&app, attacker, batch("pk_made_up", SHOP, false, vec![])).await, 401);
    }
    assert_eq!(post_from(&app, "192.0.2.10", batch(&key, SHOP, false, vec![page.clone()])).await, 200);
    assert_eq!(post_from(&app, attacker, batch(&key, SHOP, false, vec![page.clone()])).await, 200);
    assert!(
        app.state.pixel_keys.lookups() <= 3,
        "a refused key and shop are remembered, not looked up each time: {}",
        app.state.pixel_keys.lookups()
    );

    // With the real key and shop, one address runs out of its own share only.
    let mut limited = false;
    for _ in 0..300 {
        if post_from(&app, attacker, batch(&key, SHOP, false, vec![])).await == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "one address is limited");
    assert_eq!(
        post_from(&app, "192.0.2.10", batch(&key, SHOP, false, vec![page])).await,
        200,
        "a shopper is not"
    );
}

async fn an_order_webhook_links_the_client_and_the_purchase_is_kept_once(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let mut canonical_events = canonical(&samples());
    // The browser claims to be customer 991: ignored.
    for event in &mut canonical_events {
        event["customer_id"] = "991".into();
    }
    post(&app, batch(&key, SHOP, true, canonical_events)).await;
    assert_eq!(fresh.store.linked_customer(&domain(SHOP), CLIENT).await.unwrap(), None, "{}", fresh.name);
    assert!(fresh.store.events(&domain(SHOP)).await.unwrap().iter().all(|event| event.customer_id.is_none()));

    let order = json!({ "id": 5001, "total_price": "69.80", "currency": "EUR", "customer": { "id": 7 },
        "checkout_token": CHECKOUT_TOKEN, "updated_at": "2026-11-20T10:14:00Z" });
    app.deliver(SHOP, "orders/paid", "paid-5001", &order).await;
    app.run_jobs().await;
    assert_eq!(
        fresh.store.linked_customer(&domain(SHOP), CLIENT).await.unwrap().as_deref(),
        Some("7"),
        "{}",
        fresh.name
    );
    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
    let purchases: Vec<_> = events.iter().filter(|event| event.kind == "purchase").collect();
    assert_eq!(purchases.len(), 1, "one purchase for order 5001");
    assert_eq!(purchases[0].customer_id.as_deref(), Some("7"));
    assert!(
        events.iter().all(|event| event.customer_id.as_deref() == Some("7")),
        "earlier pixel events are the customer's now"
    );

    // Later events of the linked client are attributed at once.
    let later = json!({ "kind": "page_view", "id": "later", "occurred_at": "2026-11-21T10:00:00Z", "client_id": CLIENT });
    post(&app, batch(&key, SHOP, true, vec![later])).await;
    let last = fresh.store.events(&domain(SHOP)).await.unwrap().pop().unwrap();
    assert_eq!(last.customer_id.as_deref(), Some("7"));
}
on_each_engine!(an_order_webhook_links_the_client_and_the_purchase_is_kept_once);

async fn events_of_a_known_customer_move_their_segments_at_once(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let now = seglink::clock::unix_now();
    let rules = r#"{ "if": "did", "event": "product_view", "times": 2, "days": 7 }"#;
    let segment = seglink::db::SegmentRow::new("browsers", "Browsers", rules.to_owned(), now);
    fresh.store.create_segment(&domain(SHOP), &segment).await.unwrap();
    // The client is tied to customer 7 by an order.
    fresh.store.link_client(&domain(SHOP), CLIENT, "7", now).await.unwrap();
    let customer = json!({ "id": 7, "email": "ada@example.com", "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(SHOP, "customers/create", "c-7", &customer).await;
    app.run_jobs().await;
    assert!(fresh.store.member_ids(&domain(SHOP), "browsers").await.unwrap().is_empty());

    let at = rfc3339(now.secs());
    let view = |id: &str| json!({ "kind": "product_view", "id": id, "occurred_at": at, "client_id": CLIENT, "product_id": "7" });
    let (status, _, answer) = post(&app, batch(&key, SHOP, true, vec![view("v1"), view("v2")])).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(fresh.store.member_ids(&domain(SHOP), "browsers").await.unwrap(), ["7"], "{}", fresh.name);
}
on_each_engine!(events_of_a_known_customer_move_their_segments_at_once);

async fn a_buyers_claim_after_the_webhook_links_them_and_moves_their_segments_at_once(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let now = seglink::clock::unix_now();
    let rules = r#"{ "if": "did", "event": "add_to_cart", "times": 1, "days": 7 }"#;
    let segment = seglink::db::SegmentRow::new("carters", "Cart builders", rules.to_owned(), now);
    fresh.store.create_segment(&domain(SHOP), &segment).await.unwrap();
    let customer = json!({ "id": 7, "email": "ada@example.com", "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(SHOP, "customers/create", "c-7", &customer).await;
    let at = rfc3339(now.secs());
    let added = json!({ "kind": "add_to_cart", "id": "a1", "occurred_at": at, "client_id": CLIENT, "product_id": "7", "quantity": 1 });
    post(&app, batch(&key, SHOP, true, vec![added])).await;
    // The webhook comes first: nothing has claimed its token yet.
    let order = json!({ "id": 7100, "total_price": "12.00", "currency": "EUR", "customer": { "id": 7 },
        "checkout_token": CHECKOUT_TOKEN, "updated_at": "2026-11-20T10:14:00Z" });
    app.deliver(SHOP, "orders/paid", "paid-7100", &order).await;
    app.run_jobs().await;
    assert!(fresh.store.member_ids(&domain(SHOP), "carters").await.unwrap().is_empty(), "{}", fresh.name);

    // The thank-you page's claim links the browser, and its add-to-cart counts at once.
    let claim = json!({ "kind": "purchase", "id": "done", "occurred_at": at, "client_id": CLIENT,
        "order_id": "7100", "checkout_token": CHECKOUT_TOKEN });
    let (status, _, answer) = post(&app, batch(&key, SHOP, true, vec![claim])).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(fresh.store.linked_customer(&domain(SHOP), CLIENT).await.unwrap().as_deref(), Some("7"));
    assert_eq!(fresh.store.member_ids(&domain(SHOP), "carters").await.unwrap(), ["7"], "{}", fresh.name);
}
on_each_engine!(a_buyers_claim_after_the_webhook_links_them_and_moves_their_segments_at_once);

/// Unix seconds as the RFC 3339 time a canonical event carries.
fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A shopper's own purchase claim: their client, any order id and products, a checkout token.
fn forged_purchase(client: &str, order_id: &str, token: &str) -> Value {
    json!({ "kind": "purchase", "id": format!("forged-{order_id}-{token}"), "occurred_at": "2026-11-20T10:00:00Z",
        "client_id": client, "order_id": order_id, "checkout_token": token,
        "value": { "amount": "99999.00", "currency": "EUR" },
        "lines": [{ "product_id": "999", "quantity": 1, "price": { "amount": "99999.00", "currency": "EUR" } }] })
}

async fn a_forged_purchase_before_the_webhook_neither_counts_nor_links(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let rules = r#"{ "if": "did", "event": "purchase", "product_id": "999", "times": 1, "days": 3650 }"#;
    let now = seglink::clock::unix_now();
    let segment = seglink::db::SegmentRow::new("bought-999", "Bought 999", rules.to_owned(), now);
    fresh.store.create_segment(&domain(SHOP), &segment).await.unwrap();
    let customer = json!({ "id": 7, "email": "ada@example.com", "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(SHOP, "customers/create", "c-7", &customer).await;

    // The attacker claims order 7100, Ada's, with product 999 and their own client and token.
    let (status, _, answer) =
        post(&app, batch(&key, SHOP, true, vec![forged_purchase("attacker", "7100", "guessed")])).await;
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(1)), "{answer}");
    let order = json!({ "id": 7100, "total_price": "12.00", "currency": "EUR", "customer": { "id": 7 },
        "checkout_token": "ada-real-token", "line_items": [{ "product_id": 1, "quantity": 1, "price": "12.00" }],
        "updated_at": "2026-11-20T10:14:00Z" });
    app.deliver(SHOP, "orders/paid", "paid-7100", &order).await;
    app.run_jobs().await;

    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
    let purchases: Vec<_> = events.iter().filter(|event| event.kind == "purchase").collect();
    assert_eq!(purchases.len(), 1, "{}: {events:?}", fresh.name);
    assert_eq!(purchases[0].source, "order");
    assert!(!purchases[0].properties.contains("999"), "the webhook's lines: {}", purchases[0].properties);
    assert!(purchases[0].properties.contains("12.00"));
    assert_eq!(
        fresh.store.linked_customer(&domain(SHOP), "attacker").await.unwrap(),
        None,
        "no identity theft"
    );
    assert!(
        fresh.store.member_ids(&domain(SHOP), "bought-999").await.unwrap().is_empty(),
        "no forged membership"
    );
}
on_each_engine!(a_forged_purchase_before_the_webhook_neither_counts_nor_links);

async fn a_forged_purchase_after_the_webhook_links_nobody(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let order = json!({ "id": 7100, "total_price": "12.00", "currency": "EUR", "customer": { "id": 7 },
        "checkout_token": "ada-real-token", "updated_at": "2026-11-20T10:14:00Z" });
    app.deliver(SHOP, "orders/paid", "paid-7100", &order).await;
    app.run_jobs().await;
    post(&app, batch(&key, SHOP, true, vec![forged_purchase("attacker", "7100", "guessed")])).await;
    assert_eq!(fresh.store.linked_customer(&domain(SHOP), "attacker").await.unwrap(), None, "{}", fresh.name);
    let page = json!({ "kind": "page_view", "id": "after", "occurred_at": "2026-11-20T10:20:00Z", "client_id": "attacker" });
    post(&app, batch(&key, SHOP, true, vec![page])).await;
    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
    assert!(
        events
            .iter()
            .filter(|event| event.client_id.as_deref() == Some("attacker"))
            .all(|event| event.customer_id.is_none()),
        "the attacker's events are not Ada's: {events:?}"
    );

    // Ada's own browser reports the real token: linked, whichever came first.
    post(&app, batch(&key, SHOP, true, vec![forged_purchase("ada-browser", "7100", "ada-real-token")])).await;
    assert_eq!(
        fresh.store.linked_customer(&domain(SHOP), "ada-browser").await.unwrap().as_deref(),
        Some("7")
    );
}
on_each_engine!(a_forged_purchase_after_the_webhook_links_nobody);

async fn events_from_the_future_are_refused(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let key = shop(&app, SHOP).await;
    let at = |seconds: i64| {
        time::OffsetDateTime::from_unix_timestamp((seglink::clock::unix_now() + seconds).secs())
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let event = |id: &str, occurred_at: String| json!({ "kind": "page_view", "id": id, "occurred_at": occurred_at, "client_id": CLIENT });
    let events = vec![
        event("far", "9999-12-31T23:59:59Z".to_owned()),
        event("ahead", at(3_600)),
        event("skewed", at(60)),
        event("now", at(0)),
    ];
    let (status, _, answer) = post(&app, batch(&key, SHOP, true, events)).await;
    assert_eq!((status, answer), (200, json!({ "accepted": 2, "rejected": 2 })), "{}", fresh.name);
    let stored: Vec<String> =
        fresh.store.events(&domain(SHOP)).await.unwrap().into_iter().map(|event| event.source_id).collect();
    assert_eq!(stored, ["skewed", "now"]);
}
on_each_engine!(events_from_the_future_are_refused);
