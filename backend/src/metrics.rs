//! `/metrics` in the Prometheus text format: requests by method and status, and what is running.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// Counters kept in memory; a restart starts them again, as Prometheus expects of counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
}

impl Metrics {
    fn record(&self, method: &str, status: u16) {
        let mut requests = self.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *requests.entry((method.to_owned(), status)).or_default() += 1;
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut text = String::new();
        text.push_str("# HELP seglink_build_info The running version.\n# TYPE seglink_build_info gauge\n");
        let _ = writeln!(text, "seglink_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        text.push_str("# HELP seglink_http_requests_total HTTP requests answered.\n# TYPE seglink_http_requests_total counter\n");
        let requests = self.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for ((method, status), count) in requests.iter() {
            let _ = writeln!(
                text,
                "seglink_http_requests_total{{method=\"{method}\",status=\"{status}\"}} {count}"
            );
        }
        text
    }
}

/// Counts every answered request.
pub async fn count_requests(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    app.metrics.record(&method, response.status().as_u16());
    response
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render())
}
