//! Segments against the simulator on every database: rules checked with the path to the bad
//! field, membership with counts, changes, preview and "why in / why not", and tag push-back
//! that leaves Shopify's tags equal to membership through throttling, 5xx and a push broken
//! midway, touching no other tag and calling nothing twice.

use seglink::clock::UnixTime;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use shopify_sim::server::{Fault, FaultKind};

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, installed, installed_with, now, on_each_engine};

fn members(answer: &Value) -> BTreeSet<String> {
    answer["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["customer_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn all_members(app: &TestApp, shop: &SimulatedShop, slug: &str) -> BTreeSet<String> {
    let (status, page) =
        app.admin(shop, "GET", &format!("/api/segments/{slug}/members?limit=1000"), None).await;
    assert_eq!(status, 200, "{page}");
    members(&page)
}

/// Every tag but Seglink's, by customer: what push-back must never touch.
fn other_tags(tags: BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    tags.into_iter()
        .map(|(id, tags)| (id, tags.into_iter().filter(|tag| !tag.starts_with("seglink:")).collect()))
        .collect()
}

fn calls_per_customer(calls: &[Value], tag: &str) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for call in calls.iter().filter(|call| call["tags"] == json!([tag])) {
        let id = call["id"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        *counted.entry(id).or_insert(0) += 1;
    }
    counted
}

#[tokio::test]
async fn bad_segments_are_refused_with_the_path_to_the_bad_field() {
    let fresh = Fresh::sqlite().await;
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    let cases = [
        (
            json!({ "name": "VIP", "rules": { "all": [{ "if": "tag", "is": "vip" }, { "if": "amount_spent", "op": "=", "cents": 1 }] } }),
            "/rules/all/1/op",
        ),
        (json!({ "name": "  ", "rules": { "if": "tag", "is": "vip" } }), "/name"),
        (json!({ "name": "VIP", "slug": "Not A Slug", "rules": { "if": "tag", "is": "vip" } }), "/slug"),
        (
            json!({ "name": "VIP", "rules": { "if": "did", "event": "product_view", "product_id": "shoe", "times": 1, "days": 7 } }),
            "/rules/product_id",
        ),
        (
            json!({ "name": "Typo", "rules": { "if": "did", "event": "viewed_product", "times": 1, "days": 7 } }),
            "/rules/event",
        ),
    ];
    for (body, path) in cases {
        let (status, answer) = app.admin(&shop, "POST", "/api/segments", Some(body.clone())).await;
        assert_eq!((status, answer["path"].as_str()), (422, Some(path)), "{body}: {answer}");
        assert!(answer["error"].as_str().unwrap().starts_with(path), "{answer}");
    }
    let (status, answer) = app.admin(&shop, "POST", "/api/segments", Some(json!({ "rules": {} }))).await;
    assert_eq!(status, 422);
    assert!(answer["error"].as_str().unwrap().contains("name"), "serde names the missing field: {answer}");
    let (status, _) = app.call("GET", "/api/segments", None, None).await;
    assert_eq!(status, 401, "no session, no segments");
    let (status, answer) =
        app.admin(&shop, "POST", "/api/segments/preview", Some(json!({ "rules": { "any": [] } }))).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/rules/any")));
    let (_, list) = app.admin(&shop, "GET", "/api/segments", None).await;
    assert!(
        list["segments"].as_array().unwrap().iter().all(|segment| segment["suggested"] == true),
        "nothing refused was stored: {list}"
    );
}

async fn the_backfill_suggests_a_segment_with_members(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 30).await;
    let (_, list) = app.admin(&shop, "GET", "/api/segments", None).await;
    let suggested = &list["segments"][0];
    assert_eq!(suggested["slug"], "top-spenders", "one suggestion after the backfill: {list}");
    assert!(suggested["member_count"].as_i64().unwrap() >= 1, "{suggested}");
}
on_each_engine!(the_backfill_suggests_a_segment_with_members);

/// "Regulars" (3 orders or more in 90 days) saved after its preview, in a shop of 30 customers:
/// the preview, the saved segment and its members.
struct Regulars {
    shop: SimulatedShop,
    app: TestApp,
    preview: Value,
    created: Value,
    inside: BTreeSet<String>,
}

const REGULARS: &str = "regulars";

impl Regulars {
    async fn saved(fresh: &Fresh) -> Self {
        let (shop, app) = installed(fresh.store.clone(), 30).await;
        let (status, preview) =
            app.admin(&shop, "POST", "/api/segments/preview", Some(json!({ "rules": Self::rules() }))).await;
        assert_eq!(status, 200, "{preview}");
        let body = json!({ "name": "Regulars", "rules": Self::rules() });
        let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(body)).await;
        assert_eq!(status, 201, "{created}");
        let inside = all_members(&app, &shop, REGULARS).await;
        Self { shop, app, preview, created, inside }
    }

    fn rules() -> Value {
        json!({ "all": [{ "if": "orders_count", "op": ">=", "value": 3, "days": 90 }] })
    }

    async fn explain(&self, customer: &str) -> (u16, Value) {
        self.app.admin(&self.shop, "GET", &format!("/api/segments/regulars/explain/{customer}"), None).await
    }
}

async fn a_saved_segment_holds_what_its_preview_counted(fresh: Fresh) {
    let Regulars { preview, created, inside, .. } = Regulars::saved(&fresh).await;
    assert!(preview["native"]["reason"].as_str().unwrap().contains("window of days"), "{preview}");
    assert_eq!(created["slug"], "regulars");
    assert_eq!(created["tag"], "seglink:regulars");
    assert_eq!(created["member_count"], preview["count"], "the preview counted what saving stores");
    assert_eq!(created["native"]["tag_query"], "customer_tags CONTAINS 'seglink:regulars'");
    assert_eq!(inside.len() as i64, created["member_count"].as_i64().unwrap());
    assert!(!inside.is_empty() && inside.len() < 30, "a real cut of the shop: {}", inside.len());
}
on_each_engine!(a_saved_segment_holds_what_its_preview_counted);

async fn a_taken_slug_is_a_conflict(fresh: Fresh) {
    let regulars = Regulars::saved(&fresh).await;
    let body = json!({ "name": "Regulars", "rules": Regulars::rules() });
    let (status, answer) = regulars.app.admin(&regulars.shop, "POST", "/api/segments", Some(body)).await;
    assert_eq!(status, 409, "the slug is taken: {answer}");
}
on_each_engine!(a_taken_slug_is_a_conflict);

async fn a_member_and_an_outsider_are_each_told_why(fresh: Fresh) {
    let regulars = Regulars::saved(&fresh).await;
    let member = regulars.inside.iter().next().unwrap();
    let (status, why) = regulars.explain(member).await;
    assert_eq!(status, 200, "{why}");
    assert_eq!((why["member"].clone(), why["recorded_member"].clone()), (json!(true), json!(true)));
    assert!(why["conditions"][0]["detail"].as_str().unwrap().starts_with("orders in 90 days "), "{why}");
    let outsider =
        regulars.shop.customer_tags().into_keys().find(|id| !regulars.inside.contains(id)).unwrap();
    let (_, why_not) = regulars.explain(&outsider).await;
    assert_eq!(why_not["member"], false);
    assert!(why_not["conditions"][0]["detail"].as_str().unwrap().contains(" < 3"), "{why_not}");
    assert_eq!(regulars.explain("404").await.0, 404, "an unknown customer");
}
on_each_engine!(a_member_and_an_outsider_are_each_told_why);

async fn raising_the_bar_lets_some_leave_and_records_each_exit(fresh: Fresh) {
    let Regulars { shop, app, inside, .. } = Regulars::saved(&fresh).await;
    let stricter =
        json!({ "name": "Regulars", "rules": { "if": "orders_count", "op": ">=", "value": 4, "days": 90 } });
    let (status, updated) = app.admin(&shop, "PUT", "/api/segments/regulars", Some(stricter)).await;
    assert_eq!(status, 200, "{updated}");
    let remaining = all_members(&app, &shop, REGULARS).await;
    assert!(remaining.is_subset(&inside) && remaining.len() < inside.len(), "{remaining:?} of {inside:?}");
    let (_, changes) = app.admin(&shop, "GET", "/api/segments/regulars/changes", None).await;
    let left: BTreeSet<String> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|change| change["change"] == "left")
        .map(|change| change["customer_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, inside.difference(&remaining).cloned().collect());
}
on_each_engine!(raising_the_bar_lets_some_leave_and_records_each_exit);

async fn tags_equal_membership_after_throttling_and_5xx_and_nothing_is_called_twice(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 40).await;
    let before = other_tags(shop.customer_tags());
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::ThrottledBurst,
        times: 1,
        after: 0,
    });
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Status { status: 503 },
        times: 2,
        after: 3,
    });
    let rules = json!({ "if": "orders_count", "op": ">=", "value": 3, "days": 90 });
    let (status, created) =
        app.admin(&shop, "POST", "/api/segments", Some(json!({ "name": "Regulars", "rules": rules }))).await;
    assert_eq!(status, 201, "{created}");
    app.run_jobs().await;
    let inside = all_members(&app, &shop, "regulars").await;
    assert_eq!(shop.tagged("seglink:regulars"), inside, "Shopify's tags are the membership");
    assert_eq!(other_tags(shop.customer_tags()), before, "no other tag touched");
    let adds = calls_per_customer(&shop.calls("tagsAdd"), "seglink:regulars");
    assert_eq!(adds.keys().cloned().collect::<BTreeSet<_>>(), inside);
    assert!(adds.values().all(|count| *count == 1), "one call per entering customer: {adds:?}");
    let (_, status_now) = app.admin(&shop, "GET", "/api/segments/regulars/push", None).await;
    assert_eq!(status_now["state"], "done", "{status_now}");
    assert_eq!(status_now["added"].as_u64().unwrap() as usize, inside.len());

    // Nothing changed: a push costs no call.
    let calls_before = shop.calls("tagsAdd").len() + shop.calls("tagsRemove").len();
    app.admin(&shop, "POST", "/api/segments/regulars/push", None).await;
    app.run_jobs().await;
    assert_eq!(shop.calls("tagsAdd").len() + shop.calls("tagsRemove").len(), calls_before);

    // Some leave: only they lose the tag, with one call each.
    let stricter =
        json!({ "name": "Regulars", "rules": { "if": "orders_count", "op": ">=", "value": 4, "days": 90 } });
    app.admin(&shop, "PUT", "/api/segments/regulars", Some(stricter)).await;
    app.run_jobs().await;
    let remaining = all_members(&app, &shop, "regulars").await;
    assert_eq!(shop.tagged("seglink:regulars"), remaining);
    let removes = calls_per_customer(&shop.calls("tagsRemove"), "seglink:regulars");
    assert_eq!(
        removes.keys().cloned().collect::<BTreeSet<_>>(),
        inside.difference(&remaining).cloned().collect()
    );
    assert_eq!(other_tags(shop.customer_tags()), before);

    // Deleting the segment takes every tag away, then the segment.
    let (status, _) = app.admin(&shop, "DELETE", "/api/segments/regulars", None).await;
    assert_eq!(status, 202);
    app.run_jobs().await;
    assert!(shop.tagged("seglink:regulars").is_empty());
    assert!(
        fresh.store.segment(&domain(&shop.domain), "regulars").await.unwrap().is_none(),
        "gone once untagged"
    );
}
on_each_engine!(tags_equal_membership_after_throttling_and_5xx_and_nothing_is_called_twice);

async fn a_push_broken_midway_resumes_with_only_the_calls_still_missing(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 40).await;
    // The sixth tag call fails for good: not retried (a 500 is no transient error), the job
    // fails, as if the worker had died there. Saving queues two pushes (the recompute's and
    // "push now"); the second fails at its first call too.
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Status { status: 500 },
        times: 2,
        after: 5,
    });
    let rules = json!({ "if": "orders_count", "op": ">=", "value": 2, "days": 90 });
    let (status, _) =
        app.admin(&shop, "POST", "/api/segments", Some(json!({ "name": "Buyers", "rules": rules }))).await;
    assert_eq!(status, 201);
    app.run_jobs().await;
    let inside = all_members(&app, &shop, "buyers").await;
    assert!(inside.len() > 10, "{}", inside.len());
    let (_, broken) = app.admin(&shop, "GET", "/api/segments/buyers/push", None).await;
    assert_eq!(broken["state"], "failed", "{broken}");
    let partial = shop.tagged("seglink:buyers");
    assert_eq!(partial.len(), 5, "five calls went through before the failure");

    app.admin(&shop, "POST", "/api/segments/buyers/push", None).await;
    app.run_jobs().await;
    assert_eq!(shop.tagged("seglink:buyers"), inside);
    let adds = calls_per_customer(&shop.calls("tagsAdd"), "seglink:buyers");
    assert!(adds.values().all(|count| *count == 1), "no customer tagged twice: {adds:?}");
    assert_eq!(adds.len(), inside.len());
}
on_each_engine!(a_push_broken_midway_resumes_with_only_the_calls_still_missing);

async fn reconciliation_repairs_tags_edited_by_hand_and_counts_them(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 30).await;
    let rules = json!({ "if": "orders_count", "op": ">=", "value": 3, "days": 90 });
    app.admin(&shop, "POST", "/api/segments", Some(json!({ "name": "Regulars", "rules": rules }))).await;
    app.run_jobs().await;
    let inside = all_members(&app, &shop, "regulars").await;
    let member = inside.iter().next().unwrap().clone();
    let outsider = shop.customer_tags().into_keys().find(|id| !inside.contains(id)).unwrap();
    // By hand in Shopify's admin: a member loses the tag, an outsider gains it.
    shop.sim.with_admin(|admin| {
        let token = admin.oauth_mut().custom_app_token(&["write_customers"]);
        for (id, mutation) in [(&member, "tagsRemove"), (&outsider, "tagsAdd")] {
            let query = format!(r#"mutation {{ {mutation}(id: "gid://shopify/Customer/{id}", tags: ["seglink:regulars"]) {{ userErrors {{ message }} }} }}"#);
            admin.graphql(&token, &json!({ "query": query }), now());
        }
    });
    assert_ne!(shop.tagged("seglink:regulars"), inside);
    let (status, _) = app.admin(&shop, "POST", "/api/segments/reconcile", None).await;
    assert_eq!(status, 202);
    app.run_jobs().await;
    assert_eq!(shop.tagged("seglink:regulars"), inside, "drift repaired");
    let (_, pushed) = app.admin(&shop, "GET", "/api/segments/regulars/push", None).await;
    assert_eq!(pushed["repaired"], 2, "{pushed}");
    assert!(pushed["reconciled_at"].as_i64().is_some());
}
on_each_engine!(reconciliation_repairs_tags_edited_by_hand_and_counts_them);

const EVERYWHERE: [&str; 10] = ["US", "CA", "GB", "DE", "AU", "FR", "NL", "SE", "JP", "IE"];

async fn a_large_diff_goes_through_one_bulk_mutation_and_falls_back_when_refused(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 300).await;
    let everyone = json!({ "name": "Everyone", "rules": { "if": "country", "in": EVERYWHERE } });
    let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(everyone)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["member_count"], 300);
    app.run_jobs_ahead(5).await;
    assert_eq!(shop.tagged("seglink:everyone").len(), 300);
    assert_eq!(shop.calls("bulkOperationRunMutation").len(), 1);
    assert!(shop.calls("tagsAdd").is_empty(), "no call per customer");

    // Shopify refuses the staged upload: the push makes one call per customer instead.
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Status { status: 500 },
        times: 1,
        after: 0,
    });
    let europe = json!({ "name": "Europe", "rules": { "if": "country", "in": ["GB", "DE", "FR", "NL", "SE", "IE", "US"] } });
    let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(europe)).await;
    assert_eq!(status, 201, "{created}");
    let members = created["member_count"].as_u64().unwrap() as usize;
    assert!(members >= 250, "{members}");
    app.run_jobs_ahead(5).await;
    assert_eq!(shop.tagged("seglink:europe"), all_members(&app, &shop, "europe").await);
    assert_eq!(shop.calls("bulkOperationRunMutation").len(), 1, "no second bulk mutation");
    assert_eq!(calls_per_customer(&shop.calls("tagsAdd"), "seglink:europe").len(), members);
}
on_each_engine!(a_large_diff_goes_through_one_bulk_mutation_and_falls_back_when_refused);

#[tokio::test]
async fn native_segments_follow_the_rules_or_else_the_tag_and_say_why() {
    let fresh = Fresh::sqlite().await;
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    let attribute = json!({ "name": "Germany", "native": true, "rules": { "if": "country", "in": ["DE"] } });
    let behaviour = json!({ "name": "Browsers", "native": true,
        "rules": { "if": "did", "event": "product_view", "times": 2, "days": 30 } });
    for (body, slug, query) in [
        (attribute, "germany", "customer_countries CONTAINS 'DE'"),
        (behaviour, "browsers", "customer_tags CONTAINS 'seglink:browsers'"),
    ] {
        let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(body)).await;
        assert_eq!(status, 201, "{created}");
        app.run_jobs().await;
        let (_, segment) = app.admin(&shop, "GET", &format!("/api/segments/{slug}"), None).await;
        let signals = segment["storefront_signals"].as_array().unwrap().len();
        assert_eq!(signals, usize::from(slug == "browsers"), "views are a storefront's word: {segment}");
        let id = segment["native"]["segment_id"].as_str().unwrap_or_else(|| panic!("{segment}")).to_owned();
        let found = shop.inspect(&format!(r#"{{ segment(id: "{id}") {{ name query }} }}"#));
        assert_eq!(found["data"]["segment"]["query"], query, "{found}");
        assert_eq!(
            found["data"]["segment"]["name"],
            format!("Seglink: {}", segment["name"].as_str().unwrap())
        );
        if slug == "browsers" {
            assert!(segment["native"]["reason"].as_str().unwrap().contains("behavioural"), "{segment}");
            assert!(segment["push"]["detail"].as_str().unwrap().contains("follows the tag"), "{segment}");
        }
    }
    // Renamed: the same Shopify segment is updated, not a second one made.
    let renamed =
        json!({ "name": "Deutschland", "native": true, "rules": { "if": "country", "in": ["DE", "AT"] } });
    app.admin(&shop, "PUT", "/api/segments/germany", Some(renamed)).await;
    app.run_jobs().await;
    let (_, segment) = app.admin(&shop, "GET", "/api/segments/germany", None).await;
    let id = segment["native"]["segment_id"].as_str().unwrap();
    let found = shop.inspect(&format!(r#"{{ segment(id: "{id}") {{ name query }} }}"#));
    assert_eq!(found["data"]["segment"]["name"], "Seglink: Deutschland");
    assert_eq!(
        found["data"]["segment"]["query"],
        "customer_countries CONTAINS 'DE' OR customer_countries CONTAINS 'AT'"
    );
    assert_eq!(shop.calls("segmentCreate").len(), 2);
}

async fn a_push_killed_with_kill_9_resumes_and_tags_nobody_twice_but_the_call_in_flight(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 60).await;
    let rules = json!({ "if": "country", "in": EVERYWHERE });
    let (status, created) =
        app.admin(&shop, "POST", "/api/segments", Some(json!({ "name": "All", "rules": rules }))).await;
    assert_eq!(status, 201, "{created}");
    let inside = all_members(&app, &shop, "all").await;
    assert_eq!(inside.len(), 60);
    // Each call takes 30 ms at Shopify, so the kill lands in the middle of the push.
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Delay { millis: 30 },
        times: 10_000,
        after: 0,
    });
    let (mut server, _) = crate::helpers::start_with(
        &fresh.url,
        &[("SEGLINK_SHOPIFY_ORIGIN", shop.origin.as_str()), ("SEGLINK_WORKERS", "1")],
    )
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while shop.calls("tagsAdd").len() < 15 {
        assert!(std::time::Instant::now() < deadline, "the server never pushed");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    let partial = shop.tagged("seglink:all");
    assert!(partial.len() >= 15 && partial.len() < inside.len(), "killed mid-push: {}", partial.len());

    // The killed server's job claim and push lease lapse after a second (its lease setting);
    // the push lease is ended here rather than waited for.
    fresh.store.release_push(&domain(&shop.domain), "all").await.unwrap();
    app.run_jobs_ahead(5).await;
    assert_eq!(shop.tagged("seglink:all"), inside);
    let adds = calls_per_customer(&shop.calls("tagsAdd"), "seglink:all");
    assert_eq!(adds.len(), inside.len());
    let twice: Vec<_> = adds.iter().filter(|(_, count)| **count > 1).collect();
    // The call Shopify ran just as the process died was never recorded: at most that one
    // customer is tagged again (harmlessly: tagsAdd of a held tag changes nothing).
    assert!(twice.len() <= 1 && twice.iter().all(|(_, count)| **count == 2), "{twice:?}");
}
on_each_engine!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    a_push_killed_with_kill_9_resumes_and_tags_nobody_twice_but_the_call_in_flight
);

async fn one_replica_at_a_time_holds_a_segment_push(fresh: Fresh) {
    let shop = domain("s.myshopify.com");
    // A lease from `at` for 60 seconds.
    let lease = |slug: &'static str, holder: &'static str, at: i64| {
        let (store, shop) = (fresh.store.clone(), shop.clone());
        async move {
            let at = UnixTime::from_secs(at);
            store.lease_push(&shop, slug, holder, at, at + 60).await.unwrap()
        }
    };
    assert!(lease("vip", "a", 100).await);
    assert!(!lease("vip", "b", 120).await, "held by a");
    assert!(lease("vip", "a", 150).await, "a renews");
    assert!(lease("other", "b", 150).await, "per segment");
    assert!(lease("vip", "b", 210).await, "a's ran out");
    fresh.store.release_push(&shop, "vip").await.unwrap();
    assert!(lease("vip", "c", 220).await, "released");
}
on_each_engine!(one_replica_at_a_time_holds_a_segment_push);

async fn the_nightly_recompute_repairs_membership_and_queues_the_next_night_while_installed(fresh: Fresh) {
    use seglink::db::JobState;
    use seglink::jobs::Job as _;
    const RECOMPUTE_JOB: &str = seglink::segments::Recompute::KIND;
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    let everyone = json!({ "name": "Everyone", "rules": { "if": "country", "in": EVERYWHERE } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(everyone)).await.0, 201);
    app.run_jobs().await;
    let nightly = || fresh.store.job_count(Some(RECOMPUTE_JOB), JobState::Queued);
    assert_eq!(nightly().await.unwrap(), 1, "tonight's run, once");
    // A member the rules would not make stands for what the passing of time changes.
    let now = seglink::clock::unix_now();
    fresh
        .store
        .apply_membership(&domain(&shop.domain), "everyone", &["999".to_owned()], &[], now, false)
        .await
        .unwrap();

    app.run_jobs_ahead(86_400 + 60).await;
    assert!(
        !fresh.store.member_ids(&domain(&shop.domain), "everyone").await.unwrap().contains(&"999".to_owned())
    );
    assert_eq!(nightly().await.unwrap(), 1, "the next night's is queued");

    fresh.store.deactivate_shop(&domain(&shop.domain), now).await.unwrap();
    app.run_jobs_ahead(3 * 86_400).await;
    assert_eq!(nightly().await.unwrap(), 0, "an uninstalled store has no next night");
}
on_each_engine!(the_nightly_recompute_repairs_membership_and_queues_the_next_night_while_installed);

/// In a store with more customers than `SEGLINK_INLINE_EVALUATION_CUSTOMERS`, saving evaluates
/// nobody inside the request: the segment answers with an evaluation under way at 0 of the
/// store's customers, and the job holds what each customer's own evaluation says. A save before
/// the job ran leaves the first version's job nothing to do: only the newer rules' members ever
/// enter. The preview says it estimates.
async fn a_large_store_evaluates_a_saved_segment_in_a_job_with_progress(fresh: Fresh) {
    let (shop, app) =
        installed_with(fresh.store.clone(), 30, &[("SEGLINK_INLINE_EVALUATION_CUSTOMERS", "10")]).await;
    let (status, preview) =
        app.admin(&shop, "POST", "/api/segments/preview", Some(json!({ "rules": Regulars::rules() }))).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["estimated"], true, "{preview}");
    assert!((1..=30).contains(&preview["evaluated"].as_u64().unwrap()), "{preview}");

    let body = json!({ "name": "Regulars", "rules": Regulars::rules() });
    let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["evaluation"], json!({ "evaluated": 0, "total": 30 }), "{created}");
    assert!(all_members(&app, &shop, REGULARS).await.is_empty(), "nobody evaluated inside the request");
    let stricter =
        json!({ "name": "Regulars", "rules": { "if": "orders_count", "op": ">=", "value": 4, "days": 90 } });
    let (status, updated) = app.admin(&shop, "PUT", "/api/segments/regulars", Some(stricter)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["evaluation"]["evaluated"], 0, "{updated}");

    app.run_jobs().await;
    let (_, finished) = app.admin(&shop, "GET", "/api/segments/regulars", None).await;
    assert_eq!(finished["evaluation"], Value::Null, "{finished}");
    let inside = all_members(&app, &shop, REGULARS).await;
    assert_eq!(finished["member_count"].as_u64().unwrap(), inside.len() as u64);
    for customer in shop.customer_tags().into_keys() {
        let (status, why) =
            app.admin(&shop, "GET", &format!("/api/segments/regulars/explain/{customer}"), None).await;
        assert_eq!(status, 200, "{why}");
        assert_eq!(why["member"] == true, inside.contains(&customer), "customer {customer}: {why}");
    }
    assert!(!inside.is_empty() && inside.len() < 30, "a real cut of the shop: {}", inside.len());
    let (_, changes) = app.admin(&shop, "GET", "/api/segments/regulars/changes", None).await;
    let entered: BTreeSet<String> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            assert_eq!(change["change"], "entered", "the first rules' job evaluated nobody: {changes}");
            change["customer_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(entered, inside);
    let tagged: BTreeSet<String> = shop
        .customer_tags()
        .into_iter()
        .filter(|(_, tags)| tags.iter().any(|tag| tag == "seglink:regulars"))
        .map(|(customer, _)| customer)
        .collect();
    assert_eq!(tagged, inside, "the job's push tagged the members in Shopify");
}
on_each_engine!(a_large_store_evaluates_a_saved_segment_in_a_job_with_progress);

/// "Evaluate all now" in a large store answers at once and queues one recompute, whatever how
/// often it is asked; every segment shows the evaluation under way until the job has repaired
/// membership that drifted from the rules.
async fn a_large_stores_recompute_is_one_job_with_progress(fresh: Fresh) {
    let (shop, app) =
        installed_with(fresh.store.clone(), 30, &[("SEGLINK_INLINE_EVALUATION_CUSTOMERS", "10")]).await;
    let body = json!({ "name": "Regulars", "rules": Regulars::rules() });
    let (status, created) = app.admin(&shop, "POST", "/api/segments", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    app.run_jobs().await;
    let inside: Vec<String> = all_members(&app, &shop, REGULARS).await.into_iter().collect();
    assert!(!inside.is_empty(), "the save's job evaluated the segment");
    // Drift: the members are gone from the table, as if lost, while the rules still hold them.
    let now = seglink::clock::unix_now();
    fresh.store.apply_membership(&domain(&shop.domain), REGULARS, &[], &inside, now, true).await.unwrap();

    for _ in 0..2 {
        let (status, queued) = app.admin(&shop, "POST", "/api/segments/recompute", None).await;
        assert_eq!(status, 202, "{queued}");
        assert_eq!(queued, json!({ "segments": [], "evaluation": { "evaluated": 0, "total": 30 } }));
    }
    let (_, under_way) = app.admin(&shop, "GET", "/api/segments/regulars", None).await;
    assert_eq!(under_way["evaluation"], json!({ "evaluated": 0, "total": 30 }), "{under_way}");
    assert!(all_members(&app, &shop, REGULARS).await.is_empty(), "nobody evaluated inside the request");
    let kind = <seglink::segments::Recompute as seglink::jobs::Job>::KIND;
    let due = fresh.due_jobs(kind, seglink::clock::unix_now().secs()).await;
    assert_eq!(due, 1, "asked twice, queued once (beside the nightly one)");

    app.run_jobs().await;
    let (_, finished) = app.admin(&shop, "GET", "/api/segments/regulars", None).await;
    assert_eq!(finished["evaluation"], Value::Null, "{finished}");
    assert_eq!(finished["member_count"].as_u64().unwrap(), inside.len() as u64, "{finished}");
    assert_eq!(all_members(&app, &shop, REGULARS).await, inside.into_iter().collect());
}
on_each_engine!(a_large_stores_recompute_is_one_job_with_progress);

/// A preview of a store larger than its exact limit evaluates a sample of about the limit's size,
/// chosen by the ids' last digits, and scales what the sample holds to the store; within the
/// limit it counts every customer.
async fn a_large_stores_preview_counts_a_sample_and_scales_it(fresh: Fresh) {
    use seglink::db::CustomerRow;
    let shop = domain("sampled.myshopify.com");
    let now = seglink::clock::unix_now();
    // Ids as Shopify's run: long numbers whose last digits spread evenly. Every other is a VIP.
    for number in 1..=2_000_u64 {
        let customer = CustomerRow {
            customer_id: (7_390_000_000_000 + number * 7).to_string(),
            tags: if number % 2 == 0 { "vip".to_owned() } else { String::new() },
            updated_at: now,
            ..CustomerRow::default()
        };
        fresh.store.upsert_customer(&shop, &customer).await.unwrap();
    }
    let vip = segment_rules::parse(&json!({ "if": "tag", "is": "vip" })).unwrap();

    let sampled = seglink::segments::preview(&fresh.store, &shop, &vip, 5, 200, now).await.unwrap();
    assert!(sampled.estimated, "{sampled:?}");
    assert!((150..=260).contains(&sampled.evaluated), "about a tenth sampled: {sampled:?}");
    assert!(sampled.count.abs_diff(1_000) <= 150, "the estimate is near the 1,000 VIPs: {sampled:?}");
    assert_eq!(sampled.first.len(), 5);

    let counted = seglink::segments::preview(&fresh.store, &shop, &vip, 5, 2_000, now).await.unwrap();
    assert_eq!((counted.estimated, counted.evaluated, counted.count), (false, 2_000, 1_000), "{counted:?}");
}
on_each_engine!(a_large_stores_preview_counts_a_sample_and_scales_it);

/// A full evaluation in pages of 7 over 50 customers holds exactly what one page would: every
/// boundary is crossed, a member the rules no longer hold leaves, and memberships of customers
/// the store no longer has (before the first id, between pages, after the last) are dropped.
async fn an_evaluation_in_pages_crosses_every_boundary_and_drops_stale_members(fresh: Fresh) {
    use seglink::db::{CustomerRow, SegmentRow};
    use seglink::segments::membership;
    let shop = domain("paged.myshopify.com");
    let now = seglink::clock::unix_now();
    let mut vips = BTreeSet::new();
    for number in 10..60_u64 {
        let id = number.to_string();
        let vip = number % 3 == 0;
        if vip {
            vips.insert(id.clone());
        }
        let customer = CustomerRow {
            customer_id: id,
            tags: if vip { "vip".to_owned() } else { String::new() },
            updated_at: now,
            ..CustomerRow::default()
        };
        fresh.store.upsert_customer(&shop, &customer).await.unwrap();
    }
    let rules = json!({ "if": "tag", "is": "vip" }).to_string();
    fresh.store.create_segment(&shop, &SegmentRow::new("vip", "VIP", rules, now)).await.unwrap();
    // Stale: a customer the rules do not hold (11), and ids the store has no customer for.
    let stale: Vec<String> = ["0", "11", "35x", "99"].map(str::to_owned).to_vec();
    fresh.store.apply_membership(&shop, "vip", &stale, &[], now, false).await.unwrap();

    let segments = membership::live(&fresh.store, &shop).await.unwrap();
    let report = membership::evaluate_in_pages(&fresh.store, &shop, segments, 7, now).await.unwrap();
    let members: BTreeSet<String> = fresh.store.member_ids(&shop, "vip").await.unwrap().into_iter().collect();
    assert_eq!(members, vips);
    assert_eq!(
        (report[0].members, report[0].entered, report[0].left),
        (vips.len(), vips.len(), stale.len()),
        "{report:?}"
    );
    let segment = fresh.store.segment(&shop, "vip").await.unwrap().unwrap();
    assert_eq!((segment.member_count, segment.evaluated), (vips.len() as i64, None));
}
on_each_engine!(an_evaluation_in_pages_crosses_every_boundary_and_drops_stale_members);

/// The lease of the running tag push, in Unix seconds, once a worker holds it.
async fn push_lease(fresh: &Fresh) -> Option<i64> {
    use seglink::jobs::Job as _;
    let kind = seglink::segments::PushTags::KIND;
    fresh
        .scalar(&format!("SELECT MAX(locked_until) FROM jobs WHERE kind = '{kind}' AND state = 'running'"))
        .await
}

/// Asks `check` every 50 ms until it answers, for at most 20 s.
async fn until<T, F: Future<Output = Option<T>>>(mut check: impl FnMut() -> F) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(answer) = check().await {
            return answer;
        }
        assert!(std::time::Instant::now() < deadline, "not reached within 20 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A job that outlives its lease keeps it: its worker renews the lease while the job runs, so a
/// second worker looking at the moment the first lease ran out finds nothing to take, and the
/// members are tagged once each.
async fn a_job_longer_than_its_lease_keeps_it_while_it_runs(fresh: Fresh) {
    let (shop, app) = installed_with(fresh.store.clone(), 10, &[("SEGLINK_JOB_LEASE_SECS", "3")]).await;
    use seglink::jobs::Job as _;
    let kind = seglink::segments::PushTags::KIND;
    let everyone = json!({ "name": "Everyone", "rules": { "if": "country", "in": EVERYWHERE } });
    // The push's first call to Shopify takes 5 s: longer than a lease.
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Delay { millis: 5_000 },
        times: 1,
        after: 0,
    });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(everyone)).await.0, 201);
    let worker = {
        let state = app.state.clone();
        tokio::spawn(async move { seglink::jobs::run_due(&state).await })
    };
    let first_lease = until(|| push_lease(&fresh)).await;
    until(|| async { push_lease(&fresh).await.filter(|lease| *lease > first_lease) }).await;
    let push =
        fresh.scalar(&format!("SELECT MIN(id) FROM jobs WHERE kind = '{kind}' AND state = 'running'")).await;
    // A second worker at the moment the first lease ran out: other work that fell due by then
    // (a loaded machine's later jobs) is its to take, the running push is not.
    seglink::jobs::run_due_at(&app.state, UnixTime::from_secs(first_lease)).await;
    let attempts = fresh.scalar(&format!("SELECT attempts FROM jobs WHERE id = {}", push.unwrap())).await;
    assert_eq!(attempts, Some(1), "the lease was renewed: the push was not taken again");
    assert!(worker.await.unwrap() >= 1);
    app.run_jobs().await;
    let adds = calls_per_customer(&shop.calls("tagsAdd"), "seglink:everyone");
    assert_eq!(adds.len(), 10, "{adds:?}");
    assert!(adds.values().all(|calls| *calls == 1), "each member tagged once: {adds:?}");
}
on_each_engine!(a_job_longer_than_its_lease_keeps_it_while_it_runs);

/// Rules about products read what each event names: from the subjects stored beside its
/// properties, or from the properties when the subjects were too long to keep (a purchase of 201
/// products) or never written (an event stored before they were); alike in a full evaluation in
/// pages and for one customer at a time.
async fn product_rules_read_every_event_whatever_its_subjects(fresh: Fresh) {
    use seglink::db::{CustomerRow, EventRow, SegmentRow};
    use seglink::segments::membership;
    let shop = domain("products.myshopify.com");
    let now = seglink::clock::unix_now();
    for id in ["1", "2", "3", "4"] {
        let customer = CustomerRow { customer_id: id.to_owned(), updated_at: now, ..CustomerRow::default() };
        fresh.store.upsert_customer(&shop, &customer).await.unwrap();
    }
    let event = |customer: &str, kind: &str, properties: String| EventRow {
        kind: kind.to_owned(),
        source: "pixel".to_owned(),
        source_id: format!("{customer}-{kind}"),
        customer_id: Some(customer.to_owned()),
        order_id: None,
        occurred_at: UnixTime::from_secs(now.secs() - 60),
        properties,
        client_id: None,
    };
    let lines: Vec<String> = (0..200_u64)
        .map(|n| format!(r#"{{"product_id":"{}"}}"#, 9_000_000_000 + n))
        .chain([r#"{"product_id":"42"}"#.to_owned()])
        .collect();
    let events = [
        event("1", "product_view", r#"{"product_id":"42"}"#.to_owned()),
        event("2", "purchase", format!(r#"{{"lines":[{}]}}"#, lines.join(","))),
        event("3", "product_view", r#"{"product_id":"7"}"#.to_owned()),
        event("4", "product_view", r#"{"product_id":"gid://shopify/Product/42"}"#.to_owned()),
    ];
    for stored in &events {
        assert!(fresh.store.record_event(&shop, stored).await.unwrap());
    }
    fresh
        .scalar("UPDATE events SET subjects = NULL WHERE source_id = '4-product_view' RETURNING occurred_at")
        .await;
    let rules = json!({ "any": [
        { "if": "did", "event": "product_view", "product_id": "42", "times": 1, "days": 7 },
        { "if": "did", "event": "purchase", "product_id": "42", "times": 1, "days": 7 },
    ] });
    fresh
        .store
        .create_segment(&shop, &SegmentRow::new("fans", "Fans", rules.to_string(), now))
        .await
        .unwrap();

    let segments = membership::live(&fresh.store, &shop).await.unwrap();
    membership::evaluate_in_pages(&fresh.store, &shop, segments, 2, now).await.unwrap();
    let members = fresh.store.member_ids(&shop, "fans").await.unwrap();
    assert_eq!(members, ["1", "2", "4"], "{}", fresh.name);

    fresh.store.apply_membership(&shop, "fans", &[], &members, now, false).await.unwrap();
    for id in ["1", "2", "3", "4"] {
        membership::refresh_customer(&fresh.store, &shop, id, now).await.unwrap();
    }
    assert_eq!(fresh.store.member_ids(&shop, "fans").await.unwrap(), ["1", "2", "4"], "{}", fresh.name);
}
on_each_engine!(product_rules_read_every_event_whatever_its_subjects);
