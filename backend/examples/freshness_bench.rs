//! Freshness benchmark (not a test): how long a merchant waits for a segment's tag.
//!
//!   cargo run --release -p seglink --example freshness_bench -- [ORDERS] [RATE] [PIXEL_CUSTOMERS] [FLOW]
//!
//! The simulator (Shopify Plus's rate limits) places ORDERS first orders of new customers among
//! other traffic: each round places one qualifying order (`orders/create`, `orders/paid`), one
//! order of a customer who already bought, and a product edit, and sends whatever the simulator
//! has to deliver (the `customers/update` Shopify sends when a tag changes among it), RATE
//! webhooks a second in all, to `seglink serve` on SQLite with its two workers in the process.
//! Measured: from the 200 answering each qualifying `orders/paid` to `seglink:buyers` on the
//! customer in the simulator. Then PIXEL_CUSTOMERS known shoppers each view a product: from the
//! pixel request's 200 to `seglink:browsers`. With FLOW 1, the shop also has a Flow workflow on
//! "Customer entered a Seglink segment" (turned on through the lifecycle callback), and the wait
//! from each qualifying `orders/paid` 200 to Flow receiving its trigger is measured too (the
//! triggers share the shop's rate limit with the tags). Output: one JSON line per measure.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use seglink::app::{App, AppState};
use seglink::clock::UnixTime;
use seglink::db::{CustomerRow, SegmentRow, Store};
use seglink::shop_domain::ShopDomain;
use seglink::startup::Application;
use serde_json::json;
use shopify_sim::server::Simulator;
use shopify_sim::{Plan, SeedOptions, seed_shop};

#[path = "common/simulated.rs"]
mod simulated;

const SCOPES: &[&str] = &["read_customers", "write_customers", "read_orders", "read_products"];
/// How long the last tag may take before the run is called failed.
const SETTLE: Duration = Duration::from_secs(120);

fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// Customers waiting for a tag, with when their trigger was acknowledged; and the waits seen.
#[derive(Default)]
struct Watch {
    waiting: HashMap<u64, Instant>,
    waits: Vec<Duration>,
}

/// Polls the simulator's customers every 2 ms and files each wait as its tag appears.
fn watch_tags(sim: Simulator, tag: &'static str, watch: Arc<Mutex<Watch>>) -> tokio::task::JoinHandle<()> {
    let positions: HashMap<u64, usize> = sim.with_admin(|admin| {
        admin.shop().customers.iter().enumerate().map(|(index, customer)| (customer.id, index)).collect()
    });
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let waiting: Vec<u64> = watch.lock().expect("the watch").waiting.keys().copied().collect();
            if waiting.is_empty() {
                continue;
            }
            let tagged: Vec<u64> = sim.with_admin(|admin| {
                let shop = admin.shop();
                waiting
                    .into_iter()
                    .filter(|id| shop.customers[positions[id]].tags.iter().any(|held| held == tag))
                    .collect()
            });
            let seen = Instant::now();
            let mut watch = watch.lock().expect("the watch");
            for id in tagged {
                if let Some(acknowledged) = watch.waiting.remove(&id) {
                    watch.waits.push(seen - acknowledged);
                }
            }
        }
    })
}

/// Files each wait as Flow receives a `segment-entered` trigger for a waiting customer. A trigger
/// may arrive before its 200 is filed (the workers are in the process): arrivals are kept until
/// then, and such a wait counts as zero.
fn watch_flow(sim: Simulator, watch: Arc<Mutex<Watch>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = 0;
        let mut arrived: HashMap<u64, Instant> = HashMap::new();
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let now = Instant::now();
            sim.with_admin(|admin| {
                let received = admin.flow_mut().received();
                for (handle, payload) in &received[seen..] {
                    if let Some(id) = payload["customer_id"].as_u64()
                        && handle == "segment-entered"
                        && payload["Segment slug"] == "buyers"
                    {
                        arrived.insert(id, now);
                    }
                }
                seen = received.len();
            });
            let mut watch = watch.lock().expect("the watch");
            let matched: Vec<u64> =
                watch.waiting.keys().filter(|id| arrived.contains_key(id)).copied().collect();
            for id in matched {
                if let (Some(acknowledged), Some(at)) = (watch.waiting.remove(&id), arrived.remove(&id)) {
                    watch.waits.push(at.saturating_duration_since(acknowledged));
                }
            }
        }
    })
}

/// Waits until nothing is waiting, or `SETTLE` passes; the waits, sorted, and how many never came.
async fn settle(watch: &Arc<Mutex<Watch>>) -> (Vec<Duration>, usize) {
    let started = Instant::now();
    loop {
        let left = watch.lock().expect("the watch").waiting.len();
        if left == 0 || started.elapsed() > SETTLE {
            let mut watch = watch.lock().expect("the watch");
            let mut waits = std::mem::take(&mut watch.waits);
            waits.sort_unstable();
            return (waits, left);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn report(measure: &str, waits: &[Duration], missing: usize, extra: serde_json::Value) {
    let at = |quantile: f64| -> f64 {
        waits
            .get(((waits.len() as f64 * quantile).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |wait| wait.as_secs_f64() * 1000.0)
    };
    let mut line = json!({
        "bench": "freshness", "measure": measure, "count": waits.len(), "missing": missing,
        "p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": at(1.0),
    });
    if let (Some(line), Some(extra)) = (line.as_object_mut(), extra.as_object()) {
        line.extend(extra.clone());
    }
    println!("{line}");
}

#[tokio::main]
async fn main() {
    let arguments: Vec<u64> = std::env::args().skip(1).filter_map(|text| text.parse().ok()).collect();
    let orders = arguments.first().copied().unwrap_or(10_000) as usize;
    let rate = arguments.get(1).copied().unwrap_or(500);
    let pixel_customers = arguments.get(2).copied().unwrap_or(1_000) as usize;
    let flow = arguments.get(3).copied().unwrap_or(0) == 1;
    let now = since_epoch();
    let shop = seed_shop(&SeedOptions {
        customers: orders + pixel_customers,
        products: 20,
        orders: 0,
        now: now.as_secs(),
        ..SeedOptions::default()
    });
    let domain = ShopDomain::parse(&shop.domain).expect("a shop domain");
    let customers: Vec<u64> = shop.customers.iter().map(|customer| customer.id).collect();
    let variants: Vec<u64> = shop.products.iter().map(|product| product.variants[0].id).collect();
    let products: Vec<u64> = shop.products.iter().map(|product| product.id).collect();
    let rows: Vec<CustomerRow> = shop.customers.iter().map(|customer| customer_row(customer, now)).collect();
    let served = simulated::serve_shop(shop, Plan::Plus, SCOPES).await;
    let sim = served.sim.clone();

    let file = std::env::temp_dir().join("seglink_bench_freshness.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await.expect("the benchmark database opens");
    let config = simulated::config(&url, Some(&served.origin), &[]);
    let setup = AppState(Arc::new(App::new(config.clone(), store.clone())));
    let at = UnixTime::from_secs(now.as_secs() as i64);
    let workspace = simulated::connect(&setup, &domain, &served.token, &SCOPES.join(","), at).await;
    for row in &rows {
        store.upsert_customer(&domain, row).await.expect("a customer");
    }
    let buyers = json!({ "if": "orders_count", "op": ">=", "value": 1 });
    let browsers = json!({ "if": "did", "event": "product_view", "times": 1, "days": 30 });
    for (slug, rule) in [("buyers", buyers), ("browsers", browsers)] {
        store
            .create_segment(&domain, &SegmentRow::new(slug, slug, rule.to_string(), at))
            .await
            .expect("a segment");
    }
    let application = Application::build(config).await.expect("seglink starts");
    let endpoint = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    sim.with_admin(|admin| {
        for topic in ["orders/create", "orders/paid", "products/update", "customers/update"] {
            admin.webhooks_mut().subscribe(topic, &format!("{endpoint}/webhooks")).expect("a subscription");
        }
    });
    if flow {
        sim.with_admin(|admin| {
            let flow = admin.flow_mut();
            flow.deploy_trigger(shopify_sim::flow::TriggerDefinition {
                handle: "segment-entered".to_owned(),
                name: "Customer entered a Seglink segment".to_owned(),
                references: vec!["customer_id".to_owned()],
                fields: vec!["Segment slug".to_owned(), "Segment name".to_owned()],
            });
            flow.set_lifecycle_url(&format!("{endpoint}/flow/lifecycle"));
            flow.add_workflow("segment-entered", since_epoch());
        });
        assert_eq!(sim.deliver_flow_callbacks().await, vec![Some(200)], "the workflow is turned on");
    }

    let (first_buyers, shoppers) = customers.split_at(orders);
    let client = reqwest::Client::new();
    let watch = Arc::new(Mutex::new(Watch::default()));
    let watcher = watch_tags(sim.clone(), "seglink:buyers", watch.clone());
    let triggers = Arc::new(Mutex::new(Watch::default()));
    let trigger_watcher = watch_flow(sim.clone(), triggers.clone());
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Five webhooks a round are the orders' and the edit's; the simulator adds about one
    // `customers/update` a tag.
    let mut rounds = tokio::time::interval(Duration::from_secs_f64(6.0 / rate as f64));
    let started = Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for (round, buyer) in first_buyers.iter().enumerate() {
        rounds.tick().await;
        let due = sim.with_admin(|admin| {
            let now = since_epoch();
            let variant = variants[round % variants.len()];
            admin.place_order(Some(*buyer), &[(variant, 1)], now).expect("a first order");
            if round > 0 {
                admin
                    .place_order(Some(first_buyers[round / 2]), &[(variant, 2)], now)
                    .expect("a repeat order");
            }
            let product = products[round % products.len()];
            admin.update_product(product, Some(&format!("Edition {round}")), None, now).expect("an edit");
            let mut due = Vec::new();
            admin.webhooks_mut().take_due(now, &mut due);
            due
        });
        for delivery in due {
            let qualifying = delivery.header("X-Shopify-Topic") == Some("orders/paid")
                && serde_json::from_slice::<serde_json::Value>(&delivery.body)
                    .is_ok_and(|order| order["customer"]["id"].as_u64() == Some(*buyer));
            let (client, watch, triggers, errors, sent, buyer) =
                (client.clone(), watch.clone(), triggers.clone(), errors.clone(), sent.clone(), *buyer);
            requests.spawn(async move {
                let mut request = client.post(&delivery.uri).body(delivery.body.clone());
                for (name, value) in &delivery.headers {
                    request = request.header(name, value);
                }
                let answered = request.send().await.map(|response| response.status().as_u16());
                sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                match answered {
                    Ok(200) if qualifying => {
                        let acknowledged = Instant::now();
                        watch.lock().expect("the watch").waiting.insert(buyer, acknowledged);
                        if flow {
                            triggers.lock().expect("the watch").waiting.insert(buyer, acknowledged);
                        }
                    }
                    Ok(200) => {}
                    _ => {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    }
    let sending = started.elapsed();
    while requests.join_next().await.is_some() {}
    let (waits, missing) = settle(&watch).await;
    let webhooks = sent.load(std::sync::atomic::Ordering::Relaxed);
    report(
        "orders/paid 200 to seglink:buyers in Shopify",
        &waits,
        missing,
        json!({ "webhooks": webhooks, "webhooks_per_second": webhooks as f64 / sending.as_secs_f64(),
                "errors": errors.load(std::sync::atomic::Ordering::Relaxed), "plan": "Plus" }),
    );
    watcher.abort();
    if flow {
        let (waits, missing) = settle(&triggers).await;
        report(
            "orders/paid 200 to flowTriggerReceive (Customer entered a Seglink segment)",
            &waits,
            missing,
            json!({}),
        );
    }
    trigger_watcher.abort();

    // Known shoppers browse: each client is linked to its customer, as a past checkout does.
    let watch = Arc::new(Mutex::new(Watch::default()));
    let watcher = watch_tags(sim.clone(), "seglink:browsers", watch.clone());
    for shopper in shoppers {
        store
            .link_client(&domain, &format!("client-{shopper}"), &shopper.to_string(), at)
            .await
            .expect("a link");
    }
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut views = tokio::time::interval(Duration::from_millis(10));
    for (index, shopper) in shoppers.iter().enumerate() {
        views.tick().await;
        let occurred_at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .expect("a time");
        let body = json!({
            "key": workspace.public_key, "shop": domain.as_str(), "normalized": true,
            "events": [{ "kind": "product_view", "id": format!("view-{index}"), "occurred_at": occurred_at,
                         "client_id": format!("client-{shopper}"), "url": "https://example.com/products/mug",
                         "product_id": products[index % products.len()].to_string() }],
        });
        let (client, watch, endpoint, shopper, refused) =
            (client.clone(), watch.clone(), endpoint.clone(), *shopper, refused.clone());
        requests.spawn(async move {
            let answer = client
                .post(format!("{endpoint}/v1/pixel/events"))
                .header("Content-Type", "text/plain")
                .header("X-Forwarded-For", format!("10.0.{}.{}", index / 250 % 250, index % 250))
                .body(body.to_string())
                .send()
                .await;
            match answer {
                Ok(response) if response.status() == 200 => {
                    watch.lock().expect("the watch").waiting.insert(shopper, Instant::now());
                }
                answer => {
                    eprintln!("pixel request refused: {answer:?}");
                    refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
    }
    while requests.join_next().await.is_some() {}
    let (waits, missing) = settle(&watch).await;
    report(
        "pixel product_view 200 to seglink:browsers in Shopify",
        &waits,
        missing,
        json!({ "views_per_second": 100, "errors": refused.load(std::sync::atomic::Ordering::Relaxed) }),
    );
    watcher.abort();
}

fn customer_row(customer: &shopify_sim::shop::Customer, now: Duration) -> CustomerRow {
    // A day old, so the webhooks' newer versions are kept.
    let updated_at = UnixTime::from_secs(now.as_secs() as i64 - 86_400);
    CustomerRow {
        customer_id: customer.id.to_string(),
        email: Some(customer.email.clone()),
        first_name: Some(customer.first_name.clone()),
        last_name: Some(customer.last_name.clone()),
        phone: None,
        country: Some(customer.country_code.clone()),
        tags: customer.tags.join(", "),
        marketing_state: Some(
            if customer.accepts_marketing { "SUBSCRIBED" } else { "NOT_SUBSCRIBED" }.to_owned(),
        ),
        created_at: Some(UnixTime::from_secs(customer.created_at as i64)),
        updated_at,
    }
}
