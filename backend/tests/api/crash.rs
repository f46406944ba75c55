//! Kill -9 during a webhook burst: after a restart, every delivery that got its 200 is processed
//! exactly once, and every delivery Shopify retries (it got no 200) is processed too.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use seglink::db::JobState;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::{API_KEY, ENCRYPTION_KEY, Fresh, SCOPES, SECRET, on_each_engine};

const SHOP: &str = "crash-test.myshopify.com";
const DELIVERIES: usize = 600;
/// The server dies once this many deliveries have had their 200.
const KILL_AFTER: usize = 150;

/// Starts `seglink serve` on `database_url`; returns it with its address once it listens.
async fn start(database_url: &str) -> (Child, String) {
    start_with(database_url, &[]).await
}

/// `seglink serve` with `extra` environment variables too.
pub async fn start_with(database_url: &str, extra: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seglink"));
    command.env_clear().envs(extra.iter().copied());
    let mut child = command
        .arg("serve")
        .env("SHOPIFY_API_KEY", API_KEY)
        .env("SHOPIFY_API_SECRET", SECRET)
        .env("SCOPES", SCOPES)
        .env("SHOPIFY_APP_URL", "https://seglink.example")
        .env("PORT", "0")
        .env("DATABASE_URL", database_url)
        .env("SEGLINK_ENCRYPTION_KEY", ENCRYPTION_KEY)
        // Jobs the killed server held come back after this long.
        .env("SEGLINK_JOB_LEASE_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the seglink binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next_line().await.unwrap().expect("seglink says where it listens");
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        if entry["msg"] == "listening" {
            break entry["address"].as_str().expect("an address").to_owned();
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, format!("http://{address}"))
}

fn body(index: usize) -> String {
    json!({ "id": 1_000 + index, "name": format!("#{index}"), "total_price": "10.00", "customer": { "id": 7 },
        "updated_at": "2026-11-20T09:00:00Z", "line_items": [] })
    .to_string()
}

async fn send(client: &reqwest::Client, base: &str, index: usize) -> bool {
    let body = body(index);
    client
        .post(format!("{base}/webhooks"))
        .header("X-Shopify-Hmac-Sha256", shopify_sim::signing::webhook_hmac(SECRET, body.as_bytes()))
        .header("X-Shopify-Topic", "orders/paid")
        .header("X-Shopify-Shop-Domain", SHOP)
        .header("X-Shopify-API-Version", "2026-10")
        .header("X-Shopify-Webhook-Id", format!("w-{index}"))
        .header("X-Shopify-Event-Id", format!("event-{index}"))
        .body(body)
        .send()
        .await
        .is_ok_and(|response| response.status() == 200)
}

async fn no_acknowledged_delivery_is_lost_or_processed_twice_after_kill_9(fresh: Fresh) {
    let client = reqwest::Client::new();
    let (mut server, base) = start(&fresh.url).await;
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let mut burst = tokio::task::JoinSet::new();
    for lane in 0..8 {
        let (client, base, acknowledged, count) =
            (client.clone(), base.clone(), acknowledged.clone(), count.clone());
        burst.spawn(async move {
            for index in (lane..DELIVERIES).step_by(8) {
                if send(&client, &base, index).await {
                    acknowledged.lock().unwrap().insert(index);
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
    }
    while count.load(Ordering::SeqCst) < KILL_AFTER {
        tokio::task::yield_now().await;
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    while burst.join_next().await.is_some() {}
    let before_restart = acknowledged.lock().unwrap().clone();
    assert!(
        before_restart.len() >= KILL_AFTER && before_restart.len() < DELIVERIES,
        "{}: killed mid-burst",
        fresh.name
    );

    // Shopify retries what got no 200, and may redeliver some that did.
    let (_server, base) = start(&fresh.url).await;
    for index in 0..DELIVERIES {
        if !before_restart.contains(&index) || index % 10 == 0 {
            assert!(send(&client, &base, index).await, "redelivery {index}");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while fresh.store.job_count(None, JobState::Queued).await.unwrap()
        + fresh.store.job_count(None, JobState::Running).await.unwrap()
        > 0
    {
        assert!(Instant::now() < deadline, "{}: the workers finish", fresh.name);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = fresh.store.events(SHOP).await.unwrap();
    let ids: Vec<&str> = events.iter().map(|event| event.source_id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "{}: nothing processed twice", fresh.name);
    assert_eq!(unique.len(), DELIVERIES, "{}: nothing lost", fresh.name);
    assert_eq!(fresh.store.job_count(None, JobState::Dead).await.unwrap(), 0);
    assert_eq!(
        fresh.store.job_count(None, JobState::Done).await.unwrap(),
        DELIVERIES as i64,
        "one job per event"
    );
}
on_each_engine!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    no_acknowledged_delivery_is_lost_or_processed_twice_after_kill_9
);
