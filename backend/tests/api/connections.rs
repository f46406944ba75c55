//! Custom-app connections and connect links: a token is validated against Shopify before it is
//! kept, missing scopes are named, webhooks are subscribed for it; tokens rotate; stores
//! disconnect; a signed, expiring link moves a store into another workspace.

use seglink::db::{Connection, StoredTokens};
use serde_json::json;

use crate::databases::fresh_stores;
use crate::helpers::{SCOPES, TestApp};
use crate::simulated::{SimulatedShop, Tripwire, now};

const HOME: &str = "home-store.myshopify.com";

/// The managed store the merchant works from, in a workspace of its own.
async fn home_store(app: &TestApp) -> String {
    let shop = seglink::shopify::ShopDomain::parse(HOME).unwrap();
    let (workspace, _) = seglink::install::workspace::create(&app.state.store, &shop, 0).await.unwrap();
    let tokens = StoredTokens {
        access_token: app.state.keys.seal("shpat_home", HOME),
        access_expires_at: None,
        refresh_token: None,
        refresh_expires_at: None,
        scopes: SCOPES.to_owned(),
        webhook_secret: None,
    };
    app.state.store.connect_shop(HOME, &workspace.id, Connection::Managed, &tokens, 0).await.unwrap();
    shopify_sim::signing::session_token(
        crate::helpers::SECRET,
        &shopify_sim::signing::SessionClaims::new(HOME, crate::helpers::API_KEY, 1, now().as_secs() as i64),
    )
}

#[tokio::test]
async fn a_custom_app_token_is_validated_kept_rotated_and_disconnected() {
    for fresh in fresh_stores().await {
        let shop = SimulatedShop::start().await;
        let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
        let session = home_store(&app).await;

        let narrow = shop
            .sim
            .with_admin(|admin| admin.oauth_mut().custom_app_token(&["read_customers", "read_orders"]));
        let (status, body) = app
            .call(
                "POST",
                "/api/connections",
                Some(&session),
                Some(json!({ "shop": shop.domain, "access_token": narrow, "api_secret": "custom-secret" })),
            )
            .await;
        assert_eq!(status, 422, "{}", fresh.name);
        let reason = body["error"].as_str().unwrap();
        assert!(reason.contains("write_customers") && reason.contains("write_pixels"), "{reason}");
        assert!(!reason.contains("read_customers,"), "held scopes are not listed: {reason}");
        assert!(fresh.store.shop(&shop.domain).await.unwrap().is_none(), "nothing kept");

        let (status, body) = app
            .call(
                "POST",
                "/api/connections",
                Some(&session),
                Some(json!({ "shop": shop.domain, "access_token": "shpat_wrong", "api_secret": "custom-secret" })),
            )
            .await;
        assert_eq!(status, 422, "{body}");

        let scopes: Vec<&str> = SCOPES.split(',').collect();
        let token = shop.sim.with_admin(|admin| admin.oauth_mut().custom_app_token(&scopes));
        let (status, body) = app
            .call(
                "POST",
                "/api/connections",
                Some(&session),
                Some(json!({ "shop": shop.domain, "access_token": token, "api_secret": "custom-secret" })),
            )
            .await;
        assert_eq!(status, 201, "{}: {body}", fresh.name);
        let record = fresh.store.shop(&shop.domain).await.unwrap().unwrap();
        assert_eq!(record.connection, Connection::Custom);
        assert!(!record.tokens.as_ref().unwrap().access_token.contains(&token), "sealed at rest");
        assert_eq!(
            record.workspace_id,
            fresh.store.shop(HOME).await.unwrap().unwrap().workspace_id,
            "one workspace, two stores"
        );

        app.run_jobs().await;
        let subscribed = shop.sim.with_admin(|admin| admin.webhooks_mut().subscriptions().len());
        assert_eq!(subscribed, 20, "{}: every topic, pointed at /webhooks", fresh.name);
        let (_, listed) = app.call("GET", "/api/connections", Some(&session), None).await;
        assert_eq!(listed["stores"].as_array().unwrap().len(), 2);

        // Its webhooks are signed with the custom app's secret, and accepted.
        let body =
            json!({ "id": 5, "email": "c@example.com", "updated_at": "2026-11-20T09:00:00Z" }).to_string();
        let request = axum::http::Request::post("/webhooks")
            .header(
                "X-Shopify-Hmac-Sha256",
                shopify_sim::signing::webhook_hmac("custom-secret", body.as_bytes()),
            )
            .header("X-Shopify-Topic", "customers/create")
            .header("X-Shopify-Shop-Domain", &shop.domain)
            .header("X-Shopify-API-Version", "2026-10")
            .header("X-Shopify-Webhook-Id", "w-custom")
            .body(axum::body::Body::from(body.clone()))
            .unwrap();
        assert_eq!(app.request(request).await.0, 200, "signed by the custom app");
        let forged = axum::http::Request::post("/webhooks")
            .header(
                "X-Shopify-Hmac-Sha256",
                shopify_sim::signing::webhook_hmac("not-a-secret", body.as_bytes()),
            )
            .header("X-Shopify-Topic", "customers/create")
            .header("X-Shopify-Shop-Domain", &shop.domain)
            .header("X-Shopify-API-Version", "2026-10")
            .header("X-Shopify-Webhook-Id", "w-forged")
            .body(axum::body::Body::from(body))
            .unwrap();
        assert_eq!(app.request(forged).await.0, 401);

        let rotated = shop.sim.with_admin(|admin| admin.oauth_mut().custom_app_token(&scopes));
        let path = format!("/api/connections/{}", shop.domain);
        let (status, _) =
            app.call("PUT", &path, Some(&session), Some(json!({ "access_token": rotated }))).await;
        assert_eq!(status, 200);
        let kept = fresh.store.shop(&shop.domain).await.unwrap().unwrap().tokens.unwrap();
        assert_eq!(app.state.keys.open(&kept.access_token, &shop.domain).unwrap(), rotated);

        let (status, _) = app.call("DELETE", &path, Some(&session), None).await;
        assert_eq!(status, 204);
        let record = fresh.store.shop(&shop.domain).await.unwrap().unwrap();
        assert!(!record.active && record.tokens.is_none());
        let (status, _) = app.call("DELETE", &format!("/api/connections/{HOME}"), Some(&session), None).await;
        assert_eq!(status, 404, "a managed install is not disconnected from here");
        (fresh.cleanup)().await;
    }
}

#[tokio::test]
async fn foreign_domains_are_refused_before_the_token_is_tried() {
    let tripwire = Tripwire::start().await;
    let (state, _database) = crate::helpers::state().await;
    let app = TestApp::on(state.store.clone(), Some(&tripwire.origin));
    let session = home_store(&app).await;
    for shop in [
        "evil.com",
        "x.myshopify.com.evil.com",
        "x.myshopify.com@evil.com",
        "X.MYSHOPIFY.COM",
        "x.myshopify.com.",
    ] {
        let (status, body) = app
            .call(
                "POST",
                "/api/connections",
                Some(&session),
                Some(json!({ "shop": shop, "access_token": "shpat_x", "api_secret": "s" })),
            )
            .await;
        assert_eq!(status, 400, "{shop}: {body}");
        assert!(body["error"].as_str().unwrap().contains("myshopify.com"));
    }
    assert_eq!(tripwire.hits(), 0);
}

#[tokio::test]
async fn a_connect_link_moves_a_store_into_the_workspace_until_it_expires() {
    for fresh in fresh_stores().await {
        let app = TestApp::on(fresh.store.clone(), None);
        let home = home_store(&app).await;
        let (status, link) = app.call("POST", "/api/connect-links", Some(&home), None).await;
        assert_eq!(status, 200);
        assert!(link["url"].as_str().unwrap().starts_with("https://seglink.example/connect?token="));

        // A second store, installed on its own workspace.
        let second = "second-store.myshopify.com";
        let domain = seglink::shopify::ShopDomain::parse(second).unwrap();
        let (own, _) = seglink::install::workspace::create(&fresh.store, &domain, 0).await.unwrap();
        let tokens = StoredTokens {
            access_token: app.state.keys.seal("t", second),
            access_expires_at: None,
            refresh_token: None,
            refresh_expires_at: None,
            scopes: String::new(),
            webhook_secret: None,
        };
        fresh.store.connect_shop(second, &own.id, Connection::Managed, &tokens, 0).await.unwrap();
        let second_session = shopify_sim::signing::session_token(
            crate::helpers::SECRET,
            &shopify_sim::signing::SessionClaims::new(
                second,
                crate::helpers::API_KEY,
                1,
                now().as_secs() as i64,
            ),
        );

        let token = link["token"].as_str().unwrap();
        let forged = format!("{token}x");
        let (status, _) =
            app.call("POST", "/api/connect", Some(&second_session), Some(json!({ "token": forged }))).await;
        assert_eq!(status, 400);
        let expired = app.state.keys.sign_link(&format!("{}.{}", own.id, now().as_secs() - 1));
        let (status, body) =
            app.call("POST", "/api/connect", Some(&second_session), Some(json!({ "token": expired }))).await;
        assert_eq!(status, 400);
        assert!(body["error"].as_str().unwrap().contains("expired"));

        let (status, body) =
            app.call("POST", "/api/connect", Some(&second_session), Some(json!({ "token": token }))).await;
        assert_eq!(status, 200, "{}: {body}", fresh.name);
        assert_eq!(body["workspace"], "home-store");
        let home_workspace = fresh.store.shop(HOME).await.unwrap().unwrap().workspace_id;
        assert_eq!(fresh.store.shop(second).await.unwrap().unwrap().workspace_id, home_workspace);
        (fresh.cleanup)().await;
    }
}
