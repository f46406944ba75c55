//! Segment benchmarks (not tests): `benches/segments.py` runs them and writes docs/benchmarks.md.
//!
//!   cargo run --release -p seglink --example segments_bench -- recompute [CUSTOMERS] [EVENTS]
//!   cargo run --release -p seglink --example segments_bench -- push [DIFF] [NAIVE_SAMPLE]
//!
//! `recompute` fills a store (SQLite, or the PostgreSQL at SEGLINK_BENCH_DATABASE_URL) with
//! customers, three orders each on average, and events,
//! saves ten segments of every condition kind, and times full recomputes. `push` starts the
//! Shopify simulator on the Standard plan's limits, pushes a diff of DIFF entering customers, then
//! a small diff, and re-tags NAIVE_SAMPLE members with one call each as a naive push would; each
//! line reports the Admin API points the simulator charged and the time. Output: JSON lines.

use seglink::clock::UnixTime;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use seglink::app::{App, AppState};
use seglink::db::{SegmentRow, Store};
use seglink::shop_domain::ShopDomain;
use serde_json::json;

// As `seglink serve` allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common/simulated.rs"]
mod simulated;

const SHOP: &str = "bench-shop.myshopify.com";

fn shop() -> ShopDomain {
    ShopDomain::parse(SHOP).expect("the bench shop's domain")
}
const DAY: i64 = 86_400;

fn segment(slug: &str, rules: serde_json::Value, now: i64) -> SegmentRow {
    SegmentRow::new(slug, slug, rules.to_string(), UnixTime::from_secs(now))
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}

async fn open(name: &str, keep: bool) -> (Store, String) {
    // SEGLINK_BENCH_DATABASE_URL measures on that database (PostgreSQL) instead of a SQLite file.
    if let Ok(url) = std::env::var("SEGLINK_BENCH_DATABASE_URL") {
        return (Store::connect(&url).await.expect("the benchmark database opens"), url);
    }
    let file = std::env::temp_dir().join(format!("seglink_bench_{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        if !keep {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
    let url = format!("sqlite://{}", file.display());
    (Store::connect(&url).await.expect("the benchmark database opens"), url)
}

/// A raw connection beside the store's, for the fill and the clean slate.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    async fn open(url: &str) -> Self {
        if url.starts_with("postgres") {
            Self::Postgres(sqlx::PgPool::connect(url).await.expect("a second pool"))
        } else {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await.expect("a second pool"))
        }
    }

    async fn execute(&self, sql: &str) {
        match self {
            Self::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Self::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .unwrap_or_else(|error| panic!("{error}: {sql}"));
    }

    async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await,
        }
        .expect("a count")
    }

    /// `SELECT i FROM <this>` yields 1 to `count`.
    fn series(&self, count: u64) -> String {
        match self {
            Self::Sqlite(_) => format!(
                "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n) AS series"
            ),
            Self::Postgres(_) => format!("(SELECT generate_series(1, {count}::BIGINT) AS i) AS series"),
        }
    }
}

async fn recompute(customers: u64, events: u64) {
    // SEGLINK_BENCH_KEEP=1 measures again on the last run's data, skipping the fill.
    let keep = std::env::var("SEGLINK_BENCH_KEEP").is_ok_and(|value| value == "1");
    let (store, url) = open("recompute", keep).await;
    let raw = Raw::open(&url).await;
    let now = unix_now();
    let started = Instant::now();
    if raw.count("customers").await == 0 {
        fill(&raw, customers, events, now).await;
    }
    // Kept data starts without members, so the first run is again one where everyone enters.
    for table in ["segment_members", "segment_changes", "segments"] {
        raw.execute(&format!("DELETE FROM {table}")).await;
    }
    // What is timed starts from a settled database, as a store's usual day does, not in the wake
    // of gigabytes just written: PostgreSQL's statistics and visibility map are current, and
    // SQLite's log has been copied back (otherwise its checkpoint runs beside the previews).
    match raw {
        Raw::Postgres(_) => raw.execute("VACUUM ANALYZE").await,
        Raw::Sqlite(_) => raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").await,
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
    for (slug, rule) in &rules {
        store.create_segment(&shop(), &segment(slug, rule.clone(), now)).await.expect("a segment");
    }
    let app = AppState(std::sync::Arc::new(App::new(simulated::config(&url, None, &[]), store)));
    // A preview answers from a sample of about SEGLINK_INLINE_EVALUATION_CUSTOMERS customers.
    let largest_exact = seglink::config::INLINE_EVALUATION_CUSTOMERS;
    for (slug, rule) in &rules {
        let rule = segment_rules::parse(rule).expect("the bench's rules parse");
        let started = Instant::now();
        let counted = seglink::segments::preview(
            &app.store,
            &shop(),
            &rule,
            5,
            largest_exact,
            UnixTime::from_secs(now),
        )
        .await
        .expect("a preview");
        println!(
            "{}",
            json!({ "bench": "preview", "segment": slug, "customers": customers, "count": counted.count,
                "estimated": counted.estimated, "evaluated": counted.evaluated,
                "seconds": started.elapsed().as_secs_f64() })
        );
    }
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

/// Customers, three orders each on average, and events: made by the database itself from a
/// series, so a million customers take seconds to make rather than a round trip each. The
/// same statements run on both engines; every "random" choice is a multiplicative hash of the
/// row's number, so every run measures the same shop.
async fn fill(raw: &Raw, customers: u64, events: u64, now: i64) {
    // Two rounds of multiplicative hashing (Knuth's 2654435761 and others, each below 2^63 when
    // multiplied), a different multiplier per column so that columns do not follow each other,
    // scaled to 0..n.
    let pick = |salt: u64, n: u64| {
        let first = format!("((i * {} + {}) % 4294967296)", 2_654_435_761 + 2 * salt * 7_919, salt * 40_503);
        format!("((({first} * 1597334677 + {first} / 65536) % 4294967296) * {n} / 4294967296)")
    };
    let one_of = |salt: u64, choices: &[&str]| {
        let arms: String = choices
            .iter()
            .enumerate()
            .map(|(index, choice)| format!(" WHEN {index} THEN '{choice}'"))
            .collect();
        format!("CASE {}{arms} END", pick(salt, choices.len() as u64))
    };
    let day = DAY as u64;
    raw.execute(&format!(
        "INSERT INTO customers (shop, customer_id, country, tags, marketing_state, created_at, updated_at)
         SELECT '{SHOP}', CAST(i AS TEXT), {}, {}, {}, {now} - {} * {DAY}, {now} FROM {}",
        one_of(1, &["US", "CA", "GB", "DE", "AU", "FR", "NL", "SE", "JP", "IE"]),
        one_of(2, &["", "vip", "wholesale", "vip, wholesale", "newsletter"]),
        one_of(3, &["SUBSCRIBED", "UNSUBSCRIBED", "NOT_SUBSCRIBED"]),
        pick(4, 720),
        raw.series(customers),
    ))
    .await;
    let cents = pick(5, 50_000);
    raw.execute(&format!(
        "INSERT INTO orders (shop, order_id, customer_id, total_price, currency, created_at, updated_at)
         SELECT '{SHOP}', CAST(i AS TEXT), CAST(1 + {} AS TEXT),
                CAST((500 + {cents}) / 100 AS TEXT) || '.' || CASE WHEN (500 + {cents}) % 100 < 10 THEN '0' ELSE '' END
                    || CAST((500 + {cents}) % 100 AS TEXT),
                'USD', {now} - {} * {DAY}, {now} - {} * {DAY}
         FROM {}",
        pick(6, customers),
        pick(7, 180),
        pick(7, 180),
        raw.series(customers * 3),
    ))
    .await;
    let product = pick(11, 500);
    raw.execute(&format!(
        "INSERT INTO events (shop, kind, source, source_id, customer_id, occurred_at, properties, subjects)
         SELECT '{SHOP}', {}, 'pixel', 'e' || CAST(i AS TEXT), CAST(1 + {} AS TEXT), {now} - {},
                '{{\"product_id\":\"' || CAST(1 + {product} AS TEXT) || '\"}}',
                {subjects}
         FROM {}",
        one_of(8, &["page_view", "product_view", "add_to_cart", "checkout_start", "purchase", "search"]),
        pick(9, customers),
        pick(10, 90 * day),
        raw.series(events),
        // As `Store::record_event` writes them: on PostgreSQL only.
        subjects = match raw {
            Raw::Postgres(_) => format!("'{{\"products\":[\"' || CAST(1 + {product} AS TEXT) || '\"]}}'"),
            Raw::Sqlite(_) => "NULL".to_owned(),
        },
    ))
    .await;
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
