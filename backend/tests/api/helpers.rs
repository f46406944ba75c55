//! What the tests share: a configured app answering in-process (here), fresh databases on each
//! engine (`databases`), and a simulated shop with the app installed (`simulated`).

mod databases;
mod process;
mod proxy;
mod simulated;

pub(crate) use databases::on_each_engine;
pub use databases::{Fresh, unique};
pub use process::start_with;
pub use proxy::Proxy;
pub use simulated::*;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use seglink::app::{App, AppState};
use seglink::config::Config;
use seglink::router::router;
use serde_json::Value;
use tower::ServiceExt as _;

pub const API_KEY: &str = "seglink-test-key";
pub const SECRET: &str = "seglink-test-secret";
pub const PREVIOUS_SECRET: &str = "seglink-old-secret";

/// The scopes `shopify.app.toml` asks for.
pub const SCOPES: &str = "read_customers,write_customers,read_orders,read_all_orders,read_fulfillments,read_products,write_products,read_discounts,write_discounts,write_pixels,read_customer_events";
pub const APP_URL: &str = "https://seglink.example";
pub const METRICS_TOKEN: &str = "metrics-test-token-0123456789";
pub const ENCRYPTION_KEY: &str = "c2VnbGluay10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE=";

/// A shop domain the test spells out; a typo fails the test here rather than in a query.
pub fn domain(text: &str) -> seglink::shop_domain::ShopDomain {
    seglink::shop_domain::ShopDomain::parse(text).expect("a test shop domain")
}

pub fn config() -> Config {
    config_with_origin(None)
}

/// The test configuration, reaching Shopify at `origin` (the simulator) when given.
pub fn config_with_origin(origin: Option<&str>) -> Config {
    config_with(origin, &[])
}

/// The test configuration with `extra` settings besides.
pub fn config_with(origin: Option<&str>, extra: &[(&str, &str)]) -> Config {
    let pairs = [
        ("SHOPIFY_API_KEY", API_KEY),
        ("SHOPIFY_API_SECRET", SECRET),
        ("SHOPIFY_API_SECRET_PREVIOUS", PREVIOUS_SECRET),
        ("SCOPES", SCOPES),
        ("SHOPIFY_APP_URL", APP_URL),
        ("PORT", "0"),
        ("SEGLINK_ENCRYPTION_KEY", ENCRYPTION_KEY),
        ("SEGLINK_METRICS_TOKEN", METRICS_TOKEN),
    ];
    Config::from_lookup(|name| {
        if name == "SEGLINK_SHOPIFY_ORIGIN" {
            return origin.map(str::to_owned);
        }
        pairs.iter().chain(extra).find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    })
    .expect("a complete test configuration")
}

pub struct TestApp {
    router: Router,
    pub state: AppState,
    _database: Option<TempDb>,
}

/// A test's SQLite file, removed when the test is done with it.
pub struct TempDb(pub std::path::PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// The app on a fresh SQLite file of its own.
pub async fn state() -> (AppState, TempDb) {
    let file = std::env::temp_dir().join(format!(
        "seglink_app_{}_{}.db",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    let store =
        seglink::db::Store::connect(&format!("sqlite://{}", file.display())).await.expect("a test database");
    (AppState(std::sync::Arc::new(App::new(config(), store))), TempDb(file))
}

/// Sends one request to `router` and reads the whole answer.
pub async fn send(router: &Router, request: Request<Body>) -> (u16, axum::http::HeaderMap, String) {
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

impl TestApp {
    pub async fn spawn() -> Self {
        let (state, database) = state().await;
        Self { router: router(state.clone()), state, _database: Some(database) }
    }

    /// The app on `store`, reaching Shopify at `origin`.
    pub fn on(store: seglink::db::Store, origin: Option<&str>) -> Self {
        Self::configured(store, config_with_origin(origin))
    }

    /// The app on `store` with `config`.
    pub fn configured(store: seglink::db::Store, config: Config) -> Self {
        let state = AppState(std::sync::Arc::new(App::new(config, store)));
        Self { router: router(state.clone()), state, _database: None }
    }

    /// Runs every due job.
    pub async fn run_jobs(&self) -> usize {
        seglink::jobs::drain(&self.state).await
    }

    /// Runs every job due within `seconds`.
    pub async fn run_jobs_ahead(&self, seconds: i64) -> usize {
        seglink::jobs::drain_ahead(&self.state, seconds).await
    }

    pub async fn request(&self, request: Request<Body>) -> (u16, axum::http::HeaderMap, String) {
        send(&self.router, request).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let request = Request::get(path).body(Body::empty()).expect("a request");
        let response = self.router.clone().oneshot(request).await.expect("an answer");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

impl TestApp {
    /// Sends `method path` with an optional session token and JSON body; the status and JSON.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = bearer {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => {
                request.header("Content-Type", "application/json").body(Body::from(body.to_string()))
            }
            None => request.body(Body::empty()),
        }
        .expect("a request");
        let (status, _, text) = self.request(request).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A delivery of `topic` for `shop` signed with the app's secret, as Shopify sends it.
pub fn webhook(shop: &str, topic: &str, event_id: &str, body: &Value) -> Request<Body> {
    webhook_signed_with(SECRET, shop, topic, event_id, body)
}

/// A delivery signed with `secret`: another app's, or a custom app's.
pub fn webhook_signed_with(
    secret: &str,
    shop: &str,
    topic: &str,
    event_id: &str,
    body: &Value,
) -> Request<Body> {
    let body = body.to_string();
    Request::post("/webhooks")
        .header("X-Shopify-Hmac-Sha256", shopify_sim::signing::webhook_hmac(secret, body.as_bytes()))
        .header("X-Shopify-Topic", topic)
        .header("X-Shopify-Shop-Domain", shop)
        .header("X-Shopify-API-Version", "2026-10")
        .header("X-Shopify-Webhook-Id", format!("w-{event_id}"))
        .header("X-Shopify-Event-Id", event_id)
        .header("X-Shopify-Triggered-At", "2026-11-20T10:00:00Z")
        .body(Body::from(body))
        .expect("a request")
}

impl TestApp {
    /// Delivers a webhook and expects the 200.
    pub async fn deliver(&self, shop: &str, topic: &str, event_id: &str, body: &Value) {
        let (status, _, answer) = self.request(webhook(shop, topic, event_id, body)).await;
        assert_eq!(status, 200, "{topic} {event_id}: {answer}");
    }
}

/// A staff member's session token for `shop`, signed as Shopify signs them.
pub fn session_for(shop: &str) -> String {
    shopify_sim::signing::session_token(
        SECRET,
        &shopify_sim::signing::SessionClaims::new(shop, API_KEY, 1, now().as_secs() as i64),
    )
}

/// `shop` installed (with a stand-in token) in a new workspace of its own: the workspace's id
/// and a session of the store.
pub async fn lone_store(app: &TestApp, shop: &str, kind: seglink::db::Connection) -> (String, String) {
    let (workspace, _) = new_workspace(app, shop).await;
    join_workspace(app, shop, &workspace, kind).await;
    (workspace, session_for(shop))
}

/// A new workspace owned by `shop`: its id and its server key, shown this once.
pub async fn new_workspace(app: &TestApp, shop: &str) -> (String, String) {
    let domain = domain(shop);
    let (workspace, server_key) =
        seglink::install::workspace::create(&app.state.store, &domain, seglink::clock::UnixTime::EPOCH)
            .await
            .unwrap();
    (workspace.id, server_key)
}

/// Tokens as a connection stores them: `access_token` (sealed, or a stand-in where nothing
/// calls Shopify) with `scopes`, nothing expiring and no refresh token.
pub fn stored_tokens(access_token: String, scopes: &str) -> seglink::db::StoredTokens {
    seglink::db::StoredTokens {
        access_token,
        access_expires_at: None,
        refresh_token: None,
        refresh_expires_at: None,
        scopes: scopes.to_owned(),
        webhook_secret: None,
    }
}

/// Connects `shop` to `workspace` with a stand-in token.
pub async fn join_workspace(app: &TestApp, shop: &str, workspace: &str, kind: seglink::db::Connection) {
    let tokens = stored_tokens(app.state.keys.seal("shpat_t", shop), SCOPES);
    app.state
        .store
        .connect_shop(&domain(shop), workspace, kind, &tokens, seglink::clock::UnixTime::EPOCH)
        .await
        .unwrap();
}
