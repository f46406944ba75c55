//! Deliveries become state and canonical events through the job table, on every database:
//! each event once, older payloads never overwriting newer state, each store's policy applied,
//! and a delivery that can never be processed left dead rather than retried forever.

use seglink::clock::UnixTime;
use seglink::db::{IngestionPolicy, JobState};
use serde_json::{Value, json};

use crate::helpers::{Fresh, TestApp, domain, on_each_engine};

const SHOP: &str = "seglink-test.myshopify.com";

fn order(id: u64, updated_at: &str, extra: Value) -> Value {
    let mut order = json!({
        "id": id, "name": format!("#{id}"), "total_price": "25.00", "currency": "EUR", "source_name": "web",
        "tags": "", "test": false, "financial_status": "paid", "customer": { "id": 7 },
        "created_at": "2026-11-20T09:00:00Z", "updated_at": updated_at,
        "line_items": [{ "product_id": 632910392, "variant_id": 808950810, "quantity": 1, "price": "25.00" }],
    });
    if let (Some(order), Some(extra)) = (order.as_object_mut(), extra.as_object()) {
        order.extend(extra.clone());
    }
    order
}

fn kinds(events: &[seglink::db::EventRow]) -> Vec<&str> {
    events.iter().map(|event| event.kind.as_str()).collect()
}

async fn each_topic_gives_its_canonical_event_once(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    app.deliver(SHOP, "orders/create", "e-1", &order(1, "2026-11-20T09:00:00Z", json!({}))).await;
    app.deliver(SHOP, "orders/paid", "e-2", &order(1, "2026-11-20T09:01:00Z", json!({}))).await;
    app.deliver(SHOP, "orders/paid", "e-2", &order(1, "2026-11-20T09:01:00Z", json!({}))).await;
    let customer = json!({ "id": 7, "email": "ada@example.com", "tags": "vip", "updated_at": "2026-11-20T09:00:00Z",
        "default_address": { "country_code": "DE" } });
    app.deliver(SHOP, "customers/create", "e-3", &customer).await;
    app.deliver(SHOP, "checkouts/create", "e-4", &json!({ "id": 5, "token": "t", "customer": { "id": 7 } }))
        .await;
    app.deliver(SHOP, "refunds/create", "e-5", &json!({ "id": 9, "order_id": 1 })).await;
    app.deliver(
        SHOP,
        "products/update",
        "e-6",
        &json!({ "id": 632910392, "title": "Mug", "updated_at": "2026-11-20T09:00:00Z" }),
    )
    .await;
    assert_eq!(app.run_jobs().await, 6, "{}: the duplicate made no job", fresh.name);

    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
    assert_eq!(
        kinds(&events),
        ["order_created", "purchase", "customer_created", "checkout_start", "refund"],
        "{}",
        fresh.name
    );
    let purchase = &events[1];
    assert_eq!((purchase.customer_id.as_deref(), purchase.order_id.as_deref()), (Some("7"), Some("1")));
    assert_eq!(events[4].customer_id.as_deref(), Some("7"), "a refund is attributed through its order");
    assert!(purchase.properties.contains("632910392"), "{}", purchase.properties);
    assert_eq!(fresh.store.counts(&domain(SHOP)).await.unwrap().0, 1);

    // Running the jobs again (as after a crash before they were marked done) changes nothing.
    for job in ["e-1", "e-2"] {
        let topic = if job == "e-1" { "orders/create" } else { "orders/paid" };
        let job =
            seglink::webhooks::process::ProcessWebhook { event_id: job.to_owned(), topic: topic.to_owned() };
        seglink::webhooks::process::process_webhook(&app.state, &domain(SHOP), &job).await.unwrap();
    }
    assert_eq!(fresh.store.events(&domain(SHOP)).await.unwrap().len(), 5);
}
on_each_engine!(each_topic_gives_its_canonical_event_once);

async fn an_older_payload_never_overwrites_newer_state(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let newer = json!({ "id": 7, "email": "new@example.com", "updated_at": "2026-11-20T12:00:00+01:00" });
    // Earlier as an instant, though later on the clock face: offsets are respected.
    let older = json!({ "id": 7, "email": "old@example.com", "updated_at": "2026-11-20T11:30:00+02:00" });
    app.deliver(SHOP, "customers/update", "e-new", &newer).await;
    app.deliver(SHOP, "customers/update", "e-old", &older).await;
    app.run_jobs().await;
    let customer = fresh.store.customer(&domain(SHOP), "7").await.unwrap().unwrap();
    assert_eq!(customer.email.as_deref(), Some("new@example.com"), "{}", fresh.name);

    app.deliver(
        SHOP,
        "orders/updated",
        "o-new",
        &order(1, "2026-11-20T10:00:00Z", json!({ "total_price": "30.00" })),
    )
    .await;
    app.deliver(
        SHOP,
        "orders/updated",
        "o-old",
        &order(1, "2026-11-20T09:00:00Z", json!({ "total_price": "10.00" })),
    )
    .await;
    app.run_jobs().await;
    let stored = fresh.store.order(&domain(SHOP), "1").await.unwrap().unwrap();
    assert_eq!(stored.total_price.as_deref(), Some("30.00"), "{}", fresh.name);

    // A deleted customer stays deleted, whatever arrives late.
    app.deliver(SHOP, "customers/delete", "e-del", &json!({ "id": 7 })).await;
    app.deliver(
        SHOP,
        "customers/update",
        "e-late",
        &json!({ "id": 7, "email": "late@example.com", "updated_at": "2026-11-21T00:00:00Z" }),
    )
    .await;
    app.run_jobs().await;
    assert_eq!(fresh.store.customer(&domain(SHOP), "7").await.unwrap(), None);
}
on_each_engine!(an_older_payload_never_overwrites_newer_state);

async fn the_ingestion_policy_leaves_out_channels_tags_and_test_orders(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let policy = IngestionPolicy {
        excluded_channels: vec!["pos".to_owned()],
        excluded_tags: vec!["Exclude".to_owned()],
        exclude_test_orders: true,
        upsell_delay_minutes: 0,
    };
    fresh.store.set_ingestion_policy(&domain(SHOP), &policy, UnixTime::EPOCH).await.unwrap();
    let at = "2026-11-20T09:00:00Z";
    app.deliver(SHOP, "orders/paid", "pos", &order(1, at, json!({ "source_name": "pos" }))).await;
    app.deliver(SHOP, "orders/paid", "tagged", &order(2, at, json!({ "tags": "wholesale, exclude" }))).await;
    app.deliver(SHOP, "orders/paid", "test", &order(3, at, json!({ "test": true }))).await;
    app.deliver(SHOP, "orders/paid", "kept", &order(4, at, json!({}))).await;
    app.run_jobs().await;
    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
    assert_eq!(
        events.iter().map(|event| event.order_id.as_deref().unwrap()).collect::<Vec<_>>(),
        ["4"],
        "{}",
        fresh.name
    );
}
on_each_engine!(the_ingestion_policy_leaves_out_channels_tags_and_test_orders);

async fn the_upsell_delay_holds_an_order_folds_its_edits_and_releases_one_event(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let policy = IngestionPolicy { upsell_delay_minutes: 10, ..IngestionPolicy::default() };
    fresh.store.set_ingestion_policy(&domain(SHOP), &policy, UnixTime::EPOCH).await.unwrap();
    app.deliver(
        SHOP,
        "orders/create",
        "c",
        &order(1, "2026-11-20T09:00:00Z", json!({ "financial_status": "pending" })),
    )
    .await;
    app.deliver(SHOP, "orders/paid", "p", &order(1, "2026-11-20T09:00:30Z", json!({}))).await;
    app.deliver(
        SHOP,
        "orders/updated",
        "u",
        &order(1, "2026-11-20T09:02:00Z", json!({ "total_price": "40.00" })),
    )
    .await;
    app.deliver(SHOP, "orders/edited", "x", &json!({ "order_edit": { "id": 3, "order_id": 1 } })).await;
    app.run_jobs().await;
    assert!(fresh.store.events(&domain(SHOP)).await.unwrap().is_empty(), "{}: held", fresh.name);
    assert!(fresh.store.is_held(&domain(SHOP), "1").await.unwrap());
    assert_eq!(
        fresh.store.job_count(Some("release_order"), JobState::Queued).await.unwrap(),
        1,
        "one release"
    );

    // Ten minutes later the release job runs.
    seglink::webhooks::process::release_order(&app.state.store, &domain(SHOP), "1").await.unwrap();
    let events = fresh.store.events(&domain(SHOP)).await.unwrap();
    assert_eq!(kinds(&events), ["purchase"], "{}", fresh.name);
    assert!(events[0].properties.contains("40.00"), "the edit is folded in: {}", events[0].properties);
    assert!(!fresh.store.is_held(&domain(SHOP), "1").await.unwrap());
}
on_each_engine!(the_upsell_delay_holds_an_order_folds_its_edits_and_releases_one_event);

async fn a_delivery_that_can_never_be_processed_is_left_dead_at_once(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    app.deliver(SHOP, "orders/paid", "no-id", &json!({ "name": "#1" })).await;
    app.run_jobs().await;
    assert_eq!(fresh.store.job_count(None, JobState::Dead).await.unwrap(), 1, "{}", fresh.name);
    let dead = fresh.store.dead_jobs(&domain(SHOP)).await.unwrap();
    assert!(dead[0].1.contains("without an order id"), "{dead:?}");
    assert_eq!(app.run_jobs().await, 0, "not retried");
}
on_each_engine!(a_delivery_that_can_never_be_processed_is_left_dead_at_once);

async fn a_failed_job_is_retried_later_and_a_crashed_claim_is_taken_again(fresh: Fresh) {
    let store = &fresh.store;
    let job = seglink::db::NewJob {
        kind: "webhook",
        shop: domain(SHOP),
        payload: "{}".to_owned(),
        run_at: UnixTime::from_secs(100),
        dedupe_key: Some("k".to_owned()),
    };
    assert!(store.enqueue(&job).await.unwrap());
    assert!(!store.enqueue(&job).await.unwrap(), "{}: the dedupe key holds", fresh.name);
    let claimed = store.claim_jobs(UnixTime::from_secs(100), 300, 10).await.unwrap();
    assert_eq!((claimed.len(), claimed[0].attempts), (1, 1));
    assert!(store.claim_jobs(UnixTime::from_secs(200), 300, 10).await.unwrap().is_empty(), "leased");
    // The worker died: after the lease another claim takes it.
    let again = store.claim_jobs(UnixTime::from_secs(401), 300, 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 2));
    store
        .fail_job(
            again[0].id,
            "Shopify answered 503",
            Some(UnixTime::from_secs(500)),
            UnixTime::from_secs(401),
        )
        .await
        .unwrap();
    assert!(store.claim_jobs(UnixTime::from_secs(499), 300, 10).await.unwrap().is_empty(), "backing off");
    assert_eq!(store.claim_jobs(UnixTime::from_secs(500), 300, 10).await.unwrap().len(), 1);
}
on_each_engine!(a_failed_job_is_retried_later_and_a_crashed_claim_is_taken_again);

async fn a_job_whose_worker_dies_on_every_attempt_is_buried_not_taken_again(fresh: Fresh) {
    let store = &fresh.store;
    let job = seglink::db::NewJob {
        kind: "webhook",
        shop: domain(SHOP),
        payload: "{}".to_owned(),
        run_at: UnixTime::EPOCH,
        dedupe_key: None,
    };
    store.enqueue(&job).await.unwrap();
    // Each claim's worker dies (a poison job kills the process): the lease runs out.
    let mut now = 0;
    for attempt in 1..=seglink::jobs::MAX_ATTEMPTS {
        let claimed = store.claim_jobs(UnixTime::from_secs(now), 60, 10).await.unwrap();
        assert_eq!((claimed.len(), claimed[0].attempts), (1, attempt), "{}", fresh.name);
        now += 61;
    }
    assert!(
        store.claim_jobs(UnixTime::from_secs(now), 60, 10).await.unwrap().is_empty(),
        "{}: no ninth attempt",
        fresh.name
    );
    assert_eq!(store.job_count(Some("webhook"), JobState::Dead).await.unwrap(), 1);
    let dead = store.dead_jobs(&domain(SHOP)).await.unwrap();
    assert!(dead[0].1.contains("worker stopped"), "{dead:?}");
}
on_each_engine!(a_job_whose_worker_dies_on_every_attempt_is_buried_not_taken_again);

async fn orders_too_large_to_add_up_saturate_and_every_job_finishes(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let now = seglink::clock::unix_now();
    let rules = r#"{ "if": "amount_spent", "op": ">", "cents": 100000 }"#;
    let segment = seglink::db::SegmentRow::new("big", "Big", rules.to_owned(), now);
    fresh.store.create_segment(&domain(SHOP), &segment).await.unwrap();
    let customer = json!({ "id": 7, "email": "ada@example.com", "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(SHOP, "customers/create", "c-7", &customer).await;
    for id in 0..95 {
        let order = json!({ "id": 9000 + id, "total_price": "999999999999999.99", "customer": { "id": 7 },
            "updated_at": "2026-11-20T10:00:00Z" });
        app.deliver(SHOP, "orders/paid", &format!("huge-{id}"), &order).await;
    }
    app.run_jobs().await;
    // Every delivery was processed. (The segment's tag push, queued two seconds ahead, has no
    // Shopify to reach in this test: whether it ran and died depends on timing, not on this.)
    let webhook = seglink::db::WEBHOOK_JOB;
    assert_eq!(fresh.store.job_count(Some(webhook), JobState::Dead).await.unwrap(), 0, "{}", fresh.name);
    assert_eq!(fresh.store.job_count(Some(webhook), JobState::Queued).await.unwrap(), 0);
    assert_eq!(
        fresh.store.member_ids(&domain(SHOP), "big").await.unwrap(),
        ["7"],
        "spend did not wrap negative"
    );
}
on_each_engine!(orders_too_large_to_add_up_saturate_and_every_job_finishes);

async fn concurrent_claims_never_take_the_same_job(fresh: Fresh) {
    for index in 0..120 {
        let job = seglink::db::NewJob {
            kind: "webhook",
            shop: domain(SHOP),
            payload: "{}".to_owned(),
            run_at: UnixTime::EPOCH,
            dedupe_key: Some(format!("job-{index}")),
        };
        fresh.store.enqueue(&job).await.unwrap();
    }
    // Four workers (or replicas) claim at once, as on PostgreSQL with FOR UPDATE SKIP LOCKED.
    let mut claims = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let store = fresh.store.clone();
        claims.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_jobs(UnixTime::from_secs(10), 300, 7).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|job| job.id));
            }
        });
    }
    let mut all = Vec::new();
    while let Some(claimed) = claims.join_next().await {
        all.extend(claimed.unwrap());
    }
    let distinct: std::collections::BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), distinct.len()), (120, 120), "{}: each job claimed exactly once", fresh.name);
}
on_each_engine!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    concurrent_claims_never_take_the_same_job
);

#[tokio::test]
async fn a_scopes_update_is_recorded() {
    let fresh = Fresh::sqlite().await;
    let app = TestApp::on(fresh.store.clone(), None);
    let domain = seglink::shopify::ShopDomain::parse(SHOP).unwrap();
    let (workspace, _) =
        seglink::install::workspace::create(&fresh.store, &domain, UnixTime::EPOCH).await.unwrap();
    let tokens = crate::helpers::stored_tokens("sealed".to_owned(), "read_orders");
    fresh
        .store
        .connect_shop(&domain, &workspace.id, seglink::db::Connection::Managed, &tokens, UnixTime::EPOCH)
        .await
        .unwrap();
    let update = json!({ "id": 1, "previous": ["read_orders"], "current": ["read_orders", "write_orders"] });
    app.deliver(SHOP, "app/scopes_update", "scopes-1", &update).await;
    app.run_jobs().await;
    let stored = fresh.store.shop(&domain).await.unwrap().unwrap().tokens.unwrap().scopes;
    assert_eq!(stored, "read_orders,write_orders");
}
