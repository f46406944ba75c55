//! The compliance webhooks and uninstall, on every database: each privacy request is recorded
//! with its 30-day due date and carried out; uninstall drops the tokens and keeps the data.

use seglink::clock::UnixTime;
use serde_json::json;

use crate::helpers::{API_KEY, Fresh, SECRET, SimulatedShop, TestApp, domain, on_each_engine};

const SHOP: &str = "seglink-test.myshopify.com";
const OTHER: &str = "other-store.myshopify.com";

fn now() -> i64 {
    seglink::clock::unix_now().secs()
}

async fn seed(app: &TestApp, shop: &str) {
    let customer = |id: u64| json!({ "id": id, "email": format!("c{id}@example.com"), "first_name": "Ada", "updated_at": "2026-11-20T09:00:00Z" });
    let order = |id: u64, customer: u64| json!({ "id": id, "total_price": "5.00", "customer": { "id": customer }, "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(shop, "customers/create", &format!("{shop}-c7"), &customer(7)).await;
    app.deliver(shop, "customers/create", &format!("{shop}-c8"), &customer(8)).await;
    app.deliver(shop, "orders/paid", &format!("{shop}-o1"), &order(1, 7)).await;
    app.deliver(shop, "orders/paid", &format!("{shop}-o2"), &order(2, 8)).await;
    app.run_jobs().await;
}

/// An app with two stores' worth of customers, orders and events.
async fn two_stores(fresh: &Fresh) -> TestApp {
    let app = TestApp::on(fresh.store.clone(), None);
    seed(&app, SHOP).await;
    seed(&app, OTHER).await;
    app
}

async fn a_data_request_is_recorded_with_its_deadline_and_exported(fresh: Fresh) {
    let app = two_stores(&fresh).await;
    let store = &fresh.store;
    let request = json!({ "shop_domain": SHOP, "customer": { "id": 7, "email": "c7@example.com" }, "orders_requested": [1], "data_request": { "id": 99 } });
    app.deliver(SHOP, "customers/data_request", "dr-1", &request).await;
    app.run_jobs().await;
    let requests = store.privacy_requests(&domain(SHOP), UnixTime::from_secs(now())).await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].due_at - requests[0].received_at, 30 * 86_400);
    assert!(requests[0].completed_at.is_some());
    let taken = store.take_export(&domain(SHOP), requests[0].id, UnixTime::from_secs(now())).await.unwrap();
    let export: serde_json::Value = serde_json::from_str(taken.as_deref().unwrap()).unwrap();
    assert_eq!(export["customer"]["email"], "c7@example.com");
    assert_eq!(export["orders"][0]["id"], "1");
    assert_eq!(export["events"].as_array().unwrap().len(), 2, "customer_created and purchase: {export}");
}
on_each_engine!(a_data_request_is_recorded_with_its_deadline_and_exported);

async fn a_customer_redaction_removes_that_customer_only(fresh: Fresh) {
    let app = two_stores(&fresh).await;
    let store = &fresh.store;
    let redact = json!({ "shop_domain": SHOP, "customer": { "id": 7 }, "orders_to_redact": [1] });
    app.deliver(SHOP, "customers/redact", "cr-1", &redact).await;
    app.run_jobs().await;
    assert_eq!(store.customer(&domain(SHOP), "7").await.unwrap(), None);
    assert_eq!(store.order(&domain(SHOP), "1").await.unwrap(), None);
    let left = store.events(&domain(SHOP)).await.unwrap();
    assert!(left.iter().all(|event| event.customer_id.as_deref() == Some("8")), "{left:?}");
    assert!(store.customer(&domain(SHOP), "8").await.unwrap().is_some(), "others are untouched");
    let requests = store.privacy_requests(&domain(SHOP), UnixTime::from_secs(now())).await.unwrap();
    assert!(requests.len() == 1 && requests[0].completed_at.is_some(), "recorded and carried out");
}
on_each_engine!(a_customer_redaction_removes_that_customer_only);

async fn a_shop_redaction_removes_the_stores_data_and_keeps_the_requests(fresh: Fresh) {
    let app = two_stores(&fresh).await;
    let store = &fresh.store;
    let request = json!({ "shop_domain": SHOP, "customer": { "id": 7, "email": "c7@example.com" }, "orders_requested": [1], "data_request": { "id": 99 } });
    app.deliver(SHOP, "customers/data_request", "dr-1", &request).await;
    app.deliver(SHOP, "shop/redact", "sr-1", &json!({ "shop_id": 1, "shop_domain": SHOP })).await;
    app.run_jobs().await;
    assert!(store.events(&domain(SHOP)).await.unwrap().is_empty());
    assert_eq!(store.customer(&domain(SHOP), "8").await.unwrap(), None);
    assert_eq!(store.webhook_count(&domain(SHOP)).await.unwrap(), 0);
    let requests = store.privacy_requests(&domain(SHOP), UnixTime::from_secs(now())).await.unwrap();
    assert_eq!(requests.len(), 2, "the requests themselves stay on record");
    assert_eq!(requests[0].topic, "shop/redact");
    assert!(requests.iter().all(|request| request.completed_at.is_some()));
    assert_eq!(store.events(&domain(OTHER)).await.unwrap().len(), 4, "another store keeps everything");
}
on_each_engine!(a_shop_redaction_removes_the_stores_data_and_keeps_the_requests);

async fn uninstall_drops_the_tokens_and_keeps_the_data(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, _) = app.open_admin(&shop).await;
    assert_eq!(status, 200);
    seed(&app, &shop.domain).await;
    let before = fresh.store.events(&domain(&shop.domain)).await.unwrap().len();
    assert!(before >= 4, "the seeded events, and those of the backfill");
    app.deliver(&shop.domain, "app/uninstalled", "un-1", &json!({ "id": 1, "domain": shop.domain })).await;
    app.run_jobs().await;
    let record = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap();
    assert!(!record.active && record.tokens.is_none(), "{}", fresh.name);
    assert_eq!(
        fresh.store.events(&domain(&shop.domain)).await.unwrap().len(),
        before,
        "data stays until shop/redact"
    );

    // Reinstalling exchanges a new token and keeps the workspace.
    let (status, session) = app.open_admin(&shop).await;
    assert_eq!(status, 200);
    assert_eq!(session["server_key"], serde_json::Value::Null, "the same workspace");
    assert!(fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap().active);
}
on_each_engine!(uninstall_drops_the_tokens_and_keeps_the_data);

/// Every row of every table, as text: what someone who opens the database file would find.
async fn every_row(url: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for table in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&pool)
                .await
                .unwrap();
            let text = columns
                .iter()
                .map(|column| format!("COALESCE(CAST({column} AS TEXT), '')"))
                .collect::<Vec<_>>();
            let sql = format!("SELECT {} FROM {table}", text.join(" || '|' || "));
            for row in sqlx::query_scalar::<_, String>(&sql).fetch_all(&pool).await.unwrap() {
                rows.push((table.clone(), row));
            }
        }
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut tables: Vec<&str> = columns.iter().map(|(table, _, _)| table.as_str()).collect();
        tables.dedup();
        for table in tables {
            let text: Vec<String> = columns
                .iter()
                .filter(|(of, _, _)| of == table)
                .map(|(_, column, kind)| match kind.as_str() {
                    "bytea" => format!("COALESCE(convert_from({column}, 'UTF8'), '')"),
                    _ => format!("COALESCE({column}::text, '')"),
                })
                .collect();
            let sql = format!("SELECT {} FROM {table}", text.join(" || '|' || "));
            for row in sqlx::query_scalar::<_, String>(&sql).fetch_all(&pool).await.unwrap() {
                rows.push((table.to_owned(), row));
            }
        }
    }
    rows
}

/// Rows that still hold any of `identifiers`.
async fn rows_naming(url: &str, identifiers: &[&str]) -> Vec<(String, String)> {
    every_row(url)
        .await
        .into_iter()
        .filter(|(_, row)| {
            identifiers.iter().any(|identifier| row.to_lowercase().contains(&identifier.to_lowercase()))
        })
        .collect()
}

const ADA: u64 = 7_777_001;
const ADA_IDENTIFIERS: [&str; 7] =
    ["7777001", "ada.lovelace@example.com", "+49 30 5550101", "Adalinde", "Lovelacey", "8888001", "8888003"];

/// Ada everywhere Seglink keeps anything: customer, orders, pixel events behind a linked client,
/// segment membership, history and tags, a running bulk push, a delivery left dead with her
/// email in it, and a data request's export. Ben beside her.
async fn ada_everywhere(app: &TestApp, store: &seglink::db::Store) {
    let person = |id: u64, email: &str, phone: &str, first: &str, last: &str| {
        json!({ "id": id, "email": email,
        "phone": phone, "first_name": first, "last_name": last, "default_address": { "country_code": "DE" },
        "updated_at": "2026-11-20T09:00:00Z" })
    };
    app.deliver(
        SHOP,
        "customers/create",
        "ev-c1",
        &person(ADA, ADA_IDENTIFIERS[1], ADA_IDENTIFIERS[2], "Adalinde", "Lovelacey"),
    )
    .await;
    app.deliver(
        SHOP,
        "customers/create",
        "ev-c2",
        &person(7_777_002, "ben@example.com", "+1 555", "Ben", "Bitdiddle"),
    )
    .await;
    let order = |id: u64, customer: u64| {
        json!({ "id": id, "total_price": "50.00", "email": if customer == ADA { ADA_IDENTIFIERS[1] } else { "ben@example.com" },
        "checkout_token": format!("tok-{id}"), "customer": { "id": customer, "email": "x" }, "updated_at": "2026-11-20T09:00:00Z",
        "billing_address": { "first_name": "Adalinde", "phone": ADA_IDENTIFIERS[2] } })
    };
    app.deliver(SHOP, "orders/paid", "ev-o1", &order(8_888_001, ADA)).await;
    app.deliver(SHOP, "orders/paid", "ev-o2", &order(8_888_002, 7_777_002)).await;
    // Ada also checked out once as a guest, with her email, in an order Shopify does not name.
    let guest = json!({ "id": 8_888_004, "total_price": "20.00", "email": ADA_IDENTIFIERS[1].to_uppercase(),
        "checkout_token": "tok-guest", "customer": null, "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(SHOP, "orders/paid", "ev-o4", &guest).await;
    // A delivery that can never be processed keeps its body: it names Ada by email.
    app.deliver(SHOP, "orders/paid", "ev-bad", &json!({ "email": ADA_IDENTIFIERS[1] })).await;
    app.run_jobs().await;
    let now = now();
    store
        .record_event(
            &domain(SHOP),
            &seglink::db::EventRow {
                kind: "product_view".to_owned(),
                source: "pixel".to_owned(),
                source_id: "pv-1".to_owned(),
                customer_id: None,
                order_id: None,
                occurred_at: UnixTime::from_secs(now),
                properties: "{}".to_owned(),
                client_id: Some("client-of-ada".to_owned()),
            },
        )
        .await
        .unwrap();
    store
        .link_client(&domain(SHOP), "client-of-ada", &ADA.to_string(), UnixTime::from_secs(now))
        .await
        .unwrap();
    let rules = r#"{ "if": "country", "in": ["DE"] }"#;
    store
        .create_segment(
            &domain(SHOP),
            &seglink::db::SegmentRow::new("germany", "Germany", rules.to_owned(), UnixTime::from_secs(now)),
        )
        .await
        .unwrap();
    seglink::segments::recompute(&app.state.store, &domain(SHOP), None, UnixTime::from_secs(now))
        .await
        .unwrap();
    store.mark_tagged(&domain(SHOP), "germany", &[ADA.to_string()], true).await.unwrap();
    let running = seglink::db::PushRow {
        state: seglink::db::PushState::Running,
        bulk: Some(
            json!({ "operation": "gid://shopify/BulkOperation/1", "adding": true,
            "customers": [ADA.to_string(), "7777002"] })
            .to_string(),
        ),
        updated_at: UnixTime::from_secs(now),
        ..seglink::db::PushRow::default()
    };
    store.set_push_state(&domain(SHOP), "germany", &running).await.unwrap();
    let request = json!({ "shop_domain": SHOP, "customer": { "id": ADA, "email": ADA_IDENTIFIERS[1] }, "orders_requested": [8_888_001], "data_request": { "id": 99 } });
    app.deliver(SHOP, "customers/data_request", "ev-dr", &request).await;
    app.run_jobs().await;
}

async fn after_a_customer_redaction_no_table_names_the_customer(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    ada_everywhere(&app, &fresh.store).await;
    let before = rows_naming(&fresh.url, &ADA_IDENTIFIERS).await;
    let tables: std::collections::BTreeSet<&str> = before.iter().map(|(table, _)| table.as_str()).collect();
    for table in [
        "customers",
        "orders",
        "events",
        "client_links",
        "segment_members",
        "segment_changes",
        "segment_tagged",
        "segment_pushes",
        "webhook_inbox",
        "privacy_requests",
    ] {
        assert!(tables.contains(table), "{}: the setup puts Ada in {table}: {tables:?}", fresh.name);
    }

    let redact = json!({ "shop_domain": SHOP, "customer": { "id": ADA, "email": ADA_IDENTIFIERS[1], "phone": ADA_IDENTIFIERS[2] },
        "orders_to_redact": [8_888_003] });
    app.deliver(SHOP, "customers/redact", "ev-cr", &redact).await;
    app.run_jobs().await;
    let left = rows_naming(&fresh.url, &ADA_IDENTIFIERS).await;
    assert!(left.is_empty(), "{}: Ada is still in {left:#?}", fresh.name);
    let ben = rows_naming(&fresh.url, &["7777002", "ben@example.com"]).await;
    assert!(ben.iter().any(|(table, _)| table == "customers"), "{}: Ben is untouched", fresh.name);
    assert!(ben.iter().any(|(table, _)| table == "segment_pushes"), "Ben's line of the running push stays");
}
on_each_engine!(after_a_customer_redaction_no_table_names_the_customer);

async fn after_a_shop_redaction_no_table_names_its_customers(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    ada_everywhere(&app, &fresh.store).await;
    app.deliver(SHOP, "shop/redact", "ev-sr", &json!({ "shop_id": 1, "shop_domain": SHOP })).await;
    app.run_jobs().await;
    let left =
        rows_naming(&fresh.url, &[ADA_IDENTIFIERS.as_slice(), &["7777002", "ben@example.com"]].concat())
            .await;
    assert!(left.is_empty(), "{}: still stored: {left:#?}", fresh.name);
    assert_eq!(
        fresh.store.privacy_requests(&domain(SHOP), UnixTime::from_secs(now())).await.unwrap().len(),
        2,
        "the requests stay on record"
    );
}
on_each_engine!(after_a_shop_redaction_no_table_names_its_customers);

async fn processed_deliveries_keep_no_body(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    seed(&app, SHOP).await;
    assert!(fresh.store.kept_webhook_bodies(&domain(SHOP)).await.unwrap().is_empty(), "{}", fresh.name);
    // The row stays, so a redelivery is still a duplicate.
    let customer = json!({ "id": 7, "email": "c7@example.com", "first_name": "Ada", "updated_at": "2026-11-20T09:00:00Z" });
    let (status, _, answer) = app
        .request(crate::helpers::webhook(SHOP, "customers/create", &format!("{SHOP}-c7"), &customer))
        .await;
    assert_eq!((status, answer.as_str()), (200, r#"{"duplicate":true}"#));
}
on_each_engine!(processed_deliveries_keep_no_body);

async fn an_export_is_served_once_and_not_after_its_time(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    seed(&app, SHOP).await;
    let request = json!({ "shop_domain": SHOP, "customer": { "id": 7 }, "orders_requested": [1], "data_request": { "id": 1 } });
    app.deliver(SHOP, "customers/data_request", "dr-a", &request).await;
    app.deliver(SHOP, "customers/data_request", "dr-b", &request).await;
    app.run_jobs().await;
    let token = shopify_sim::signing::session_token(
        SECRET,
        &shopify_sim::signing::SessionClaims::new(SHOP, API_KEY, 1, now()),
    );
    let (status, listed) = app.call("GET", "/api/privacy-requests", Some(&token), None).await;
    assert_eq!(status, 200, "{listed}");
    let requests = listed["requests"].as_array().unwrap();
    assert!(
        requests.iter().all(|request| request["export_ready"] == true && request.get("export").is_none()),
        "{listed}"
    );
    let (first, second) = (requests[0]["id"].as_i64().unwrap(), requests[1]["id"].as_i64().unwrap());
    let export_path = |id: i64| format!("/api/privacy-requests/{id}/export");
    let (status, export) = app.call("GET", &export_path(first), Some(&token), None).await;
    assert_eq!(
        (status, export["customer"]["email"].as_str()),
        (200, Some("c7@example.com")),
        "{}",
        fresh.name
    );
    assert_eq!(app.call("GET", &export_path(first), Some(&token), None).await.0, 404, "served once");
    let other = shopify_sim::signing::session_token(
        SECRET,
        &shopify_sim::signing::SessionClaims::new(OTHER, API_KEY, 1, now()),
    );
    assert_eq!(app.call("GET", &export_path(second), Some(&other), None).await.0, 404, "not another shop's");
    // Eight days on, the one never fetched is gone from the database.
    fresh.store.purge_expired_exports(UnixTime::from_secs(now() + 8 * 86_400)).await.unwrap();
    assert_eq!(app.call("GET", &export_path(second), Some(&token), None).await.0, 404);
    assert!(rows_naming(&fresh.url, &["c7@example.com"]).await.iter().all(|(table, _)| table == "customers"));
}
on_each_engine!(an_export_is_served_once_and_not_after_its_time);

async fn storefront_events_older_than_the_stores_retention_go_nightly(fresh: Fresh) {
    let (shop, app) = crate::helpers::installed(fresh.store.clone(), 3).await;
    let (status, retention) = app.admin(&shop, "GET", "/api/data-retention", None).await;
    assert_eq!((status, &retention), (200, &json!({ "storefront_event_days": 365 })));
    for days in [29, 3_651] {
        let (status, answer) = app
            .admin(&shop, "PUT", "/api/data-retention", Some(json!({ "storefront_event_days": days })))
            .await;
        assert_eq!((status, answer["path"].as_str()), (422, Some("/storefront_event_days")), "{answer}");
    }

    let now = now();
    let event = |id: &str, days_ago: i64, source: &str| seglink::db::EventRow {
        kind: "product_view".to_owned(),
        source: source.to_owned(),
        source_id: id.to_owned(),
        customer_id: None,
        order_id: None,
        occurred_at: UnixTime::from_secs(now - days_ago * 86_400),
        properties: "{}".to_owned(),
        client_id: Some("visitor".to_owned()),
    };
    for (id, days_ago, source) in [("old", 40, "pixel"), ("recent", 10, "pixel"), ("old-order", 40, "order")]
    {
        fresh.store.record_event(&domain(&shop.domain), &event(id, days_ago, source)).await.unwrap();
    }
    let (status, saved) =
        app.admin(&shop, "PUT", "/api/data-retention", Some(json!({ "storefront_event_days": 30 }))).await;
    assert_eq!((status, saved), (200, json!({ "storefront_event_days": 30 })));
    app.run_jobs_ahead(86_400 + 60).await;
    let kept = fresh.store.recent_pixel_events(&domain(&shop.domain), 10).await.unwrap();
    assert_eq!(kept.len(), 1, "{}: only the recent storefront event stays: {kept:?}", fresh.name);
    let rows = every_row(&fresh.url).await;
    assert!(
        rows.iter().any(|(table, row)| table == "events" && row.contains("old-order")),
        "order events are not storefront events"
    );
}
on_each_engine!(storefront_events_older_than_the_stores_retention_go_nightly);
