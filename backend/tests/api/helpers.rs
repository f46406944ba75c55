//! A configured app answering in-process.

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

pub fn config() -> Config {
    let pairs = [
        ("SHOPIFY_API_KEY", API_KEY),
        ("SHOPIFY_API_SECRET", SECRET),
        ("SHOPIFY_API_SECRET_PREVIOUS", PREVIOUS_SECRET),
        ("SCOPES", "read_customers,write_customers"),
        ("SHOPIFY_APP_URL", "https://seglink.example"),
        ("PORT", "0"),
    ];
    Config::from_lookup(|name| {
        pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    })
    .expect("a complete test configuration")
}

pub struct TestApp {
    router: Router,
    pub state: AppState,
    _database: TempDb,
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
    let store = seglink::db::connect(&format!("sqlite://{}", file.display())).await.expect("a test database");
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
        Self { router: router(state.clone()), state, _database: database }
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

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let request = Request::get(path).body(Body::empty()).expect("a request");
        let response = self.router.clone().oneshot(request).await.expect("an answer");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
}
