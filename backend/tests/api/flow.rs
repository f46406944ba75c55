//! Shopify Flow against the simulator: lifecycle callbacks say which triggers a shop uses, and a
//! segment change fires its trigger once, only while a workflow uses it.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::helpers::{Fresh, SECRET, SimulatedShop, TestApp, domain, installed, on_each_engine};

const ENTERED: &str = "segment-entered";

/// A lifecycle callback for `shop`, signed with `secret`.
fn callback(shop: &str, trigger: &str, enabled: bool, timestamp: &str, secret: &str) -> Request<Body> {
    let body = json!({
        "flow_trigger_definition_id": trigger,
        "has_enabled_flow": enabled,
        "shop_id": 690_933_842,
        "shopify_domain": shop,
        "timestamp": timestamp,
    })
    .to_string();
    signed(body, secret)
}

fn signed(body: String, secret: &str) -> Request<Body> {
    Request::post("/flow/lifecycle")
        .header("X-Shopify-Hmac-Sha256", shopify_sim::signing::webhook_hmac(secret, body.as_bytes()))
        .body(Body::from(body))
        .unwrap()
}

async fn in_use(fresh: &Fresh, shop: &str) -> Vec<String> {
    fresh.store.flow_triggers_in_use(&domain(shop)).await.unwrap()
}

/// Callbacks are believed only when signed with the app's secret, name a real shop, and are newer
/// than what is known; a trigger Seglink does not have is acknowledged (so the merchant can turn
/// the workflow on) and changes nothing.
async fn lifecycle_callbacks_are_signed_and_the_newest_wins(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 3).await;
    let workflow = shop.sim.with_admin(|admin| admin.flow_mut().add_workflow(ENTERED, crate::helpers::now()));
    let answers = shop.forward_flow_callbacks(&app).await;
    assert_eq!(answers, vec![(200, json!({ "recorded": true }))]);
    assert_eq!(in_use(&fresh, &shop.domain).await, [ENTERED]);

    // Out of order: a callback stamped before the one recorded changes nothing.
    let stale = callback(&shop.domain, ENTERED, false, "2020-01-01T00:00:00.000Z", SECRET);
    let (status, _, body) = app.request(stale).await;
    assert_eq!((status, body.as_str()), (200, r#"{"recorded":false}"#));
    assert_eq!(in_use(&fresh, &shop.domain).await, [ENTERED]);

    for (request, expected, reason) in [
        (
            callback(&shop.domain, ENTERED, false, "2999-01-01T00:00:00Z", "not-the-secret"),
            401,
            "does not match",
        ),
        (
            Request::post("/flow/lifecycle").body(Body::from("{}")).unwrap(),
            401,
            "X-Shopify-Hmac-Sha256 is missing",
        ),
        (callback("evil.example.com", ENTERED, false, "2999-01-01T00:00:00Z", SECRET), 400, "myshopify.com"),
        (callback(&shop.domain, ENTERED, false, "yesterday", SECRET), 400, "ISO 8601"),
        (signed("[1, 2]".to_owned(), SECRET), 400, "not a Flow lifecycle callback"),
    ] {
        let (status, _, body) = app.request(request).await;
        assert_eq!(status, expected, "{body}");
        let reason_given =
            serde_json::from_str::<Value>(&body).unwrap()["error"].as_str().unwrap().to_owned();
        assert!(reason_given.contains(reason), "{reason_given}");
    }
    let unknown = callback(&shop.domain, "Add row to spreadsheet", true, "2999-01-01T00:00:00Z", SECRET);
    let (status, _, body) = app.request(unknown).await;
    assert_eq!((status, body.as_str()), (200, r#"{"recorded":false}"#));
    assert_eq!(in_use(&fresh, &shop.domain).await, [ENTERED], "nothing else recorded");

    shop.sim
        .with_admin(|admin| admin.flow_mut().set_enabled(workflow.unwrap(), false, crate::helpers::now()));
    assert_eq!(shop.forward_flow_callbacks(&app).await, vec![(200, json!({ "recorded": true }))]);
    assert!(in_use(&fresh, &shop.domain).await.is_empty());
}
on_each_engine!(lifecycle_callbacks_are_signed_and_the_newest_wins);

/// `customers/update` with the customer's tags, as Shopify sends it, each a second after the last.
async fn tag(app: &TestApp, shop: &SimulatedShop, customer: &str, tags: &str, event: &str) {
    static STEP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let at = crate::helpers::now().as_secs() + STEP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let updated_at = shopify_sim::shop::iso8601(at);
    let body = json!({ "id": customer.parse::<u64>().unwrap(), "tags": tags, "updated_at": updated_at });
    app.deliver(&shop.domain, "customers/update", event, &body).await;
    app.run_jobs().await;
}

/// A customer entering a segment fires "Customer entered a Seglink segment" once, after the change
/// is stored, and only while a workflow uses the trigger; leaving fires nothing while no workflow
/// uses "left"; nothing fires for members who stay.
async fn segment_changes_fire_their_trigger_once_while_a_workflow_uses_it(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 4).await;
    let customers: Vec<String> = shop.customer_tags().into_keys().collect();
    for (number, customer) in customers.iter().enumerate() {
        tag(&app, &shop, customer, "", &format!("untagged-{number}")).await;
    }
    let body = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    tag(&app, &shop, &customers[0], "vip", "before").await;
    assert!(shop.flow_received().is_empty(), "no workflow yet: nothing fired");

    let workflow = shop.sim.with_admin(|admin| admin.flow_mut().add_workflow(ENTERED, crate::helpers::now()));
    shop.forward_flow_callbacks(&app).await;
    tag(&app, &shop, &customers[1], "vip, wholesale", "enters").await;
    let expected = (
        ENTERED.to_owned(),
        json!({ "customer_id": customers[1].parse::<u64>().unwrap(), "Segment slug": "vip", "Segment name": "VIP" }),
    );
    assert_eq!(shop.flow_received(), vec![expected.clone()]);
    let runs = shop.sim.with_admin(|admin| admin.flow_mut().runs().to_vec());
    assert_eq!(runs.len(), 1, "the workflow ran once: {runs:?}");

    // Still a member, a full recompute, and a leaver while "left" has no workflow: nothing more.
    tag(&app, &shop, &customers[1], "vip", "stays").await;
    let (status, _) = app.admin(&shop, "POST", "/api/segments/recompute", None).await;
    assert_eq!(status, 200);
    tag(&app, &shop, &customers[0], "", "leaves").await;
    app.run_jobs().await;
    assert_eq!(shop.flow_received(), vec![expected.clone()]);

    // Turned off: the next entry fires nothing.
    shop.sim
        .with_admin(|admin| admin.flow_mut().set_enabled(workflow.unwrap(), false, crate::helpers::now()));
    shop.forward_flow_callbacks(&app).await;
    tag(&app, &shop, &customers[2], "vip", "after").await;
    assert_eq!(shop.flow_received(), vec![expected]);
    assert_eq!(fresh.due_jobs("flow_fire", i64::MAX).await, 0, "nothing left to fire");
}
on_each_engine!(segment_changes_fire_their_trigger_once_while_a_workflow_uses_it);
