//! Custom-app connections and connect links: a token is validated against Shopify before it is
//! kept, missing scopes are named, webhooks are subscribed for it; tokens rotate; stores
//! disconnect; a signed, expiring link moves a store into another workspace.

use seglink::clock::UnixTime;
use seglink::db::Connection;
use serde_json::json;

use crate::helpers::{
    Fresh, SCOPES, SimulatedShop, TestApp, Tripwire, domain, lone_store, now, on_each_engine, session_for,
};

const HOME: &str = "home-store.myshopify.com";

/// The managed store the merchant works from, in a workspace of its own (which it owns).
async fn home_store(app: &TestApp) -> String {
    lone_store(app, HOME, Connection::Managed).await.1
}

/// The home store's session, and a simulated second store connected to its workspace through a
/// custom app holding every scope, with `custom-secret` as its API secret.
async fn custom_app_connected(fresh: &Fresh) -> (SimulatedShop, TestApp, String) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let session = home_store(&app).await;
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
    let record = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap();
    assert!(!record.tokens.as_ref().unwrap().access_token.contains(&token), "sealed at rest");
    (shop, app, session)
}

async fn a_custom_app_token_without_the_scopes_or_unknown_is_refused_and_nothing_kept(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let session = home_store(&app).await;

    let narrow =
        shop.sim.with_admin(|admin| admin.oauth_mut().custom_app_token(&["read_customers", "read_orders"]));
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
    assert!(fresh.store.shop(&domain(&shop.domain)).await.unwrap().is_none(), "nothing kept");

    let (status, body) = app
        .call(
            "POST",
            "/api/connections",
            Some(&session),
            Some(
                json!({ "shop": shop.domain, "access_token": "shpat_wrong", "api_secret": "custom-secret" }),
            ),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(fresh.store.shop(&domain(&shop.domain)).await.unwrap().is_none(), "nothing kept");
}
on_each_engine!(a_custom_app_token_without_the_scopes_or_unknown_is_refused_and_nothing_kept);

async fn a_custom_app_store_joins_the_workspace_with_every_webhook_subscribed(fresh: Fresh) {
    let (shop, app, session) = custom_app_connected(&fresh).await;
    let record = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap();
    assert_eq!(record.connection, Connection::Custom);
    assert_eq!(
        record.workspace_id,
        fresh.store.shop(&domain(HOME)).await.unwrap().unwrap().workspace_id,
        "one workspace, two stores"
    );
    app.run_jobs().await;
    let subscribed = shop.sim.with_admin(|admin| admin.webhooks_mut().subscriptions().len());
    assert_eq!(subscribed, 20, "{}: every topic, pointed at /webhooks", fresh.name);
    let (_, listed) = app.call("GET", "/api/connections", Some(&session), None).await;
    assert_eq!(listed["stores"].as_array().unwrap().len(), 2);
}
on_each_engine!(a_custom_app_store_joins_the_workspace_with_every_webhook_subscribed);

async fn a_custom_app_stores_webhooks_are_checked_with_its_own_secret(fresh: Fresh) {
    let (shop, app, _) = custom_app_connected(&fresh).await;
    let body = json!({ "id": 5, "email": "c@example.com", "updated_at": "2026-11-20T09:00:00Z" }).to_string();
    let signed_with = |secret: &str, webhook_id: &str| {
        axum::http::Request::post("/webhooks")
            .header("X-Shopify-Hmac-Sha256", shopify_sim::signing::webhook_hmac(secret, body.as_bytes()))
            .header("X-Shopify-Topic", "customers/create")
            .header("X-Shopify-Shop-Domain", &shop.domain)
            .header("X-Shopify-API-Version", "2026-10")
            .header("X-Shopify-Webhook-Id", webhook_id)
            .body(axum::body::Body::from(body.clone()))
            .unwrap()
    };
    assert_eq!(
        app.request(signed_with("custom-secret", "w-custom")).await.0,
        200,
        "signed by the custom app"
    );
    assert_eq!(app.request(signed_with("not-a-secret", "w-forged")).await.0, 401);
}
on_each_engine!(a_custom_app_stores_webhooks_are_checked_with_its_own_secret);

async fn a_custom_app_token_is_replaced_and_its_store_disconnected(fresh: Fresh) {
    let (shop, app, session) = custom_app_connected(&fresh).await;
    let scopes: Vec<&str> = SCOPES.split(',').collect();
    let rotated = shop.sim.with_admin(|admin| admin.oauth_mut().custom_app_token(&scopes));
    let path = format!("/api/connections/{}", shop.domain);
    let (status, _) = app.call("PUT", &path, Some(&session), Some(json!({ "access_token": rotated }))).await;
    assert_eq!(status, 200);
    let kept = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap().tokens.unwrap();
    assert_eq!(app.state.keys.open(&kept.access_token, &shop.domain).unwrap(), rotated);

    let (status, _) = app.call("DELETE", &path, Some(&session), None).await;
    assert_eq!(status, 204);
    let record = fresh.store.shop(&domain(&shop.domain)).await.unwrap().unwrap();
    assert!(!record.active && record.tokens.is_none());
    let (status, _) = app.call("DELETE", &format!("/api/connections/{HOME}"), Some(&session), None).await;
    assert_eq!(status, 404, "a managed install is not disconnected from here");
}
on_each_engine!(a_custom_app_token_is_replaced_and_its_store_disconnected);

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
        assert_eq!((status, body["path"].as_str()), (422, Some("/shop")), "{shop}: {body}");
        assert!(body["error"].as_str().unwrap().contains("myshopify.com"));
    }
    // A token with a line break would be a header of the caller's making: refused at its field.
    for (field, token, secret) in
        [("/access_token", "shpat_x\r\nX-Injected: 1", "s"), ("/api_secret", "shpat_x", "s \n t")]
    {
        let body = json!({ "shop": "fine.myshopify.com", "access_token": token, "api_secret": secret });
        let (status, answer) = app.call("POST", "/api/connections", Some(&session), Some(body)).await;
        assert_eq!((status, answer["path"].as_str()), (422, Some(field)), "{answer}");
    }
    assert_eq!(tripwire.hits(), 0);
}

/// The home store, a second (simulated) store installed on a workspace of its own with its pixel
/// provisioned, and a third store a leaked link must not serve.
struct Linking {
    app: TestApp,
    second: SimulatedShop,
    home: String,
    home_workspace: String,
    intruder: String,
}

impl Linking {
    async fn new(fresh: &Fresh) -> Self {
        let second = SimulatedShop::start().await;
        let app = TestApp::on(fresh.store.clone(), Some(&second.origin));
        let home = home_store(&app).await;
        let home_workspace = fresh.store.shop(&domain(HOME)).await.unwrap().unwrap().workspace_id;
        assert_eq!(app.open_admin(&second).await.0, 200);
        app.run_jobs().await;
        let (_, intruder) = lone_store(&app, "intruder.myshopify.com", Connection::Managed).await;
        Self { app, second, home, home_workspace, intruder }
    }

    /// A link made by the home store for `shop`: its answer.
    async fn link_for(&self, shop: &str) -> serde_json::Value {
        let (status, link) = self
            .app
            .call("POST", "/api/connect-links", Some(&self.home), Some(json!({ "shop": shop })))
            .await;
        assert_eq!(status, 201, "{link}");
        link
    }

    async fn accept(&self, session: &str, token: &str) -> (u16, serde_json::Value) {
        self.app.call("POST", "/api/connect", Some(session), Some(json!({ "token": token }))).await
    }

    /// The public key the store's web pixel sends.
    fn pixel_key(&self) -> String {
        let pixel = self.second.inspect("{ webPixel { settings } }");
        let settings: serde_json::Value =
            serde_json::from_str(pixel["data"]["webPixel"]["settings"].as_str().unwrap()).unwrap();
        settings["publicKey"].as_str().unwrap().to_owned()
    }
}

async fn a_connect_link_serves_its_named_store_only(fresh: Fresh) {
    let linking = Linking::new(&fresh).await;
    let link = linking.link_for(&linking.second.domain).await;
    let url = link["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://seglink.example/connect#token="),
        "the token stays out of requests: {url}"
    );
    let token = link["token"].as_str().unwrap();
    let (status, body) = linking.accept(&linking.intruder, token).await;
    assert_eq!(status, 403, "a leaked link is for its store only: {body}");
    let (status, _) = linking.accept(&linking.second.session_token(), &format!("{token}x")).await;
    assert_eq!(status, 400, "a tampered token");
    assert_ne!(
        fresh.store.shop(&domain(&linking.second.domain)).await.unwrap().unwrap().workspace_id,
        linking.home_workspace,
        "nothing moved"
    );
}
on_each_engine!(a_connect_link_serves_its_named_store_only);

async fn a_connect_link_moves_its_store_and_repoints_its_pixel(fresh: Fresh) {
    let linking = Linking::new(&fresh).await;
    let home_key = fresh.store.workspace(&linking.home_workspace).await.unwrap().unwrap().public_key;
    assert_ne!(linking.pixel_key(), home_key);
    let link = linking.link_for(&linking.second.domain).await;
    let (status, body) =
        linking.accept(&linking.second.session_token(), link["token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["workspace"], "home-store");
    assert_eq!(
        fresh.store.shop(&domain(&linking.second.domain)).await.unwrap().unwrap().workspace_id,
        linking.home_workspace
    );
    linking.app.run_jobs().await;
    assert_eq!(linking.pixel_key(), home_key, "the moved store's pixel sends the new workspace's key");
}
on_each_engine!(a_connect_link_moves_its_store_and_repoints_its_pixel);

async fn a_connect_link_works_once(fresh: Fresh) {
    let linking = Linking::new(&fresh).await;
    let link = linking.link_for(&linking.second.domain).await;
    let token = link["token"].as_str().unwrap();
    assert_eq!(linking.accept(&linking.second.session_token(), token).await.0, 200);
    let (status, body) = linking.accept(&linking.second.session_token(), token).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("used already"), "{body}");
}
on_each_engine!(a_connect_link_works_once);

async fn a_revoked_connect_link_is_refused(fresh: Fresh) {
    let linking = Linking::new(&fresh).await;
    let link = linking.link_for("intruder.myshopify.com").await;
    let path = format!("/api/connect-links/{}", link["id"].as_str().unwrap());
    assert_eq!(linking.app.call("DELETE", &path, Some(&linking.home), None).await.0, 204);
    let (status, body) = linking.accept(&linking.intruder, link["token"].as_str().unwrap()).await;
    assert_eq!((status, body["error"].as_str().unwrap().contains("revoked")), (400, true), "{body}");
}
on_each_engine!(a_revoked_connect_link_is_refused);

async fn an_expired_connect_link_is_refused(fresh: Fresh) {
    let linking = Linking::new(&fresh).await;
    let expired = seglink::db::ConnectLink {
        id: "cl_old".to_owned(),
        workspace_id: linking.home_workspace.clone(),
        for_shop: domain("intruder.myshopify.com"),
        created_by: domain(HOME),
        created_at: UnixTime::EPOCH,
        expires_at: UnixTime::from_secs(now().as_secs() as i64 - 1),
        used_at: None,
        revoked_at: None,
    };
    fresh.store.create_connect_link(&expired, &seglink::crypto::sha256_hex("clt_old")).await.unwrap();
    let (status, body) = linking.accept(&linking.intruder, "clt_old").await;
    assert_eq!((status, body["error"].as_str().unwrap().contains("expired")), (400, true), "{body}");
}
on_each_engine!(an_expired_connect_link_is_refused);

async fn every_connect_link_stays_on_record_without_its_token(fresh: Fresh) {
    let linking = Linking::new(&fresh).await;
    let used = linking.link_for(&linking.second.domain).await;
    assert_eq!(linking.accept(&linking.second.session_token(), used["token"].as_str().unwrap()).await.0, 200);
    let revoked = linking.link_for("intruder.myshopify.com").await;
    let path = format!("/api/connect-links/{}", revoked["id"].as_str().unwrap());
    assert_eq!(linking.app.call("DELETE", &path, Some(&linking.home), None).await.0, 204);
    linking.link_for("intruder.myshopify.com").await;
    let (status, listed) = linking.app.call("GET", "/api/connect-links", Some(&linking.home), None).await;
    assert_eq!(status, 200);
    let links = listed["links"].as_array().unwrap();
    assert_eq!(links.len(), 3, "{listed}");
    assert!(
        links
            .iter()
            .any(|link| link["for_shop"] == linking.second.domain.as_str() && link["used_at"].is_i64())
    );
    assert!(links.iter().any(|link| link["revoked_at"].is_i64()));
    assert!(links.iter().all(|link| link.get("token").is_none()), "tokens are not kept");
}
on_each_engine!(every_connect_link_stays_on_record_without_its_token);

async fn only_the_owner_store_or_the_store_itself_manages_a_workspace(fresh: Fresh) {
    let app = TestApp::on(fresh.store.clone(), None);
    let home = home_store(&app).await;
    let home_workspace = fresh.store.shop(&domain(HOME)).await.unwrap().unwrap().workspace_id;
    let (_, member) = lone_store(&app, "member.myshopify.com", Connection::Managed).await;
    let (_, custom) = lone_store(&app, "custom.myshopify.com", Connection::Custom).await;
    for shop in ["member.myshopify.com", "custom.myshopify.com"] {
        let (_, link) =
            app.call("POST", "/api/connect-links", Some(&home), Some(json!({ "shop": shop }))).await;
        let (status, body) = app
            .call("POST", "/api/connect", Some(&session_for(shop)), Some(json!({ "token": link["token"] })))
            .await;
        assert_eq!(status, 200, "{}: {body}", fresh.name);
    }
    assert_eq!(
        fresh.store.shop(&domain("member.myshopify.com")).await.unwrap().unwrap().workspace_id,
        home_workspace
    );

    // A member store (as one that joined by a leaked link would be) sees itself only and
    // cannot disconnect, rotate, or invite.
    let (status, listed) = app.call("GET", "/api/connections", Some(&member), None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["stores"].as_array().unwrap().len(), 1, "{listed}");
    let path = "/api/connections/custom.myshopify.com";
    assert_eq!(app.call("DELETE", path, Some(&member), None).await.0, 403);
    let rotation = json!({ "access_token": "shpat_x", "api_secret": "s" });
    assert_eq!(app.call("PUT", path, Some(&member), Some(rotation)).await.0, 403);
    let invite = json!({ "shop": "another.myshopify.com" });
    assert_eq!(app.call("POST", "/api/connect-links", Some(&member), Some(invite)).await.0, 403);
    assert!(
        fresh.store.shop(&domain("custom.myshopify.com")).await.unwrap().unwrap().active,
        "still connected"
    );

    // The owner sees every store; the store itself may leave.
    let (_, listed) = app.call("GET", "/api/connections", Some(&home), None).await;
    assert_eq!(listed["stores"].as_array().unwrap().len(), 3, "{listed}");
    assert_eq!(app.call("DELETE", path, Some(&custom), None).await.0, 204);
}
on_each_engine!(only_the_owner_store_or_the_store_itself_manages_a_workspace);

async fn the_owner_store_rotates_the_server_key_and_the_old_one_stops_working(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, session) = app.open_admin(&shop).await;
    assert_eq!(status, 200, "{session}");
    let first = session["server_key"].as_str().expect("shown on the first open").to_owned();
    assert!(session["workspace"]["owned"].as_bool().unwrap());
    let (_, again) = app.open_admin(&shop).await;
    assert!(again["server_key"].is_null(), "and never again: {again}");
    let hash = |key: &str| seglink::crypto::sha256_hex(key);
    assert!(fresh.store.workspace_by_server_key(&hash(&first)).await.unwrap().is_some());

    let (status, rotated) = app.call("POST", "/api/server-key", Some(&shop.session_token()), None).await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["server_key"].as_str().unwrap();
    assert!(second.starts_with("sk_") && second != first);
    assert!(fresh.store.workspace_by_server_key(&hash(&first)).await.unwrap().is_none(), "{}", fresh.name);
    assert!(fresh.store.workspace_by_server_key(&hash(second)).await.unwrap().is_some());
}
on_each_engine!(the_owner_store_rotates_the_server_key_and_the_old_one_stops_working);
