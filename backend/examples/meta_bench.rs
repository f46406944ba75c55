//! Meta forwarding throughput (not a test); docs/benchmarks.md gives the figures and this command:
//!
//!   cargo run --release -p seglink --example meta_bench -- [EVENTS] [DATABASE_URL]
//!
//! EVENTS storefront events (product views, adds to cart, checkouts) wait in one shop's outbox,
//! as the pixel path leaves them; the forwarding job sends them to the local stand-in for the
//! Conversions API (which checks every event as Meta documents) over HTTP, 500 a request. Prints
//! the events forwarded per second and the requests made, as JSON, then the same stand-in fed the
//! naive way (one request per event, as it happens) for comparison. DATABASE_URL defaults to a
//! fresh SQLite file; a `postgres://` URL measures PostgreSQL.

use std::time::Instant;

use seglink::app::{App, AppState};
use seglink::clock::unix_now;
use seglink::db::{MetaSettings, NewMetaEvent, Store};
use seglink::shop_domain::ShopDomain;
use serde_json::json;
use shopify_sim::meta::ConversionsApi;

#[path = "common/simulated.rs"]
#[allow(dead_code, reason = "the benchmarks share this file; this one uses its configuration only")]
mod simulated;

const PIXEL: &str = "1234567890";
const TOKEN: &str = "EAAGm0PX4ZCpsBAbenchmarkToken";

#[tokio::main]
async fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let events: usize = arguments.first().and_then(|text| text.parse().ok()).unwrap_or(100_000);
    let directory = std::env::temp_dir().join(format!("seglink-meta-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("a temporary directory");
    let sqlite = format!("sqlite://{}", directory.join("bench.db").display());
    let database_url = arguments.get(1).cloned().unwrap_or(sqlite);

    let meta = ConversionsApi::new(PIXEL, TOKEN);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let graph = format!("http://{}", listener.local_addr().expect("an address"));
    let router = meta.router();
    tokio::spawn(async move { axum::serve(listener, router).await });

    let store = Store::connect(&database_url).await.expect("the database");
    let config = simulated::config(&database_url, None, &[("SEGLINK_META_GRAPH_URL", &graph)]);
    let app = AppState(std::sync::Arc::new(App::new(config, store.clone())));
    let shop = ShopDomain::parse("meta-bench.myshopify.com").expect("a shop");
    let now = unix_now();
    seglink::install::workspace::create(&store, &shop, now).await.expect("a workspace");
    let settings = MetaSettings {
        pixel_id: PIXEL.to_owned(),
        sealed_token: app.keys.seal(TOKEN, shop.as_str()),
        test_event_code: None,
        enabled: true,
        updated_at: now,
    };
    store.save_meta_settings(&shop, &settings).await.expect("settings");

    let names = ["ViewContent", "AddToCart", "InitiateCheckout"];
    let ids: Vec<String> = (0..events).map(|index| format!("sh-{index:09}")).collect();
    let bodies: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            json!({
                "event_name": names[index % 3], "event_time": now.secs(), "event_id": id, "action_source": "website",
                "event_source_url": "https://meta-bench.myshopify.com/products/mug",
                "user_data": { "client_user_agent": "Mozilla/5.0", "client_ip_address": "198.51.100.4", "fbp": "fb.1.1.2" },
                "custom_data": { "value": 19.9, "currency": "USD", "content_ids": ["7"], "content_type": "product" },
            })
            .to_string()
        })
        .collect();
    for chunk in (0..events).collect::<Vec<_>>().chunks(2_000) {
        let rows: Vec<NewMetaEvent<'_>> = chunk
            .iter()
            .map(|&index| NewMetaEvent {
                event_name: names[index % 3],
                event_id: &ids[index],
                event_time: now.secs(),
                event: bodies[index].clone(),
            })
            .collect();
        store.add_meta_events(&shop, &rows).await.expect("the outbox");
    }

    seglink::meta::Forward::queue(&store, &shop, now).await.expect("a job");
    let started = Instant::now();
    seglink::jobs::drain(&app).await;
    let elapsed = started.elapsed();
    let received = meta.received().len();
    assert_eq!(received, events, "every event reached the stand-in");
    println!(
        "{}",
        json!({
            "bench": "meta_forwarding",
            "database": if database_url.starts_with("postgres") { "postgres" } else { "sqlite" },
            "events": events,
            "requests": meta.requests(),
            "seconds": elapsed.as_secs_f64(),
            "events_per_second": (events as f64 / elapsed.as_secs_f64()).round(),
        })
    );
    // The naive peer: each event posted on its own as it happens, to the same stand-in.
    let client = reqwest::Client::new();
    let url = format!("{graph}/{}/{PIXEL}/events", seglink::meta::GRAPH_VERSION);
    let naive = events.min(5_000);
    let started = Instant::now();
    for body in bodies.iter().take(naive) {
        let event: serde_json::Value = serde_json::from_str(body).expect("an event");
        let request = json!({ "data": [event], "access_token": TOKEN });
        let answer = client.post(&url).json(&request).send().await.expect("the stand-in");
        assert!(answer.status().is_success());
    }
    let elapsed = started.elapsed();
    println!(
        "{}",
        json!({
            "bench": "meta_one_request_per_event",
            "events": naive,
            "seconds": elapsed.as_secs_f64(),
            "events_per_second": (naive as f64 / elapsed.as_secs_f64()).round(),
        })
    );
    let _ = std::fs::remove_dir_all(&directory);
}
