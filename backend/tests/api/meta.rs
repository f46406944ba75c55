//! Meta forwarding against a local stand-in for the Conversions API: settings with a sealed token,
//! storefront events forwarded only with marketing consent, purchases from the verified order,
//! each once; failures retried with backoff, refused events dropped alone with their reason.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use shopify_sim::meta::ConversionsApi;

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, installed_with, now, on_each_engine};

const PIXEL: &str = "1234567890";
const TOKEN: &str = "EAAGm0PX4ZCpsBAtesttoken123";
const AGENT: &str = "Mozilla/5.0 (Macintosh) Safari/605.1.15";

/// The stand-in served on a local port; its base URL.
async fn stand_in() -> (ConversionsApi, String) {
    let api = ConversionsApi::new(PIXEL, TOKEN);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let router = api.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (api, origin)
}

async fn connected(fresh: &Fresh) -> (SimulatedShop, TestApp, ConversionsApi, String) {
    let (meta, origin) = stand_in().await;
    let (shop, app) = installed_with(fresh.store.clone(), 20, &[("SEGLINK_META_GRAPH_URL", &origin)]).await;
    shop.subscribe_declared_topics();
    let settings = json!({ "pixel_id": PIXEL, "access_token": TOKEN, "enabled": true });
    let (status, view) = app.admin(&shop, "PUT", "/api/meta", Some(settings)).await;
    assert_eq!(status, 200, "{view}");
    app.run_jobs().await;
    let (_, session) = app.open_admin(&shop).await;
    let key = session["workspace"]["public_key"].as_str().unwrap().to_owned();
    (shop, app, meta, key)
}

/// A storefront request from the shopper's browser.
async fn pixel(app: &TestApp, key: &str, shop: &str, marketing: bool, events: Vec<Value>) -> Value {
    let body = json!({ "key": key, "shop": shop, "normalized": true, "events": events, "marketing": marketing, "fbp": "fb.1.1700000000000.42" });
    let request = Request::post("/v1/pixel/events")
        .header("Content-Type", "text/plain")
        .header("User-Agent", AGENT)
        .header("X-Forwarded-For", "198.51.100.4")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, text) = app.request(request).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn recent() -> String {
    time::OffsetDateTime::from_unix_timestamp(seglink::clock::unix_now().secs() - 60)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn storefront(kind: &str, id: &str) -> Value {
    json!({
        "kind": kind, "id": id, "occurred_at": recent(), "client_id": "client-1",
        "url": "https://seglink-demo-1.myshopify.com/products/mug", "product_id": "632910392",
        "value": { "amount": "19.50", "currency": "USD" }, "quantity": 1,
    })
}

async fn events_go_to_meta_once_with_consent_and_purchases_from_the_order(fresh: Fresh) {
    let (shop, app, meta, key) = connected(&fresh).await;
    let (_, view) = app.admin(&shop, "GET", "/api/meta", None).await;
    assert_eq!(
        (view["token_saved"].as_bool(), view["enabled"].as_bool()),
        (Some(true), Some(true)),
        "{view}"
    );
    assert!(!view.to_string().contains(TOKEN), "the token is never sent back");
    let sealed = fresh.store.meta_settings(&domain(&shop.domain)).await.unwrap().unwrap().sealed_token;
    assert!(!sealed.contains(TOKEN), "{}: the token is sealed at rest", fresh.name);
    let settings = shop.inspect("{ webPixel { settings } }")["data"]["webPixel"]["settings"].clone();
    assert!(settings.to_string().contains(PIXEL), "the pixel reads Meta's browser ids now: {settings}");

    let consented = vec![
        storefront("product_view", "ev-view"),
        storefront("add_to_cart", "ev-cart"),
        storefront("page_view", "ev-page"),
    ];
    pixel(&app, &key, &shop.domain, true, consented.clone()).await;
    pixel(&app, &key, &shop.domain, false, vec![storefront("product_view", "ev-no-consent")]).await;
    // The pixel sends a batch again: nothing goes twice.
    pixel(&app, &key, &shop.domain, true, consented).await;

    let (buyer, variant, accepts) = shop.sim.with_admin(|admin| {
        let store = admin.shop();
        let buyer = store.customers.iter().find(|customer| customer.accepts_marketing).expect("a subscriber");
        (buyer.id, store.products[0].variants[0].id, buyer.accepts_marketing)
    });
    assert!(accepts);
    let order = shop.sim.with_admin(|admin| admin.place_order(Some(buyer), &[(variant, 2)], now()).unwrap());
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;

    let received = meta.received();
    let names: Vec<(&str, &str)> = received
        .iter()
        .map(|event| (event["event_name"].as_str().unwrap(), event["event_id"].as_str().unwrap()))
        .collect();
    let order_id = order.to_string();
    assert_eq!(
        names,
        [("ViewContent", "ev-view"), ("AddToCart", "ev-cart"), ("Purchase", order_id.as_str())],
        "{}: {received:#?}",
        fresh.name
    );
    let view = &received[0];
    assert_eq!(view["user_data"]["client_user_agent"], AGENT);
    assert_eq!(view["user_data"]["client_ip_address"], "198.51.100.4");
    assert_eq!(view["user_data"]["fbp"], "fb.1.1700000000000.42");
    assert_eq!(view["custom_data"]["value"], 19.5);
    let purchase = &received[2];
    let email = shop.sim.with_admin(|admin| {
        admin.shop().customers.iter().find(|customer| customer.id == buyer).unwrap().email.to_lowercase()
    });
    assert_eq!(purchase["user_data"]["em"][0], seglink::crypto::sha256_hex(&email), "hashed: {purchase}");
    assert_eq!(purchase["custom_data"]["currency"], "USD");
    assert!(purchase["custom_data"]["value"].as_f64().unwrap() > 0.0);

    let (_, view) = app.admin(&shop, "GET", "/api/meta", None).await;
    assert_eq!(
        (view["health"]["sent"].as_i64(), view["health"]["waiting"].as_i64()),
        (Some(3), Some(0)),
        "{view}"
    );
}
on_each_engine!(events_go_to_meta_once_with_consent_and_purchases_from_the_order);

async fn failures_are_retried_and_a_refused_event_is_dropped_alone(fresh: Fresh) {
    let (shop, app, meta, key) = connected(&fresh).await;
    // Meta is down for two requests: the events wait, and go after the backoff.
    meta.fail_next(503, 2);
    pixel(
        &app,
        &key,
        &shop.domain,
        true,
        vec![storefront("product_view", "ev-1"), storefront("add_to_cart", "ev-2")],
    )
    .await;
    app.run_jobs().await;
    let (_, view) = app.admin(&shop, "GET", "/api/meta", None).await;
    assert_eq!(view["health"]["failed"], 1, "{}: {view}", fresh.name);
    assert_eq!(view["health"]["waiting"], 2);
    assert!(view["health"]["last_error"].as_str().unwrap().contains("503"), "{view}");
    app.run_jobs_ahead(60).await;
    assert_eq!(meta.received().len(), 2, "sent after the second failure's backoff");

    // One event Meta refuses (an email sent unhashed) among good ones: only it is dropped.
    let store_domain = domain(&shop.domain);
    let at = seglink::clock::unix_now().secs();
    let good = |id: &str| {
        json!({ "event_name": "ViewContent", "event_time": at, "event_id": id, "action_source": "website",
                "event_source_url": "https://seglink-demo-1.myshopify.com/", "user_data": { "client_user_agent": AGENT } })
        .to_string()
    };
    let bad =
        json!({ "event_name": "ViewContent", "event_time": at, "event_id": "bad", "action_source": "website",
                      "event_source_url": "https://seglink-demo-1.myshopify.com/",
                      "user_data": { "client_user_agent": AGENT, "em": ["ada@example.com"] } })
        .to_string();
    let rows = [("a", good("a")), ("bad", bad), ("c", good("c")), ("d", good("d"))];
    let rows: Vec<seglink::db::NewMetaEvent<'_>> = rows
        .iter()
        .map(|(id, event)| seglink::db::NewMetaEvent {
            event_name: "ViewContent",
            event_id: id,
            event_time: at,
            event: event.clone(),
        })
        .collect();
    fresh.store.add_meta_events(&store_domain, &rows).await.unwrap();
    seglink::meta::Forward::queue(&fresh.store, &store_domain, seglink::clock::unix_now()).await.unwrap();
    app.run_jobs().await;
    let ids: Vec<String> =
        meta.received().iter().map(|event| event["event_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["ev-1", "ev-2", "a", "c", "d"], "{}", fresh.name);
    let (_, view) = app.admin(&shop, "GET", "/api/meta", None).await;
    assert_eq!(view["health"]["dropped"], json!([{ "reason": "refused by Meta", "events": 1 }]), "{view}");
    assert!(view["health"]["last_error"].as_str().unwrap().contains("must be hashed"), "{view}");

    // Meta keeps failing: after eight sends the event is given up, and says why.
    meta.fail_next(500, 8);
    pixel(&app, &key, &shop.domain, true, vec![storefront("product_view", "ev-doomed")]).await;
    app.run_jobs_ahead(3_600).await;
    let (_, view) = app.admin(&shop, "GET", "/api/meta", None).await;
    let dropped = view["health"]["dropped"].as_array().unwrap();
    assert!(dropped.contains(&json!({ "reason": "failed 8 times", "events": 1 })), "{view}");
    assert_eq!(view["health"]["waiting"], 0);
    assert!(!meta.received().iter().any(|event| event["event_id"] == "ev-doomed"));
}
on_each_engine!(failures_are_retried_and_a_refused_event_is_dropped_alone);

async fn bad_settings_are_refused_at_their_field_and_a_wrong_token_loses_nothing(fresh: Fresh) {
    let (meta, origin) = stand_in().await;
    let (shop, app) = installed_with(fresh.store.clone(), 5, &[("SEGLINK_META_GRAPH_URL", &origin)]).await;
    let put = |body: Value| app.admin(&shop, "PUT", "/api/meta", Some(body));
    let (status, refusal) = put(json!({ "pixel_id": "12ab", "access_token": TOKEN, "enabled": true })).await;
    assert_eq!((status, refusal["path"].as_str()), (422, Some("/pixel_id")), "{refusal}");
    let (status, refusal) = put(json!({ "pixel_id": PIXEL, "enabled": true })).await;
    assert_eq!((status, refusal["path"].as_str()), (422, Some("/access_token")), "{refusal}");
    let (status, refusal) = put(json!({ "pixel_id": PIXEL, "access_token": "short", "enabled": true })).await;
    assert_eq!((status, refusal["path"].as_str()), (422, Some("/access_token")), "{refusal}");

    // A token Meta does not take: the events wait and the page says why.
    let wrong = "EAAGm0PX4ZCpsBAwrongtoken99";
    assert_eq!(put(json!({ "pixel_id": PIXEL, "access_token": wrong, "enabled": true })).await.0, 200);
    let (_, session) = app.open_admin(&shop).await;
    let key = session["workspace"]["public_key"].as_str().unwrap().to_owned();
    pixel(&app, &key, &shop.domain, true, vec![storefront("product_view", "ev-wait")]).await;
    app.run_jobs().await;
    let (_, view) = app.admin(&shop, "GET", "/api/meta", None).await;
    assert_eq!(view["health"]["waiting"], 1, "{}: {view}", fresh.name);
    assert!(view["health"]["last_error"].as_str().unwrap().contains("Invalid OAuth access token"), "{view}");

    // The right token, saved with the pixel id only changing nothing else: the event goes.
    assert_eq!(put(json!({ "pixel_id": PIXEL, "access_token": TOKEN, "enabled": true })).await.0, 200);
    app.run_jobs_ahead(60).await;
    assert_eq!(meta.received().len(), 1, "{}", fresh.name);
    let (status, view) = put(json!({ "pixel_id": PIXEL, "enabled": false })).await;
    assert_eq!(
        (status, view["token_saved"].as_bool()),
        (200, Some(true)),
        "an empty token keeps the saved one"
    );
}
on_each_engine!(bad_settings_are_refused_at_their_field_and_a_wrong_token_loses_nothing);
