//! Discount rules through the admin API on every database: refused with the path to the bad
//! field, at most 25 active, and every change compiled and written to the discount node's
//! metafield, over whatever was written there in between.

use seglink::shopify::operations::{SetMetafields, set_metafields};
use serde_json::{Value, json};

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, installed, on_each_engine};

fn rule(segment: &str, title: &str, percent: &str) -> Value {
    json!({ "segment": segment, "title": title, "value": { "percentage": percent }, "target": { "type": "orderSubtotal" } })
}

/// The rules the discount node's metafield holds now, as the Function would read them.
fn written(shop: &SimulatedShop, discount_id: &str) -> Vec<discount_rules::Rule> {
    let node = shop.sim.with_admin(|admin| admin.checkout_discount(discount_id, None)).unwrap();
    let (_, _, value) = node.metafields.iter().find(|(_, key, _)| key == "config").unwrap();
    discount_rules::FunctionConfig::from_metafield_json(value).unwrap().rules().unwrap()
}

/// A shop with the segment `vip` and one active rule for it, written to Shopify; the rule's id and
/// the discount's.
async fn with_one_rule(fresh: &Fresh) -> (SimulatedShop, TestApp, i64, String) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    let segment = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment)).await.0, 201);
    let (status, listing) =
        app.admin(&shop, "POST", "/api/discount-rules", Some(rule("vip", "VIP 10% off", "10"))).await;
    assert_eq!(status, 201, "{listing}");
    assert_eq!(listing["sync"]["state"], "synced");
    let discount_id = listing["sync"]["discount_id"].as_str().unwrap().to_owned();
    let id = listing["rules"][0]["id"].as_i64().unwrap();
    assert_eq!(written(&shop, &discount_id)[0].title, "VIP 10% off");
    (shop, app, id, discount_id)
}

async fn a_bad_rule_is_refused_with_the_path_to_the_bad_field(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    let segment = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment)).await.0, 201);
    let cases = [
        (rule("nobody", "Hi", "10"), "/segment"),
        (rule("vip", "Too much", "150"), "/value"),
        (
            json!({ "segment": "vip", "title": "x", "value": { "percentage": "10" }, "target": { "type": "everything" } }),
            "/target/type",
        ),
    ];
    for (body, path) in cases {
        let (status, answer) = app.admin(&shop, "POST", "/api/discount-rules", Some(body.clone())).await;
        assert_eq!((status, answer["path"].as_str()), (422, Some(path)), "{body}: {answer}");
    }
    let (_, listing) = app.admin(&shop, "GET", "/api/discount-rules", None).await;
    assert_eq!(listing["rules"], json!([]), "nothing refused was kept");
}
on_each_engine!(a_bad_rule_is_refused_with_the_path_to_the_bad_field);

async fn every_change_reaches_the_discount_over_whatever_was_written_since(fresh: Fresh) {
    let (shop, app, id, discount_id) = with_one_rule(&fresh).await;
    // Another replica wrote the metafield since: the next change still lands, over it.
    let domain = seglink::shopify::ShopDomain::parse(&shop.domain).unwrap();
    let input = set_metafields::MetafieldsSetInput {
        owner_id: discount_id.clone(),
        namespace: Some("$app:seglink".to_owned()),
        key: "config".to_owned(),
        type_: Some("json".to_owned()),
        value: "{}".to_owned(),
        compare_digest: None,
    };
    let variables = set_metafields::Variables { metafields: vec![input] };
    app.state.shopify.run::<SetMetafields>(&domain, variables).await.unwrap();
    let (status, toggled) = app
        .admin(&shop, "POST", &format!("/api/discount-rules/{id}/toggle"), Some(json!({ "active": false })))
        .await;
    assert_eq!(status, 200, "{toggled}");
    assert_eq!(toggled["rules"][0]["active"], false);
    assert!(written(&shop, &discount_id).is_empty(), "an inactive rule never reaches checkout");

    let (status, _) = app
        .admin(&shop, "PUT", &format!("/api/discount-rules/{id}"), Some(rule("vip", "VIP 15% off", "15")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(written(&shop, &discount_id)[0].title, "VIP 15% off");
}
on_each_engine!(every_change_reaches_the_discount_over_whatever_was_written_since);

async fn at_most_25_rules_are_active(fresh: Fresh) {
    let (shop, app, _, discount_id) = with_one_rule(&fresh).await;
    for index in 1..25 {
        let (status, answer) = app
            .admin(&shop, "POST", "/api/discount-rules", Some(rule("vip", &format!("Rule {index}"), "5")))
            .await;
        assert_eq!(status, 201, "{index}: {answer}");
    }
    let (status, answer) =
        app.admin(&shop, "POST", "/api/discount-rules", Some(rule("vip", "One too many", "5"))).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/")), "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("25"), "{answer}");
    assert_eq!(written(&shop, &discount_id).len(), 25);
}
on_each_engine!(at_most_25_rules_are_active);

async fn a_rewarded_segment_stays_and_a_rule_whose_segment_is_gone_stays_off(fresh: Fresh) {
    let (shop, app, id, _) = with_one_rule(&fresh).await;
    let (status, answer) = app.admin(&shop, "DELETE", "/api/segments/vip", None).await;
    assert_eq!(status, 409, "an active rule rewards it: {answer}");

    // A rule turned off no longer holds its segment; one whose segment is gone stays off.
    let gone = json!({ "name": "Gone", "slug": "gone", "rules": { "if": "tag", "is": "x" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(gone)).await.0, 201);
    let (_, listing) =
        app.admin(&shop, "PUT", &format!("/api/discount-rules/{id}"), Some(rule("gone", "Gone", "5"))).await;
    assert_eq!(listing["rules"][0]["segment"], "gone");
    let toggle = format!("/api/discount-rules/{id}/toggle");
    assert_eq!(app.admin(&shop, "POST", &toggle, Some(json!({ "active": false }))).await.0, 200);
    assert_eq!(app.admin(&shop, "DELETE", "/api/segments/gone", None).await.0, 202);
    let (status, answer) = app.admin(&shop, "POST", &toggle, Some(json!({ "active": true }))).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/segment")), "{answer}");
}
on_each_engine!(a_rewarded_segment_stays_and_a_rule_whose_segment_is_gone_stays_off);

async fn a_deleted_rule_is_gone_and_deleting_it_again_is_not_found(fresh: Fresh) {
    let (shop, app, id, discount_id) = with_one_rule(&fresh).await;
    let (status, listing) = app.admin(&shop, "DELETE", &format!("/api/discount-rules/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(listing["rules"], json!([]));
    assert!(written(&shop, &discount_id).is_empty());
    assert_eq!(app.admin(&shop, "DELETE", &format!("/api/discount-rules/{id}"), None).await.0, 404);
}
on_each_engine!(a_deleted_rule_is_gone_and_deleting_it_again_is_not_found);

async fn a_reinstall_provisions_again_and_the_new_discount_gets_the_rules(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    shop.subscribe_declared_topics();
    let segment = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment)).await.0, 201);
    let (_, listing) =
        app.admin(&shop, "POST", "/api/discount-rules", Some(rule("vip", "VIP 10% off", "10"))).await;
    let first = listing["sync"]["discount_id"].as_str().unwrap().to_owned();

    // Uninstalling takes the pixel, the definitions and the discount away in Shopify.
    shop.sim.with_admin(|admin| admin.uninstall(crate::helpers::now()));
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;
    assert_eq!(shop.inspect("{ webPixel { id } }")["data"]["webPixel"], Value::Null, "{}", fresh.name);

    let (status, session) = app.open_admin(&shop).await;
    assert_eq!(status, 200, "{session}");
    app.run_jobs().await;
    let (_, session) = app.open_admin(&shop).await;
    let states: Vec<&str> =
        session["setup"].as_array().unwrap().iter().map(|step| step["state"].as_str().unwrap()).collect();
    assert!(states.iter().all(|state| matches!(*state, "done" | "skipped")), "{}: {session}", fresh.name);
    assert!(shop.inspect("{ webPixel { id } }")["data"]["webPixel"]["id"].is_string(), "the pixel again");
    let (_, listing) = app.admin(&shop, "GET", "/api/discount-rules", None).await;
    let second = listing["sync"]["discount_id"].as_str().unwrap().to_owned();
    assert_ne!(first, second, "a new discount: {listing}");
    assert_eq!(written(&shop, &second)[0].title, "VIP 10% off", "the rules survive a reinstall");
}
on_each_engine!(a_reinstall_provisions_again_and_the_new_discount_gets_the_rules);

async fn two_rules_added_at_once_never_pass_the_limit_together(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    let segment = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "tag", "is": "vip" } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment)).await.0, 201);
    for index in 0..24 {
        let body = rule("vip", &format!("Rule {index}"), "5");
        assert_eq!(app.admin(&shop, "POST", "/api/discount-rules", Some(body)).await.0, 201);
    }
    // Both check the same 24 rules; the store's write lock lets only one of them add the 25th.
    let (first, second) = tokio::join!(
        app.admin(&shop, "POST", "/api/discount-rules", Some(rule("vip", "Last A", "5"))),
        app.admin(&shop, "POST", "/api/discount-rules", Some(rule("vip", "Last B", "5"))),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{}: {} / {}", fresh.name, first.1, second.1);
    assert_eq!(fresh.store.discount_rules(&domain(&shop.domain)).await.unwrap().len(), 25);
}
on_each_engine!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    two_rules_added_at_once_never_pass_the_limit_together
);
