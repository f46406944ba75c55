//! The store behaves the same on SQLite and PostgreSQL. The test command starts a PostgreSQL
//! server and sets `TEST_DATABASE_URL`; each test gets fresh databases and drops them after.

use std::sync::atomic::{AtomicU32, Ordering};

use seglink::db::{Recorded, Store, connect};
use seglink::shopify::ShopDomain;
use seglink::shopify::webhook::WebhookDelivery;
use sqlx::Connection as _;

use crate::helpers::TempDb;

static NEXT: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A fresh store on each database this run has, and how to throw it away.
struct Fresh {
    name: &'static str,
    store: std::sync::Arc<dyn Store>,
    cleanup: Box<dyn FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>,
}

async fn fresh_stores() -> Vec<Fresh> {
    let mut stores = Vec::new();
    let file = std::env::temp_dir().join(format!("{}.db", unique("seglink_test")));
    let store = connect(&format!("sqlite://{}", file.display())).await.expect("SQLite opens");
    let database = TempDb(file);
    stores.push(Fresh {
        name: "sqlite",
        store,
        cleanup: Box::new(move || Box::pin(async move { drop(database) })),
    });
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) => {
            let database = unique("seglink_test");
            let mut admin =
                sqlx::PgConnection::connect(&server).await.expect("the test PostgreSQL server answers");
            sqlx::query(&format!("CREATE DATABASE {database}"))
                .execute(&mut admin)
                .await
                .expect("a fresh database");
            let (base, _) = server.rsplit_once('/').expect("a database in the URL");
            let store = connect(&format!("{base}/{database}")).await.expect("PostgreSQL opens");
            stores.push(Fresh {
                name: "postgres",
                store,
                cleanup: Box::new(move || {
                    Box::pin(async move {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                            .execute(&mut admin)
                            .await;
                    })
                }),
            });
        }
        Err(_) => eprintln!(
            "TEST_DATABASE_URL is not set: PostgreSQL is not tested in this run (the test command sets it)"
        ),
    }
    stores
}

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

#[tokio::test]
async fn a_delivery_is_stored_once_per_event_and_topic() {
    for fresh in fresh_stores().await {
        let store = &fresh.store;
        let body = br#"{"id":1}"#;
        assert_eq!(
            store.record_webhook(&delivery("e-1", "orders/paid"), body, 1).await.unwrap(),
            Recorded::New,
            "{}",
            fresh.name
        );
        assert_eq!(
            store.record_webhook(&delivery("e-1", "orders/paid"), body, 2).await.unwrap(),
            Recorded::Duplicate,
            "{}",
            fresh.name
        );
        assert_eq!(
            store.record_webhook(&delivery("e-1", "orders/create"), body, 3).await.unwrap(),
            Recorded::New,
            "{}",
            fresh.name
        );
        assert_eq!(
            store.record_webhook(&delivery("e-2", "orders/paid"), body, 4).await.unwrap(),
            Recorded::New,
            "{}",
            fresh.name
        );
        assert_eq!(store.webhook_count("seglink-test.myshopify.com").await.unwrap(), 3, "{}", fresh.name);
        assert_eq!(store.webhook_count("other.myshopify.com").await.unwrap(), 0, "{}", fresh.name);
        (fresh.cleanup)().await;
    }
}

#[tokio::test]
async fn reopening_a_database_keeps_what_was_stored() {
    let file = std::env::temp_dir().join(format!("{}.db", unique("seglink_reopen")));
    let url = format!("sqlite://{}", file.display());
    let _database = TempDb(file);
    connect(&url).await.unwrap().record_webhook(&delivery("e-9", "orders/paid"), b"{}", 1).await.unwrap();
    let reopened = connect(&url).await.unwrap();
    assert_eq!(reopened.webhook_count("seglink-test.myshopify.com").await.unwrap(), 1);
    assert_eq!(
        reopened.record_webhook(&delivery("e-9", "orders/paid"), b"{}", 2).await.unwrap(),
        Recorded::Duplicate
    );
}
