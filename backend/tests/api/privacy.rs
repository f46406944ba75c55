//! The compliance webhooks and uninstall, on every database: each privacy request is recorded
//! with its 30-day due date and carried out; uninstall drops the tokens and keeps the data.

use serde_json::json;

use crate::databases::fresh_stores;
use crate::helpers::TestApp;
use crate::simulated::SimulatedShop;

const SHOP: &str = "seglink-test.myshopify.com";
const OTHER: &str = "other-store.myshopify.com";

async fn seed(app: &TestApp, shop: &str) {
    let customer = |id: u64| json!({ "id": id, "email": format!("c{id}@example.com"), "first_name": "Ada", "updated_at": "2026-11-20T09:00:00Z" });
    let order = |id: u64, customer: u64| json!({ "id": id, "total_price": "5.00", "customer": { "id": customer }, "updated_at": "2026-11-20T09:00:00Z" });
    app.deliver(shop, "customers/create", &format!("{shop}-c7"), &customer(7)).await;
    app.deliver(shop, "customers/create", &format!("{shop}-c8"), &customer(8)).await;
    app.deliver(shop, "orders/paid", &format!("{shop}-o1"), &order(1, 7)).await;
    app.deliver(shop, "orders/paid", &format!("{shop}-o2"), &order(2, 8)).await;
    app.run_jobs().await;
}

#[tokio::test]
async fn data_requests_and_redactions_are_recorded_and_carried_out() {
    for fresh in fresh_stores().await {
        let app = TestApp::on(fresh.store.clone(), None);
        seed(&app, SHOP).await;
        seed(&app, OTHER).await;
        let store = &fresh.store;

        let request = json!({ "shop_domain": SHOP, "customer": { "id": 7, "email": "c7@example.com" }, "orders_requested": [1], "data_request": { "id": 99 } });
        app.deliver(SHOP, "customers/data_request", "dr-1", &request).await;
        app.run_jobs().await;
        let requests = store.privacy_requests(SHOP).await.unwrap();
        assert_eq!(requests.len(), 1, "{}", fresh.name);
        assert_eq!(requests[0].due_at - requests[0].received_at, 30 * 86_400);
        assert!(requests[0].completed_at.is_some());
        let export: serde_json::Value = serde_json::from_str(requests[0].export.as_deref().unwrap()).unwrap();
        assert_eq!(export["customer"]["email"], "c7@example.com");
        assert_eq!(export["orders"][0]["id"], "1");
        assert_eq!(export["events"].as_array().unwrap().len(), 2, "customer_created and purchase: {export}");

        let redact = json!({ "shop_domain": SHOP, "customer": { "id": 7 }, "orders_to_redact": [1] });
        app.deliver(SHOP, "customers/redact", "cr-1", &redact).await;
        app.run_jobs().await;
        assert_eq!(store.customer(SHOP, "7").await.unwrap(), None, "{}", fresh.name);
        assert_eq!(store.order(SHOP, "1").await.unwrap(), None);
        let left = store.events(SHOP).await.unwrap();
        assert!(left.iter().all(|event| event.customer_id.as_deref() == Some("8")), "{left:?}");
        assert!(store.customer(SHOP, "8").await.unwrap().is_some(), "others are untouched");

        app.deliver(SHOP, "shop/redact", "sr-1", &json!({ "shop_id": 1, "shop_domain": SHOP })).await;
        app.run_jobs().await;
        assert!(store.events(SHOP).await.unwrap().is_empty());
        assert_eq!(store.customer(SHOP, "8").await.unwrap(), None);
        assert_eq!(store.webhook_count(SHOP).await.unwrap(), 0);
        let requests = store.privacy_requests(SHOP).await.unwrap();
        assert_eq!(requests.len(), 3, "the requests themselves stay on record");
        assert_eq!(requests[0].topic, "shop/redact");
        assert!(requests.iter().all(|request| request.completed_at.is_some()));
        assert_eq!(store.events(OTHER).await.unwrap().len(), 4, "another store keeps everything");
        (fresh.cleanup)().await;
    }
}

#[tokio::test]
async fn uninstall_drops_the_tokens_and_keeps_the_data() {
    for fresh in fresh_stores().await {
        let shop = SimulatedShop::start().await;
        let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
        let (status, _) = app.open_admin(&shop).await;
        assert_eq!(status, 200);
        seed(&app, &shop.domain).await;
        let before = fresh.store.events(&shop.domain).await.unwrap().len();
        assert!(before >= 4, "the seeded events, and those of the backfill");
        app.deliver(&shop.domain, "app/uninstalled", "un-1", &json!({ "id": 1, "domain": shop.domain }))
            .await;
        app.run_jobs().await;
        let record = fresh.store.shop(&shop.domain).await.unwrap().unwrap();
        assert!(!record.active && record.tokens.is_none(), "{}", fresh.name);
        assert_eq!(
            fresh.store.events(&shop.domain).await.unwrap().len(),
            before,
            "data stays until shop/redact"
        );

        // Reinstalling exchanges a new token and keeps the workspace.
        let (status, session) = app.open_admin(&shop).await;
        assert_eq!(status, 200);
        assert_eq!(session["server_key"], serde_json::Value::Null, "the same workspace");
        assert!(fresh.store.shop(&shop.domain).await.unwrap().unwrap().active);
        (fresh.cleanup)().await;
    }
}
