//! Kill -9 during a webhook burst: after a restart, every delivery that got its 200 is processed
//! exactly once, and every delivery Shopify retries (it got no 200) is processed too. With two
//! replicas on one PostgreSQL, the survivor takes over the killed one's claimed jobs once their
//! lease runs out, and runs each once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use seglink::db::JobState;
use serde_json::json;

use crate::helpers::{Fresh, SECRET, domain, on_each_engine, start_with};

const SHOP: &str = "crash-test.myshopify.com";
const DELIVERIES: usize = 600;
/// The server dies once this many deliveries have had their 200.
const KILL_AFTER: usize = 150;

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
    let (server, base) = start_with(&fresh.url, &[]).await;
    let before_restart = burst_and_kill(server, std::slice::from_ref(&base), &fresh).await;
    // Shopify retries what got no 200, and may redeliver some that did.
    let (_server, base) = start_with(&fresh.url, &[]).await;
    redeliver_and_check(&before_restart, &base, &fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_mid_burst_leaves_its_jobs_to_the_other_which_runs_each_once() {
    let Some(fresh) = Fresh::postgres().await else { return };
    let (doomed, doomed_base) = start_with(&fresh.url, &[]).await;
    let (_survivor, survivor_base) = start_with(&fresh.url, &[]).await;
    // Both take deliveries and both process them; one dies.
    let acknowledged = burst_and_kill(doomed, &[doomed_base, survivor_base.clone()], &fresh).await;
    redeliver_and_check(&acknowledged, &survivor_base, &fresh).await;
}

/// Sends DELIVERIES over eight lanes spread across `bases`, kills `victim` once KILL_AFTER have
/// had their 200, and returns those that had.
async fn burst_and_kill(
    mut victim: tokio::process::Child,
    bases: &[String],
    fresh: &Fresh,
) -> BTreeSet<usize> {
    let client = reqwest::Client::new();
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let mut burst = tokio::task::JoinSet::new();
    for lane in 0..8 {
        let (client, base, acknowledged, count) =
            (client.clone(), bases[lane % bases.len()].clone(), acknowledged.clone(), count.clone());
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
    victim.start_kill().unwrap();
    victim.wait().await.unwrap();
    while burst.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= KILL_AFTER && acknowledged.len() < DELIVERIES,
        "{}: killed mid-burst",
        fresh.name
    );
    acknowledged
}

/// Shopify's retries of what got no 200 (and some redeliveries of what did) to `base`; then every
/// delivery is processed, each exactly once.
async fn redeliver_and_check(acknowledged: &BTreeSet<usize>, base: &str, fresh: &Fresh) {
    let client = reqwest::Client::new();
    for index in 0..DELIVERIES {
        if !acknowledged.contains(&index) || index % 10 == 0 {
            assert!(send(&client, base, index).await, "redelivery {index}");
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
    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
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
