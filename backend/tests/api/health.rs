use serde_json::json;

use crate::helpers::{API_KEY, TestApp};

#[tokio::test]
async fn health_answers_with_the_app_it_serves() {
    let app = TestApp::spawn();
    assert_eq!(app.get("/health").await, (200, json!({ "status": "ok", "app": API_KEY })));
    assert_eq!(app.get("/nowhere").await.0, 404);
}
