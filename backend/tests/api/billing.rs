//! Billing through Shopify App Pricing against the simulator: the plan is what Shopify says (read
//! on install, on `app_subscriptions/update` and on each visit of the Billing page), changed on
//! Shopify's plan page; over a limit new work is refused with the way to upgrade and nothing
//! already accepted is dropped; a store gets one trial.

use serde_json::{Value, json};

use crate::helpers::{Fresh, TestApp, domain, installed, on_each_engine};
use crate::pixel::{batch, post};

fn segment(index: usize) -> Value {
    json!({ "name": format!("Segment {index}"), "slug": format!("s{index}"), "rules": { "if": "tag", "is": format!("t{index}") } })
}

fn rule(title: &str, active: bool) -> Value {
    json!({ "segment": "s0", "title": title, "active": active, "value": { "percentage": "5" }, "target": { "type": "orderSubtotal" } })
}

async fn the_plan_is_what_shopify_says_and_changes_on_its_plan_page(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    shop.subscribe_declared_topics();
    let (status, billing) = app.admin(&shop, "GET", "/api/billing", None).await;
    assert_eq!(status, 200, "{billing}");
    assert_eq!(billing["plan"]["handle"], "scale", "{}: {billing}", fresh.name);
    assert_eq!(billing["trial"]["state"], "running", "Scale's 30-day trial: {billing}");
    assert_eq!(billing["limits"]["segments"], 100);
    assert_eq!(billing["usage"]["customers"], 5);
    let handle = shop.domain.trim_end_matches(".myshopify.com");
    assert_eq!(
        billing["upgrade_url"],
        format!("{}/store/{handle}/charges/seglink/pricing_plans", shop.origin),
        "Shopify's plan page for this store"
    );

    // The merchant declines Growth: nothing changes.
    let welcome = shop.choose_plan("growth", "decline").await;
    assert!(welcome.ends_with("/billing"), "back to the app's welcome link: {welcome}");
    assert_eq!(shop.forward_webhooks(&app).await, 0);

    // Then picks Starter: Shopify cancels Scale and says so; the webhook makes Seglink read again.
    shop.choose_plan("starter", "approve").await;
    assert_eq!(shop.forward_webhooks(&app).await, 1, "app_subscriptions/update");
    app.run_jobs().await;
    let stored = fresh.store.plan(&domain(&shop.domain)).await.unwrap().unwrap();
    assert_eq!((stored.plan.as_str(), stored.subscription_id), ("starter", None), "{}", fresh.name);

    // Nothing in the address the merchant lands on says the plan.
    let (_, billing) = app.admin(&shop, "GET", "/api/billing?plan=scale&charge_id=1", None).await;
    assert_eq!(billing["plan"]["handle"], "starter", "{billing}");
    assert_eq!(billing["limits"]["segments"], 3);
    assert_eq!(billing["plans"].as_array().map(Vec::len), Some(3));
}
on_each_engine!(the_plan_is_what_shopify_says_and_changes_on_its_plan_page);

async fn over_a_limit_new_work_is_refused_and_nothing_accepted_is_dropped(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    shop.subscribe_declared_topics();
    for index in 0..4 {
        assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment(index))).await.0, 201);
    }
    for title in ["A", "B"] {
        assert_eq!(app.admin(&shop, "POST", "/api/discount-rules", Some(rule(title, true))).await.0, 201);
    }
    assert_eq!(app.admin(&shop, "POST", "/api/discount-rules", Some(rule("Off", false))).await.0, 201);

    // Down to Starter: three segments and one active rule.
    shop.choose_plan("starter", "approve").await;
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;

    let (status, refusal) = app.admin(&shop, "POST", "/api/segments", Some(segment(9))).await;
    assert_eq!(status, 402, "{}: {refusal}", fresh.name);
    assert_eq!(refusal["limit"], "segments");
    assert!(refusal["error"].as_str().unwrap().contains("Starter plan allows 3 segments"), "{refusal}");
    assert!(refusal["upgrade_url"].as_str().unwrap().ends_with("/charges/seglink/pricing_plans"));

    let (_, rules) = app.admin(&shop, "GET", "/api/discount-rules", None).await;
    let off =
        rules["rules"].as_array().unwrap().iter().find(|rule| rule["title"] == "Off").unwrap()["id"].clone();
    let turn_on = json!({ "active": true });
    let (status, refusal) =
        app.admin(&shop, "POST", &format!("/api/discount-rules/{off}/toggle"), Some(turn_on)).await;
    assert_eq!((status, refusal["limit"].as_str()), (402, Some("active_rules")), "{refusal}");

    // What was accepted stays: four segments, two active rules, and an active one still edits.
    let (_, list) = app.admin(&shop, "GET", "/api/segments", None).await;
    let kept =
        list["segments"].as_array().unwrap().iter().filter(|segment| segment["suggested"] == false).count();
    assert_eq!(kept, 4, "{list}");
    let (_, rules) = app.admin(&shop, "GET", "/api/discount-rules", None).await;
    let active = rules["rules"].as_array().unwrap().iter().filter(|rule| rule["active"] == true).count();
    assert_eq!(active, 2, "{rules}");
    let first = rules["rules"][0]["id"].clone();
    let edited =
        app.admin(&shop, "PUT", &format!("/api/discount-rules/{first}"), Some(rule("A2", true))).await;
    assert_eq!(edited.0, 200, "{}", edited.1);
    let (status, billing) = app.admin(&shop, "GET", "/api/billing", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (billing["usage"]["segments"].as_i64(), billing["usage"]["active_rules"].as_i64()),
        (Some(4), Some(2))
    );

    // Back on Growth, new work goes on.
    shop.choose_plan("growth", "approve").await;
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment(9))).await.0, 201, "{}", fresh.name);
}
on_each_engine!(over_a_limit_new_work_is_refused_and_nothing_accepted_is_dropped);

async fn storefront_events_past_the_months_allowance_are_refused(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 3).await;
    shop.subscribe_declared_topics();
    shop.choose_plan("starter", "approve").await;
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;
    let (_, session) = app.open_admin(&shop).await;
    let key = session["workspace"]["public_key"].as_str().unwrap().to_owned();
    let event = |id: &str| json!({ "kind": "page_view", "id": id, "occurred_at": "2026-12-01T10:00:00Z", "client_id": "client-1" });
    let (status, _, answer) = post(&app, batch(&key, &shop.domain, true, vec![event("a"), event("b")])).await;
    assert_eq!((status, answer["accepted"].as_i64()), (200, Some(2)), "{answer}");
    let (_, billing) = app.admin(&shop, "GET", "/api/billing", None).await;
    assert_eq!(billing["usage"]["pixel_events_this_month"], 2, "{}: {billing}", fresh.name);
    // Counted in memory, then written (every few seconds, and when the process stops).
    let month = seglink::clock::unix_now().month();
    let store_domain = domain(&shop.domain);
    app.state.pixel_usage.flush(&app.state.store).await;
    assert_eq!(fresh.store.pixel_usage(&store_domain, month).await.unwrap(), 2);
    assert_eq!(app.state.pixel_usage.pending(&store_domain, month), 0);

    // The month's allowance is used up; a replica that has not looked yet reads it and refuses.
    fresh.store.add_pixel_usage(month, &[(&store_domain, 50_000 - 2)]).await.unwrap();
    let replica = TestApp::configured(fresh.store.clone(), app.state.config.clone());
    let (status, _, refusal) = post(&replica, batch(&key, &shop.domain, true, vec![event("c")])).await;
    assert_eq!((status, refusal["limit"].as_str()), (402, Some("pixel_events_per_month")), "{refusal}");
    assert_eq!(refusal["upgrade_url"], Value::Null, "no plan page for shoppers");
    let stored: Vec<String> =
        fresh.store.events(&store_domain).await.unwrap().into_iter().map(|event| event.source_id).collect();
    assert!(stored.contains(&"a".to_owned()) && !stored.contains(&"c".to_owned()), "{stored:?}");
}
on_each_engine!(storefront_events_past_the_months_allowance_are_refused);

async fn a_store_that_had_a_trial_does_not_get_a_second(fresh: Fresh) {
    // The store had Growth's trial in the autumn, uninstalled, and is back: Shopify gives the
    // trial again (it is not documented that it would not), Seglink's ledger remembers.
    let now = seglink::clock::unix_now();
    let autumn = seglink::db::TrialRow {
        subscription_id: "gid://shopify/AppSubscription/1".to_owned(),
        started_at: now - 90 * 86_400,
        ends_at: now - 60 * 86_400,
    };
    let store_domain = domain("seglink-demo-1.myshopify.com");
    fresh.store.record_trial(&seglink::billing::shop_hash(&store_domain), &autumn).await.unwrap();
    let (shop, app) = installed(fresh.store.clone(), 3).await;
    assert_eq!(shop.domain, store_domain.as_str(), "the store whose trial is on record");
    shop.subscribe_declared_topics();
    shop.choose_plan("growth", "approve").await;
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;

    let (_, billing) = app.admin(&shop, "GET", "/api/billing", None).await;
    assert_eq!(billing["plan"]["handle"], "growth", "{}: {billing}", fresh.name);
    assert_eq!(billing["trial"]["state"], "already_used", "{billing}");
    assert_eq!(billing["limits"]["segments"], 3, "Starter's limits until billing starts: {billing}");
    for index in 0..3 {
        assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment(index))).await.0, 201);
    }
    let (status, refusal) = app.admin(&shop, "POST", "/api/segments", Some(segment(3))).await;
    assert_eq!(status, 402, "{refusal}");
    assert!(refusal["error"].as_str().unwrap().contains("Starter"), "{refusal}");
}
on_each_engine!(a_store_that_had_a_trial_does_not_get_a_second);

async fn a_store_on_its_own_custom_app_has_its_workspaces_plan(fresh: Fresh) {
    use seglink::db::{Connection, PlanRow};
    let store = &fresh.store;
    let now = seglink::clock::unix_now();
    let owner = domain("owner-store.myshopify.com");
    let joined = domain("joined-store.myshopify.com");
    let (workspace, _) = seglink::install::workspace::create(store, &owner, now).await.unwrap();
    let tokens = crate::helpers::stored_tokens("sealed".to_owned(), "");
    store.connect_shop(&owner, &workspace.id, Connection::Managed, &tokens, now).await.unwrap();
    store.connect_shop(&joined, &workspace.id, Connection::Custom, &tokens, now).await.unwrap();
    let growth = PlanRow { plan: "growth".to_owned(), synced_at: now, ..PlanRow::default() };
    store.save_plan(&owner, &growth).await.unwrap();
    // The custom app's own read of Shopify finds no subscription: it cannot have one.
    let free = PlanRow { plan: "starter".to_owned(), synced_at: now, ..PlanRow::default() };
    store.save_plan(&joined, &free).await.unwrap();

    let entitlement = seglink::billing::Entitlement::read(store, &joined, now, None).await.unwrap();
    assert_eq!((entitlement.plan.handle, entitlement.limits.segments), ("growth", 25), "{}", fresh.name);
    assert!(entitlement.upgrade_url.contains("/store/owner-store/"), "the owner store's plan page");
    let own = seglink::billing::Entitlement::read(store, &owner, now, None).await.unwrap();
    assert_eq!(own.plan.handle, "growth");
}
on_each_engine!(a_store_on_its_own_custom_app_has_its_workspaces_plan);
