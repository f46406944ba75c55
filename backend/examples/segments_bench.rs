//! Segment benchmarks (not tests): `benches/segments.py` runs them and writes docs/benchmarks.md.
//!
//!   cargo run --release -p seglink --example segments_bench -- recompute [CUSTOMERS] [EVENTS]
//!   cargo run --release -p seglink --example segments_bench -- push [DIFF] [NAIVE_SAMPLE]
//!
//! `recompute` fills a SQLite store with customers, three orders each on average, and events,
//! saves ten segments of every condition kind, and times full recomputes. `push` starts the
//! Shopify simulator on the Standard plan's limits, pushes a diff of DIFF entering customers, then
//! a small diff, and re-tags NAIVE_SAMPLE members with one call each as a naive push would; each
//! line reports the Admin API points the simulator charged and the time. Output: JSON lines.

use seglink::clock::UnixTime;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use seglink::app::{App, AppState};
use seglink::db::{EventRow, SegmentRow, Store};
use seglink::shop_domain::ShopDomain;
use serde_json::json;

#[path = "common/simulated.rs"]
mod simulated;

const SHOP: &str = "bench-shop.myshopify.com";

fn shop() -> ShopDomain {
    ShopDomain::parse(SHOP).expect("the bench shop's domain")
}
const DAY: i64 = 86_400;

/// A small deterministic generator (xorshift), so every run measures the same shop.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

fn segment(slug: &str, rules: serde_json::Value, now: i64) -> SegmentRow {
    SegmentRow::new(slug, slug, rules.to_string(), UnixTime::from_secs(now))
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}

async fn open(name: &str, keep: bool) -> (Store, String) {
    let file = std::env::temp_dir().join(format!("seglink_bench_{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        if !keep {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
    let url = format!("sqlite://{}", file.display());
    (Store::connect(&url).await.expect("the benchmark database opens"), url)
}

async fn recompute(customers: u64, events: u64) {
    // SEGLINK_BENCH_KEEP=1 measures again on the last run's data, skipping the fill.
    let keep = std::env::var("SEGLINK_BENCH_KEEP").is_ok_and(|value| value == "1");
    let (store, url) = open("recompute", keep).await;
    let now = unix_now();
    let started = Instant::now();
    let pool = sqlx::SqlitePool::connect(&url).await.expect("a second pool for the fill");
    let filled_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(&pool).await.expect("a count");
    if filled_before == 0 {
        fill(&store, &pool, customers, events, now).await;
    }
    // Kept data starts without members, so the first run is again one where everyone enters.
    for table in ["segment_members", "segment_changes"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&pool).await.expect("a clean slate");
    }
    let filled = started.elapsed();
    let rules = [
        ("lifetime-1000", json!({ "if": "amount_spent", "op": ">=", "cents": 100_000 })),
        ("spent-500-90d", json!({ "if": "amount_spent", "op": ">", "cents": 50_000, "days": 90 })),
        ("five-orders", json!({ "if": "orders_count", "op": ">=", "value": 5 })),
        (
            "eu-subscribers",
            json!({ "all": [{ "if": "country", "in": ["DE", "FR"] }, { "if": "email_marketing", "is": "SUBSCRIBED" }] }),
        ),
        ("vip", json!({ "if": "tag", "is": "vip" })),
        ("browsers", json!({ "if": "did", "event": "product_view", "times": 5, "days": 30 })),
        (
            "abandoners",
            json!({ "all": [{ "if": "did", "event": "add_to_cart", "times": 2, "days": 7 }, { "if": "orders_count", "op": "<=", "value": 1, "days": 30 }] }),
        ),
        (
            "product-42",
            json!({ "if": "did", "event": "product_view", "product_id": "42", "times": 1, "days": 90 }),
        ),
        (
            "recent-us-or-wholesale",
            json!({ "all": [{ "if": "last_order_within_days", "days": 30 }, { "any": [{ "if": "tag", "is": "wholesale" }, { "if": "country", "in": ["US"] }] }] }),
        ),
        (
            "new-buyers",
            json!({ "all": [{ "if": "created_within_days", "days": 365 }, { "if": "did", "event": "purchase", "times": 1, "days": 90 }] }),
        ),
    ];
    for (slug, rule) in rules {
        // Kept data keeps its segments; a fresh store gets them.
        store.create_segment(&shop(), &segment(slug, rule, now)).await.expect("a segment");
    }
    let app = AppState(std::sync::Arc::new(App::new(simulated::config(&url, None, &[]), store)));
    for run in ["first (every member enters)", "again (nothing changes)"] {
        let started = Instant::now();
        let report = seglink::segments::recompute(&app.store, &shop(), None, UnixTime::from_secs(unix_now()))
            .await
            .expect("a recompute");
        let members: usize = report.iter().map(|line| line.members).sum();
        let entered: usize = report.iter().map(|line| line.entered).sum();
        println!(
            "{}",
            json!({ "bench": "recompute", "run": run, "customers": customers, "events": events, "orders": customers * 3,
                "segments": report.len(), "memberships": members, "entered": entered,
                "seconds": started.elapsed().as_secs_f64(), "fill_seconds": filled.as_secs_f64() })
        );
    }
}

/// Customers, three orders each on average, and events, all deterministic.
async fn fill(store: &Store, pool: &sqlx::SqlitePool, customers: u64, events: u64, now: i64) {
    let mut random = Random(0x5eed_1234_abcd);
    let countries = ["US", "CA", "GB", "DE", "AU", "FR", "NL", "SE", "JP", "IE"];
    let states = ["SUBSCRIBED", "UNSUBSCRIBED", "NOT_SUBSCRIBED"];
    let tags = ["", "vip", "wholesale", "vip, wholesale", "newsletter"];
    let mut fill = pool.begin().await.expect("a transaction");
    for id in 1..=customers {
        sqlx::query(
            "INSERT INTO customers (shop, customer_id, country, tags, marketing_state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(SHOP)
        .bind(id.to_string())
        .bind(countries[random.below(10) as usize])
        .bind(tags[random.below(5) as usize])
        .bind(states[random.below(3) as usize])
        .bind(now - random.below(720) as i64 * DAY)
        .bind(now)
        .execute(&mut *fill)
        .await
        .expect("a customer");
    }
    for id in 1..=customers * 3 {
        let cents = 500 + random.below(50_000);
        sqlx::query(
            "INSERT INTO orders (shop, order_id, customer_id, total_price, currency, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'USD', $5, $5)",
        )
        .bind(SHOP)
        .bind(id.to_string())
        .bind((1 + random.below(customers)).to_string())
        .bind(format!("{}.{:02}", cents / 100, cents % 100))
        .bind(now - random.below(180) as i64 * DAY)
        .execute(&mut *fill)
        .await
        .expect("an order");
    }
    fill.commit().await.expect("the fill commits");
    let kinds = ["page_view", "product_view", "add_to_cart", "checkout_start", "purchase", "search"];
    let mut batch = Vec::with_capacity(3_000);
    for id in 0..events {
        batch.push(EventRow {
            kind: kinds[random.below(6) as usize].to_owned(),
            source: "pixel".to_owned(),
            source_id: format!("e{id}"),
            customer_id: Some((1 + random.below(customers)).to_string()),
            order_id: None,
            occurred_at: UnixTime::from_secs(now - random.below(90 * DAY as u64) as i64),
            properties: json!({ "product_id": (1 + random.below(500)).to_string() }).to_string(),
            client_id: None,
        });
        if batch.len() == 3_000 || id + 1 == events {
            let shop = shop();
            let rows: Vec<(&ShopDomain, &EventRow)> = batch.iter().map(|event| (&shop, event)).collect();
            store.record_events(&rows).await.expect("events");
            batch.clear();
        }
    }
}

async fn push(diff: usize, naive_sample: usize) {
    use shopify_sim::{Plan, SeedOptions, seed_shop};

    let now = unix_now();
    let options = SeedOptions {
        customers: diff + 200,
        products: 1,
        orders: 0,
        now: now as u64,
        ..SeedOptions::default()
    };
    let shop = seed_shop(&options);
    let domain = ShopDomain::parse(&shop.domain).expect("a shop domain");
    let ids: Vec<String> = shop.customers.iter().map(|customer| customer.id.to_string()).collect();
    let served = simulated::serve_shop(shop, Plan::Standard, &["read_customers", "write_customers"]).await;
    let sim = &served.sim;

    let (store, url) = open("push", false).await;
    let app = AppState(std::sync::Arc::new(App::new(
        simulated::config(&url, Some(&served.origin), &[]),
        store.clone(),
    )));
    simulated::connect(
        &app,
        &domain,
        &served.token,
        "read_customers,write_customers",
        UnixTime::from_secs(now),
    )
    .await;
    store
        .create_segment(&domain, &segment("bench", json!({ "if": "tag", "is": "x" }), now))
        .await
        .expect("segment");

    let spent = || {
        sim.with_admin(|admin| (admin.calls().len(), admin.calls().iter().map(|call| call.cost).sum::<u64>()))
    };
    let measure = |label: &str, changes: usize, before: (usize, u64), started: Instant| {
        let (calls, points) = spent();
        let (calls, points) = (calls - before.0, points - before.1);
        println!(
            "{}",
            json!({ "bench": "push", "run": label, "changes": changes, "calls": calls, "points": points,
                "points_per_change": points as f64 / changes as f64, "seconds": started.elapsed().as_secs_f64() })
        );
    };
    let drain = |app: AppState, domain: ShopDomain| async move {
        loop {
            seglink::jobs::drain_ahead(&app, 5).await;
            let state = app.store.push_state(&domain, "bench").await.ok().flatten();
            if state.is_some_and(|state| state.state == seglink::db::PushState::Done && state.bulk.is_none())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };

    // Seglink: DIFF customers enter; one bulk mutation carries them.
    let entering: Vec<String> = ids[..diff].to_vec();
    store
        .apply_membership(&domain, "bench", &entering, &[], UnixTime::from_secs(now), false)
        .await
        .expect("members");
    let before = spent();
    let started = Instant::now();
    seglink::segments::push::push_now(&app, &domain, "bench", UnixTime::from_secs(now))
        .await
        .expect("queued");
    drain(app.clone(), domain.clone()).await;
    measure("Seglink: bulk mutation", diff, before, started);

    // Seglink: a small diff (100 leave, under the bulk threshold): one call per change.
    let leaving: Vec<String> = ids[..100].to_vec();
    store
        .apply_membership(&domain, "bench", &[], &leaving, UnixTime::from_secs(now), false)
        .await
        .expect("members");
    let before = spent();
    let started = Instant::now();
    seglink::segments::push::push_now(&app, &domain, "bench", UnixTime::from_secs(now))
        .await
        .expect("queued");
    drain(app.clone(), domain.clone()).await;
    measure("Seglink: per-customer calls (diff of 100)", 100, before, started);

    // Naive: every member re-tagged with one call each, changed or not.
    let before = spent();
    let started = Instant::now();
    for id in &ids[..naive_sample] {
        let variables = seglink::shopify::operations::add_tags::Variables {
            id: format!("gid://shopify/Customer/{id}"),
            tags: vec!["seglink:bench".to_owned()],
        };
        app.shopify
            .run_repeatable::<seglink::shopify::operations::AddTags>(&domain, variables)
            .await
            .expect("a naive call");
    }
    measure("naive: one call per member", naive_sample, before, started);
}

#[tokio::main]
async fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: u64| -> u64 {
        arguments.get(index).and_then(|text| text.parse().ok()).unwrap_or(default)
    };
    match arguments.first().map(String::as_str) {
        Some("recompute") => recompute(number(1, 100_000), number(2, 1_000_000)).await,
        Some("push") => push(number(1, 10_000) as usize, number(2, 1_000) as usize).await,
        _ => {
            eprintln!("usage: segments_bench recompute [CUSTOMERS] [EVENTS] | push [DIFF] [NAIVE_SAMPLE]");
            std::process::exit(2);
        }
    }
}
