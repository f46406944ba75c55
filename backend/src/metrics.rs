//! `/metrics` in the Prometheus text format: requests by method, route and status. Every label
//! has a bounded set of values (a method outside the standard ones is `other`, the route is the
//! router's template or `unmatched`), so no request can add series without end. The route is
//! served only with the bearer token `SEGLINK_METRICS_TOKEN`, and not at all without one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// Counters kept in memory; a restart starts them again, as Prometheus expects of counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, String, u16), u64>>,
}

/// A method as a label: one of a fixed few.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

impl Metrics {
    fn record(&self, method: &'static str, route: &str, status: u16) {
        let mut requests = self.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match requests.get_mut(&(method, route.to_owned(), status)) {
            Some(count) => *count += 1,
            None => {
                requests.insert((method, route.to_owned(), status), 1);
            }
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut text = String::new();
        text.push_str("# HELP seglink_build_info The running version.\n# TYPE seglink_build_info gauge\n");
        let _ = writeln!(text, "seglink_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        text.push_str("# HELP seglink_http_requests_total HTTP requests answered.\n# TYPE seglink_http_requests_total counter\n");
        let requests = self.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for ((method, route, status), count) in requests.iter() {
            let _ = writeln!(
                text,
                "seglink_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        text
    }
}

/// Counts every answered request.
pub async fn count_requests(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let response = next.run(request).await;
    app.metrics.record(method, &route, response.status().as_u16());
    response
}

/// `GET /metrics`, with `Authorization: Bearer <SEGLINK_METRICS_TOKEN>`; 404 when no token is
/// configured, 401 without the right one.
pub async fn metrics(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = app.config.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::crypto::same_secret(given.trim(), expected) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}
