//! The backfill against the simulator, on every database: after provisioning, bulk queries read
//! the shop's customers, its last 90 days of orders and its products into the store, stage by
//! stage, and the setup checklist says so: under way from the moment it is queued, done once
//! its last stage is read.

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, now, on_each_engine};

async fn provisioning_backfills_customers_recent_orders_and_products(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, _) = app.open_admin(&shop).await;
    assert_eq!(status, 200);
    // The provisioning job alone: it queues the backfill, which has read nothing yet.
    seglink::jobs::run_due(&app.state).await;
    let (_, session) = app.open_admin(&shop).await;
    let queued = session["setup"].as_array().unwrap().iter().find(|step| step["step"] == "backfill").unwrap();
    assert_eq!(queued["state"], "running", "{}: not done before it has read anything: {session}", fresh.name);
    app.run_jobs().await;

    let since = now().as_secs() - 90 * 86_400;
    let (customers, recent_orders, products) = shop.sim.with_admin(|admin| {
        let state = admin.shop();
        let recent = state.orders.iter().filter(|order| order.created_at >= since).count();
        (state.customers.len(), recent, state.products.len())
    });
    let (stored_products, stored_customers, stored_orders) =
        fresh.store.counts(&domain(&shop.domain)).await.unwrap();
    assert_eq!(stored_customers as usize, customers, "{}", fresh.name);
    assert_eq!(stored_products as usize, products);
    assert_eq!(stored_orders as usize, recent_orders, "only the last 90 days");

    let (_, session) = app.open_admin(&shop).await;
    let backfill =
        session["setup"].as_array().unwrap().iter().find(|step| step["step"] == "backfill").unwrap();
    assert_eq!(backfill["state"], "done", "{}: {session}", fresh.name);
}
on_each_engine!(provisioning_backfills_customers_recent_orders_and_products);
