//! The managed install against the simulator, on every database: the first admin load trades
//! the session token for an expiring offline token, creates the workspace, and provisioning sets
//! up the pixel, the metafield definitions and the discount, resuming after a failure.

use seglink::shopify::ShopDomain;
use seglink::shopify::operations::{CurrentInstallation, current_installation};
use serde_json::Value;

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, on_each_engine};

fn step<'a>(session: &'a Value, name: &str) -> &'a Value {
    session["setup"].as_array().unwrap().iter().find(|step| step["step"] == name).unwrap()
}

async fn the_first_admin_load_installs_and_provisions_the_store(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, first) = app.open_admin(&shop).await;
    assert_eq!(status, 200, "{}: {first}", fresh.name);
    assert_eq!(first["workspace"]["slug"], "seglink-demo-1");
    assert!(first["workspace"]["public_key"].as_str().unwrap().starts_with("pk_"));
    assert!(first["server_key"].as_str().unwrap().starts_with("sk_"), "shown on the load that made it");
    assert_eq!(step(&first, "web_pixel")["state"], "pending");

    let record = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap();
    let tokens = record.tokens.unwrap();
    assert!(
        tokens.access_token.starts_with("v1.") && !tokens.access_token.contains("shpat_"),
        "sealed at rest"
    );
    assert!(tokens.refresh_token.unwrap().starts_with("v1."));
    assert!(tokens.access_expires_at.is_some(), "an expiring offline token");

    assert!(app.run_jobs().await >= 1);
    let (_, second) = app.open_admin(&shop).await;
    assert_eq!(second["server_key"], Value::Null, "the server key is shown once");
    assert_eq!(step(&second, "webhooks")["state"], "skipped", "declared in shopify.app.toml");
    for name in ["web_pixel", "metafield_definitions", "discount"] {
        assert_eq!(step(&second, name)["state"], "done", "{}: {name}: {second}", fresh.name);
    }
    let pixel = shop.inspect("{ webPixel { settings } }");
    let settings: Value =
        serde_json::from_str(pixel["data"]["webPixel"]["settings"].as_str().unwrap()).unwrap();
    assert_eq!(settings["publicKey"], first["workspace"]["public_key"]);
    assert_eq!(settings["apiEndpoint"], "https://seglink.example/v1/pixel/events");
    let discount_id = step(&second, "discount")["detail"].as_str().unwrap().to_owned();
    let discount = shop.inspect(&format!(
        r#"{{ discountNode(id: "{discount_id}") {{ discount {{ ... on DiscountAutomaticApp {{ title discountClasses }} }} }} }}"#
    ));
    assert_eq!(
        discount["data"]["discountNode"]["discount"]["title"], "Seglink segment rewards",
        "{discount}"
    );
}
on_each_engine!(the_first_admin_load_installs_and_provisions_the_store);

async fn provisioning_resumes_where_it_failed(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    // The Function is not deployed yet: the discount step cannot succeed.
    shop.sim.with_admin(|admin| admin.undeploy_functions());
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, _) = app.open_admin(&shop).await;
    assert_eq!(status, 200);
    app.run_jobs().await;
    let (_, session) = app.open_admin(&shop).await;
    assert_eq!(step(&session, "web_pixel")["state"], "done");
    assert_eq!(step(&session, "discount")["state"], "failed");
    assert!(step(&session, "discount")["detail"].as_str().unwrap().contains("not deployed"), "{session}");

    shop.sim
        .with_admin(|admin| admin.deploy_function("segment-discount", "discount", "Seglink segment rewards"));
    // The web pixel exists now: creating it again would fail, so a passing run shows the step was skipped.
    seglink::install::provision(&app.state, &domain(&shop.domain)).await.expect("the rest of provisioning");
    let (_, session) = app.open_admin(&shop).await;
    assert_eq!(step(&session, "discount")["state"], "done", "{}: {session}", fresh.name);
}
on_each_engine!(provisioning_resumes_where_it_failed);

async fn an_expired_token_is_refreshed_once_for_many_concurrent_calls(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    app.open_admin(&shop).await;
    let before = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap().tokens.unwrap();
    shop.sim.with_admin(|admin| admin.oauth_mut().expire_access_tokens());

    let domain = ShopDomain::parse(&shop.domain).unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (state, domain) = (app.state.clone(), domain.clone());
        calls.spawn(async move {
            state
                .shopify
                .run::<CurrentInstallation>(&domain, current_installation::Variables {})
                .await
                .map(|_| ())
        });
    }
    while let Some(answer) = calls.join_next().await {
        assert!(answer.unwrap().is_ok(), "{}", fresh.name);
    }
    assert_eq!(shop.sim.with_admin(|admin| admin.oauth().refreshes()), 1, "one refresh for all of them");
    let after = fresh.store.shop(&domain).await.unwrap().unwrap().tokens.unwrap();
    assert_ne!(after.access_token, before.access_token);
    assert_ne!(after.refresh_token, before.refresh_token, "the rotated refresh token is kept");
}
on_each_engine!(an_expired_token_is_refreshed_once_for_many_concurrent_calls);

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_it_is_used() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    app.open_admin(&shop).await;
    let mut tokens = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap().tokens.unwrap();
    let sealed = tokens.access_token.clone();
    tokens.access_expires_at = Some(seglink::clock::unix_now() + 60);
    assert!(fresh.store.replace_tokens(&domain(&shop.domain), &sealed, &tokens).await.unwrap());

    let domain = ShopDomain::parse(&shop.domain).unwrap();
    app.state.shopify.run::<CurrentInstallation>(&domain, current_installation::Variables {}).await.unwrap();
    assert_eq!(shop.sim.with_admin(|admin| admin.oauth().refreshes()), 1);
}

#[tokio::test]
async fn a_revoked_grant_is_reported_not_retried_forever() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    app.open_admin(&shop).await;
    shop.sim.with_admin(|admin| admin.oauth_mut().revoke_all());
    let domain = ShopDomain::parse(&shop.domain).unwrap();
    let answer =
        app.state.shopify.run::<CurrentInstallation>(&domain, current_installation::Variables {}).await;
    assert!(matches!(answer, Err(seglink::shopify::admin::ShopifyError::Unauthorized(_))), "{answer:?}");
}

#[tokio::test]
async fn a_session_token_shopify_refuses_to_exchange_asks_app_bridge_to_retry() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    // Signed with the secret being rotated out: Seglink still accepts it, Shopify no longer does.
    let now = crate::helpers::now().as_secs() as i64;
    let claims = shopify_sim::signing::SessionClaims::new(&shop.domain, crate::helpers::API_KEY, 1, now);
    let token = shopify_sim::signing::session_token(crate::helpers::PREVIOUS_SECRET, &claims);
    let request = axum::http::Request::get("/api/session")
        .header("Authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, headers, body) = app.request(request).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(headers["x-shopify-retry-invalid-session-request"], "1");
    assert!(fresh.store.shop(&domain(&shop.domain)).await.unwrap().is_none(), "nothing installed");
}

#[tokio::test]
async fn scopes_the_store_has_not_granted_are_named_for_the_admin() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (_, session) = app.open_admin(&shop).await;
    assert_eq!(session["missing_scopes"], serde_json::json!([]), "{session}");
    // The merchant took read_customer_events back.
    let current: Vec<&str> =
        crate::helpers::SCOPES.split(',').filter(|scope| *scope != "read_customer_events").collect();
    let update = serde_json::json!({ "id": 1, "previous": crate::helpers::SCOPES.split(',').collect::<Vec<_>>(), "current": current });
    app.deliver(&shop.domain, "app/scopes_update", "scopes-1", &update).await;
    app.run_jobs().await;
    let (_, session) = app.open_admin(&shop).await;
    assert_eq!(session["missing_scopes"], serde_json::json!(["read_customer_events"]), "{session}");
}

async fn the_pixel_settings_the_merchant_chooses_reach_the_pixel_on_shopify(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    app.open_admin(&shop).await;
    app.run_jobs().await;
    let token = shop.session_token();
    let (status, pixel) = app.call("GET", "/api/pixel", Some(&token), None).await;
    assert_eq!(status, 200, "{pixel}");
    assert_eq!(pixel["settings"], serde_json::json!({ "tracked_events": [], "sampling_percent": 100 }));
    assert_eq!(pixel["trackable_events"].as_array().unwrap().len(), 12);

    let chosen = serde_json::json!({ "tracked_events": ["product_viewed", "product_added_to_cart"], "sampling_percent": 25 });
    let (status, saved) = app.call("PUT", "/api/pixel/settings", Some(&token), Some(chosen.clone())).await;
    assert_eq!((status, &saved), (200, &chosen), "{}", fresh.name);
    app.run_jobs().await;
    let written = shop.inspect("{ webPixel { settings } }");
    let settings: Value =
        serde_json::from_str(written["data"]["webPixel"]["settings"].as_str().unwrap()).unwrap();
    assert_eq!(settings["trackedEvents"], "product_viewed,product_added_to_cart");
    assert_eq!(settings["samplingRate"], "0.25");
    assert!(settings["publicKey"].as_str().unwrap().starts_with("pk_"), "every other key is written too");
    let (_, pixel) = app.call("GET", "/api/pixel", Some(&token), None).await;
    assert_eq!((&pixel["settings"], &pixel["connected"]), (&chosen, &Value::Bool(true)));

    for (body, path) in [
        (
            serde_json::json!({ "tracked_events": ["page_viewed", "checkout_completed"], "sampling_percent": 50 }),
            "/tracked_events/1",
        ),
        (serde_json::json!({ "tracked_events": [], "sampling_percent": 0 }), "/sampling_percent"),
        (serde_json::json!({ "tracked_events": [], "sampling_percent": 101 }), "/sampling_percent"),
    ] {
        let (status, answer) = app.call("PUT", "/api/pixel/settings", Some(&token), Some(body)).await;
        assert_eq!((status, answer["path"].as_str()), (422, Some(path)), "{answer}");
    }
    let (_, pixel) = app.call("GET", "/api/pixel", Some(&token), None).await;
    assert_eq!(pixel["settings"], chosen, "a refused change keeps what was saved");
}
on_each_engine!(the_pixel_settings_the_merchant_chooses_reach_the_pixel_on_shopify);
