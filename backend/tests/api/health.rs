use serde_json::json;

use axum::body::Body;
use axum::http::Request;

use crate::helpers::{API_KEY, METRICS_TOKEN, TestApp};

#[tokio::test]
async fn health_answers_with_the_app_it_serves() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health").await, (200, json!({ "status": "ok", "app": API_KEY })));
    assert_eq!(app.get("/nowhere").await.0, 404);
}

#[tokio::test]
async fn health_reports_workers_that_are_not_running() {
    let app = TestApp::spawn().await;
    app.state.workers.expect(2);
    let first = seglink::jobs::spawn_worker(app.state.clone());
    let second = seglink::jobs::spawn_worker(app.state.clone());
    assert_eq!(app.get("/health").await.0, 200);
    // A worker that ends, however it ends, is no longer counted.
    second.abort();
    let _ = second.await;
    let (status, body) = app.get("/health").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["workers"], json!({ "expected": 2, "running": 1 }));
    first.abort();
}

#[tokio::test]
async fn metrics_count_answered_requests_by_method_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/health").await;
    app.get("/health").await;
    app.get("/nowhere").await;
    let (status, text) = scrape(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(status, 200);
    assert!(
        text.contains("seglink_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("seglink_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"),
        "{text}"
    );
    assert!(text.contains("# TYPE seglink_http_requests_total counter"));
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = Request::get("/metrics");
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let (status, _, text) = app.request(request.body(Body::empty()).unwrap()).await;
    (status, text)
}

#[tokio::test]
async fn metrics_need_their_token_and_their_labels_are_bounded() {
    let app = TestApp::spawn().await;
    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("metrics-test-token-012345678X")).await.0, 401);
    for index in 0..50 {
        let method = axum::http::Method::from_bytes(format!("M{index}").as_bytes()).unwrap();
        let path = format!("/random/{index}");
        app.request(Request::builder().method(method).uri(&path).body(Body::empty()).unwrap()).await;
        app.get(&format!("/api/segments/s{index}")).await;
    }
    let (_, text) = scrape(&app, Some(METRICS_TOKEN)).await;
    let series = text.lines().filter(|line| line.starts_with("seglink_http_requests_total{")).count();
    assert!(series <= 4, "50 methods and 100 paths make a few series, not 150: {text}");
    assert!(text.contains("method=\"other\",route=\"unmatched\""), "{text}");
    assert!(text.contains("route=\"/api/segments/{slug}\""), "{text}");

    // Without a configured token the route does not exist.
    let mut config = crate::helpers::config();
    config.metrics_token = None;
    let store = seglink::db::Store::connect("sqlite::memory:").await.unwrap();
    let state = seglink::app::AppState(std::sync::Arc::new(seglink::app::App::new(config, store)));
    let bare = seglink::router::router(state);
    let request = Request::get("/metrics").header("Authorization", format!("Bearer {METRICS_TOKEN}"));
    assert_eq!(crate::helpers::send(&bare, request.body(Body::empty()).unwrap()).await.0, 404);
}

#[tokio::test]
async fn answers_are_not_cached_or_sniffed() {
    let app = TestApp::spawn().await;
    for request in [
        Request::get("/api/privacy-requests").body(Body::empty()).unwrap(),
        Request::get("/health").body(Body::empty()).unwrap(),
        Request::post("/v1/pixel/events").body(Body::from("{}")).unwrap(),
        Request::get("/nowhere").body(Body::empty()).unwrap(),
    ] {
        let path = request.uri().path().to_owned();
        let (_, headers, _) = app.request(request).await;
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
}
