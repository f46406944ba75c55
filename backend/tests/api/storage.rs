//! The store behaves the same on SQLite and PostgreSQL. The test command starts a PostgreSQL
//! server and sets `TEST_DATABASE_URL`; each test gets fresh databases and drops them after.

use seglink::clock::UnixTime;
use seglink::db::{Recorded, Store};
use seglink::shopify::ShopDomain;
use seglink::shopify::webhook::WebhookDelivery;
use sqlx::Connection as _;

use crate::helpers::{Fresh, TempDb, domain, on_each_engine, unique};

fn delivery(event_id: &str, topic: &str) -> WebhookDelivery {
    WebhookDelivery {
        topic: topic.to_owned(),
        shop: ShopDomain::parse("seglink-test.myshopify.com").unwrap(),
        api_version: "2026-10".to_owned(),
        webhook_id: format!("w-{event_id}-{topic}"),
        event_id: event_id.to_owned(),
        triggered_at: Some("2026-10-01T00:00:00Z".to_owned()),
    }
}

async fn a_delivery_is_stored_once_per_event_and_topic(fresh: Fresh) {
    let store = &fresh.store;
    let body = br#"{"id":1}"#;
    assert_eq!(
        store
            .record_webhook(delivery("e-1", "orders/paid").headers(), body, UnixTime::from_secs(1))
            .await
            .unwrap(),
        Recorded::New,
        "{}",
        fresh.name
    );
    assert_eq!(
        store
            .record_webhook(delivery("e-1", "orders/paid").headers(), body, UnixTime::from_secs(2))
            .await
            .unwrap(),
        Recorded::Duplicate,
        "{}",
        fresh.name
    );
    assert_eq!(
        store
            .record_webhook(delivery("e-1", "orders/create").headers(), body, UnixTime::from_secs(3))
            .await
            .unwrap(),
        Recorded::New,
        "{}",
        fresh.name
    );
    assert_eq!(
        store
            .record_webhook(delivery("e-2", "orders/paid").headers(), body, UnixTime::from_secs(4))
            .await
            .unwrap(),
        Recorded::New,
        "{}",
        fresh.name
    );
    assert_eq!(
        store.webhook_count(&domain("seglink-test.myshopify.com")).await.unwrap(),
        3,
        "{}",
        fresh.name
    );
    assert_eq!(store.webhook_count(&domain("other.myshopify.com")).await.unwrap(), 0, "{}", fresh.name);
}
on_each_engine!(a_delivery_is_stored_once_per_event_and_topic);

#[tokio::test]
async fn reopening_a_database_keeps_what_was_stored() {
    let file = std::env::temp_dir().join(format!("{}.db", unique("seglink_reopen")));
    let url = format!("sqlite://{}", file.display());
    let _database = TempDb(file);
    Store::connect(&url)
        .await
        .unwrap()
        .record_webhook(delivery("e-9", "orders/paid").headers(), b"{}", UnixTime::from_secs(1))
        .await
        .unwrap();
    let reopened = Store::connect(&url).await.unwrap();
    assert_eq!(reopened.webhook_count(&domain("seglink-test.myshopify.com")).await.unwrap(), 1);
    assert_eq!(
        reopened
            .record_webhook(delivery("e-9", "orders/paid").headers(), b"{}", UnixTime::from_secs(2))
            .await
            .unwrap(),
        Recorded::Duplicate
    );
}

async fn a_batch_stores_each_event_once_and_answers_in_order(fresh: Fresh) {
    use seglink::db::{Arriving, JobState};
    let store = &fresh.store;
    let (a, b, old) =
        (delivery("b-1", "orders/paid"), delivery("b-2", "orders/paid"), delivery("e-0", "orders/paid"));
    assert_eq!(
        store.record_webhook(old.headers(), b"{}", UnixTime::from_secs(1)).await.unwrap(),
        Recorded::New
    );
    fn arriving(delivery: &WebhookDelivery) -> Arriving<'_> {
        Arriving { delivery: delivery.headers(), body: b"{}", received_at: UnixTime::from_secs(2) }
    }
    let batch = [arriving(&a), arriving(&old), arriving(&b), arriving(&a)];
    let answers = store.record_webhooks(&batch).await.unwrap();
    assert_eq!(
        answers,
        [Recorded::New, Recorded::Duplicate, Recorded::New, Recorded::Duplicate],
        "{}",
        fresh.name
    );
    assert_eq!(store.webhook_count(&domain("seglink-test.myshopify.com")).await.unwrap(), 3);
    assert_eq!(
        store.job_count(Some("webhook"), JobState::Queued).await.unwrap(),
        3,
        "one job per stored event"
    );
}
on_each_engine!(a_batch_stores_each_event_once_and_answers_in_order);

/// Two replicas writing batches that share events, in opposite orders, at once (Shopify may send
/// one event to two replicas): each waits for the other, neither deadlocks, each event is kept
/// once with one job.
async fn replicas_writing_the_same_events_at_once_never_deadlock(fresh: Fresh) {
    use seglink::db::{Arriving, JobState};
    // A second pool on the same database: another replica's.
    let other = Store::connect(&fresh.url).await.unwrap();
    let deliveries: Vec<WebhookDelivery> =
        (0..4_000).map(|index| delivery(&format!("shared-{index}"), "orders/paid")).collect();
    let forward: Vec<Arriving<'_>> = deliveries
        .iter()
        .map(|delivery| Arriving {
            delivery: delivery.headers(),
            body: b"{}",
            received_at: UnixTime::from_secs(2),
        })
        .collect();
    for round in 0..10 {
        let batch: Vec<Arriving<'_>> = forward[round * 400..(round + 1) * 400].to_vec();
        let reversed: Vec<Arriving<'_>> = batch.iter().rev().cloned().collect();
        let (mine, theirs) =
            tokio::join!(fresh.store.record_webhooks(&batch), other.record_webhooks(&reversed));
        let (mine, theirs) = (mine.unwrap(), theirs.unwrap());
        let new = |answers: &[Recorded]| answers.iter().filter(|answer| **answer == Recorded::New).count();
        assert_eq!(
            new(&mine) + new(&theirs),
            400,
            "{}: round {round}, each event kept by one side",
            fresh.name
        );
    }
    assert_eq!(fresh.store.webhook_count(&domain("seglink-test.myshopify.com")).await.unwrap(), 4_000);
    assert_eq!(
        fresh.store.job_count(Some("webhook"), JobState::Queued).await.unwrap(),
        4_000,
        "{}",
        fresh.name
    );
}
on_each_engine!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    replicas_writing_the_same_events_at_once_never_deadlock
);

/// The pixel's writers of two replicas storing the same events at once, in opposite orders (a
/// batch sent again to another replica): both succeed and each event is kept once.
async fn two_pixel_writers_storing_the_same_events_both_succeed(fresh: Fresh) {
    use seglink::db::EventRow;
    use seglink::pixel::EventWriter;
    let deadline = std::time::Duration::from_secs(4);
    let (mine, theirs) = (
        EventWriter::start(fresh.store.clone(), deadline),
        EventWriter::start(Store::connect(&fresh.url).await.unwrap(), deadline),
    );
    let shop = domain("seglink-test.myshopify.com");
    let row = |index: usize| EventRow {
        kind: "page_view".to_owned(),
        source: "pixel".to_owned(),
        source_id: format!("view-{index}"),
        customer_id: None,
        order_id: None,
        occurred_at: UnixTime::from_secs(1_000 + index as i64),
        properties: "{}".to_owned(),
        client_id: Some("client-1".to_owned()),
    };
    for round in 0..5 {
        let rows: Vec<EventRow> = (round * 2_000..(round + 1) * 2_000).map(row).collect();
        let reversed: Vec<EventRow> = rows.iter().rev().cloned().collect();
        let (first, second) = tokio::join!(mine.record(&shop, rows), theirs.record(&shop, reversed));
        assert!(first.is_ok() && second.is_ok(), "{}: round {round}: {first:?} {second:?}", fresh.name);
    }
    let stored = fresh.store.events(&shop).await.unwrap();
    assert_eq!(stored.len(), 10_000, "{}: each event once", fresh.name);
}
on_each_engine!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    two_pixel_writers_storing_the_same_events_both_succeed
);

/// Runs one statement on the fresh database itself, past the store's typed methods.
async fn raw(fresh: &Fresh, statement: &str) -> Result<u64, sqlx::Error> {
    if fresh.name == "sqlite" {
        let mut connection = sqlx::SqliteConnection::connect(&fresh.url).await?;
        Ok(sqlx::query(statement).execute(&mut connection).await?.rows_affected())
    } else {
        let mut connection = sqlx::PgConnection::connect(&fresh.url).await?;
        Ok(sqlx::query(statement).execute(&mut connection).await?.rows_affected())
    }
}

async fn a_state_no_release_means_is_refused_by_the_database(fresh: Fresh) {
    let step = |state: &str| {
        format!(
            "INSERT INTO setup_steps (shop, step, state, updated_at) VALUES ('a.myshopify.com', 'webhooks', '{state}', 0)"
        )
    };
    assert!(raw(&fresh, &step("exploded")).await.is_err(), "an unknown state is refused on insert");
    assert_eq!(raw(&fresh, &step("pending")).await.unwrap(), 1, "a known state is stored");
    assert!(
        raw(&fresh, "UPDATE setup_steps SET state = 'exploded'").await.is_err(),
        "an unknown state is refused on update"
    );
    let steps = fresh.store.setup_steps(&domain("a.myshopify.com")).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].1, seglink::db::StepState::Pending, "the refused update changed nothing");
    for refused in [
        "INSERT INTO jobs (kind, shop, payload, state, run_at, created_at) VALUES ('k', 'a.myshopify.com', '{}', 'lost', 0, 0)",
        "INSERT INTO segment_pushes (shop, slug, state, updated_at) VALUES ('a.myshopify.com', 'vip', 'lost', 0)",
        "INSERT INTO discount_syncs (shop, state, synced_at) VALUES ('a.myshopify.com', 'lost', 0)",
    ] {
        assert!(raw(&fresh, refused).await.is_err(), "{refused}");
    }
}
on_each_engine!(a_state_no_release_means_is_refused_by_the_database);
