use serde_json::json;

use crate::helpers::{API_KEY, TestApp};

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
async fn metrics_count_answered_requests_by_status() {
    let app = TestApp::spawn().await;
    app.get("/health").await;
    app.get("/health").await;
    app.get("/nowhere").await;
    let (status, text) = app.get_text("/metrics").await;
    assert_eq!(status, 200);
    assert!(text.contains("seglink_http_requests_total{method=\"GET\",status=\"200\"} 2"), "{text}");
    assert!(text.contains("seglink_http_requests_total{method=\"GET\",status=\"404\"} 1"), "{text}");
    assert!(text.contains("# TYPE seglink_http_requests_total counter"));
}
