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

/// A Flow action request for `handle`, signed with the app's secret.
fn action(shop: &str, handle: &str, run: &str, properties: Value) -> Request<Body> {
    let body = json!({
        "shop_id": "1",
        "shopify_domain": shop,
        "action_run_id": run,
        "action_definition_id": handle,
        "handle": handle,
        "properties": properties,
    })
    .to_string();
    Request::post(format!("/flow/actions/{handle}"))
        .header("X-Shopify-Hmac-Sha256", shopify_sim::signing::webhook_hmac(SECRET, body.as_bytes()))
        .body(Body::from(body))
        .unwrap()
}

/// A workflow "customer entered a segment → recompute that segment" runs end to end: the
/// trigger fires, Flow calls the action signed, Seglink queues the evaluation and answers 200. A
/// run sent again is answered without queuing the work twice; every bad request says why.
async fn flow_actions_are_signed_idempotent_and_queue_their_work(fresh: Fresh) {
    use seglink::jobs::Job as _;
    let evaluations = seglink::segments::EvaluateSegment::KIND;
    let (shop, app) = installed(fresh.store.clone(), 4).await;
    let body = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(body)).await.0, 201);
    let step = shopify_sim::flow::ActionStep {
        handle: "recompute-segment".to_owned(),
        runtime_url: format!("{}/flow/actions/recompute-segment", crate::helpers::APP_URL),
        properties: json!({ "segment_slug": "{{Segment slug}}" }),
    };
    shop.sim
        .with_admin(|admin| admin.flow_mut().add_workflow_with(ENTERED, vec![step], crate::helpers::now()));
    shop.forward_flow_callbacks(&app).await;
    let customer = shop.customer_tags().into_keys().next().unwrap();
    tag(&app, &shop, &customer, "vip", "enters").await;

    let answers = shop.forward_flow_callbacks(&app).await;
    assert_eq!(answers, vec![(200, json!({ "repeated": false }))]);
    let runs = shop.sim.with_admin(|admin| admin.flow_mut().runs().to_vec());
    assert_eq!(runs[0].calls, vec![("recompute-segment".to_owned(), Some(200))], "{runs:?}");
    let now = seglink::clock::unix_now().secs();
    assert_eq!(fresh.due_jobs(evaluations, now).await, 1, "the evaluation is queued, not run in the request");
    app.run_jobs().await;
    let (_, vip) = app.admin(&shop, "GET", "/api/segments/vip", None).await;
    assert_eq!((vip["evaluation"].clone(), vip["member_count"].clone()), (Value::Null, json!(1)), "{vip}");

    // Flow sends the same run again (it missed the 200): answered, nothing queued.
    let again = action(&shop.domain, "recompute-segment", "run-1-step-0", json!({ "segment_slug": "vip" }));
    let (status, _, body) = app.request(again).await;
    assert_eq!((status, body.as_str()), (200, r#"{"repeated":true}"#));
    assert_eq!(fresh.due_jobs(evaluations, seglink::clock::unix_now().secs()).await, 0);

    let product = shop.sim.with_admin(|admin| admin.shop().products[0].id);
    let scored = action(
        &shop.domain,
        "score-product",
        "p-1",
        json!({ "product_id": format!("gid://shopify/Product/{product}") }),
    );
    let (status, _, body) = app.request(scored).await;
    assert_eq!(status, 200, "{body}");
    let metafields = seglink::catalog::write::WriteProductMetafields::KIND;
    assert_eq!(fresh.due_jobs(metafields, seglink::clock::unix_now().secs()).await, 1);

    let mut unsigned = action(&shop.domain, "score-product", "p-2", json!({ "product_id": product }));
    unsigned.headers_mut().remove("X-Shopify-Hmac-Sha256");
    let mut wrong_endpoint = action(&shop.domain, "score-product", "p-3", json!({ "product_id": product }));
    *wrong_endpoint.uri_mut() = "/flow/actions/recompute-segment".parse().unwrap();
    for (request, expected, reason) in [
        (unsigned, 401, "X-Shopify-Hmac-Sha256"),
        (wrong_endpoint, 400, "this endpoint runs `recompute-segment`"),
        (
            action(&shop.domain, "recompute-segment", "r-2", json!({ "segment_slug": "nope" })),
            422,
            "no segment `nope`",
        ),
        (action(&shop.domain, "recompute-segment", "r-3", json!({})), 422, "/properties/segment_slug"),
        (action(&shop.domain, "score-product", "p-4", json!({ "product_id": "12x" })), 422, "product id"),
        (
            action(&shop.domain, "score-product", "p-5", json!({ "product_id": 999_999_999 })),
            422,
            "no product",
        ),
        (
            action("other.myshopify.com", "score-product", "p-6", json!({ "product_id": product })),
            403,
            "not installed",
        ),
        (action(&shop.domain, "unknown-action", "u-1", json!({})), 404, ""),
    ] {
        let (status, _, body) = app.request(request).await;
        assert_eq!(status, expected, "{body}");
        assert!(body.contains(reason), "{reason}: {body}");
    }
}
on_each_engine!(flow_actions_are_signed_idempotent_and_queue_their_work);

/// "Add a customer to a Seglink segment" from a workflow: the customer is a member whatever the
/// rules say, gets the segment's tag, stays through a full evaluation, and leaves with the
/// segment; a run sent again adds nothing; a bad customer or slug says why.
async fn a_flow_action_puts_a_customer_in_a_segment_by_hand(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 4).await;
    let body = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(body)).await.0, 201);
    let customers: Vec<String> = shop.customer_tags().into_keys().collect();
    let customer = customers[0].clone();
    let gid = format!("gid://shopify/Customer/{customer}");
    let properties = json!({ "customer_id": gid, "segment_slug": "vip" });
    let (status, _, answer) =
        app.request(action(&shop.domain, "tag-customer", "t-1", properties.clone())).await;
    assert_eq!((status, answer.as_str()), (200, r#"{"repeated":false}"#), "{}", fresh.name);
    let store_domain = domain(&shop.domain);
    let only_them = vec![customer.clone()];
    assert_eq!(fresh.store.member_ids(&store_domain, "vip").await.unwrap(), only_them);
    app.run_jobs().await;
    assert!(shop.tagged("seglink:vip").contains(&customer), "the tag is pushed");

    // Flow sends the run again; a full evaluation keeps the hand-made member.
    let (status, _, answer) = app.request(action(&shop.domain, "tag-customer", "t-1", properties)).await;
    assert_eq!((status, answer.as_str()), (200, r#"{"repeated":true}"#));
    assert_eq!(app.admin(&shop, "POST", "/api/segments/recompute", None).await.0, 200);
    assert_eq!(fresh.store.member_ids(&store_domain, "vip").await.unwrap(), only_them, "{}", fresh.name);

    for (properties, reason) in [
        (json!({ "customer_id": "ada", "segment_slug": "vip" }), "customer id"),
        (
            json!({ "customer_id": customer.parse::<u64>().unwrap(), "segment_slug": "nope" }),
            "no segment `nope`",
        ),
        (json!({ "segment_slug": "vip" }), "/properties/customer_id"),
    ] {
        let (status, _, body) = app.request(action(&shop.domain, "tag-customer", "t-bad", properties)).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(reason), "{reason}: {body}");
    }

    // The segment goes: so does the hand-made membership, and a new "vip" starts empty.
    assert_eq!(app.admin(&shop, "DELETE", "/api/segments/vip", None).await.0, 202);
    app.run_jobs().await;
    let body = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(body)).await;
    assert_eq!((status, created["member_count"].as_i64()), (201, Some(0)), "{created}");
}
on_each_engine!(a_flow_action_puts_a_customer_in_a_segment_by_hand);

/// The listing score `product`'s metafields last received.
async fn written_score(fresh: &Fresh, shop: &SimulatedShop, product: u64) -> i64 {
    let id = product.to_string();
    let written =
        fresh.store.metafield_digests(&domain(&shop.domain), std::slice::from_ref(&id)).await.unwrap();
    written[&id].1.unwrap()
}

/// A product whose listing gets worse fires "Product listing score dropped" with the score its
/// metafields had and the new one, when its metafields are written next; a first write and a
/// better listing fire nothing.
async fn a_lower_listing_score_fires_its_trigger_when_written(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 3).await;
    shop.subscribe_declared_topics();
    shop.sim
        .with_admin(|admin| admin.flow_mut().add_workflow("listing-score-dropped", crate::helpers::now()));
    shop.forward_flow_callbacks(&app).await;
    let write_all = async || {
        let (status, _) = app.admin(&shop, "POST", "/api/products/metafields", None).await;
        assert_eq!(status, 202);
        app.run_jobs().await;
    };
    write_all().await;
    assert!(shop.flow_received().is_empty(), "a first score is no drop");

    let product = shop.sim.with_admin(|admin| admin.shop().products[0].id);
    let before = written_score(&fresh, &shop, product).await;
    shop.sim
        .with_admin(|admin| {
            admin.edit_listing(
                product,
                |listing| {
                    listing.description_html = String::new();
                    listing.seo_title = None;
                },
                crate::helpers::now(),
            )
        })
        .unwrap();
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;
    write_all().await;
    let after = written_score(&fresh, &shop, product).await;
    assert!(after < before, "the edit lowers the score: {before} -> {after}");
    let expected = json!({ "product_id": product, "Old score": before, "New score": after });
    assert_eq!(shop.flow_received(), vec![("listing-score-dropped".to_owned(), expected)]);
    let runs = shop.sim.with_admin(|admin| admin.flow_mut().runs().len());
    assert_eq!(runs, 1);
}
on_each_engine!(a_lower_listing_score_fires_its_trigger_when_written);
