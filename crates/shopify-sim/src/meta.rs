//! A local stand-in for Meta's Conversions API endpoint (`POST /{version}/{pixel id}/events`),
//! for tests and the demo: it checks what Meta documents it checks, keeps what it accepted, and
//! can be told to fail.
//!
//! Facts: Meta's "Conversions API: using the API" and "Server event parameters" pages. A request
//! holds at most 1,000 events, and one invalid event rejects the whole request. `event_time` is in
//! Unix seconds, at most seven days old. `action_source: "website"` needs `event_source_url` and
//! `user_data.client_user_agent`. Hashed fields are lower-case hex SHA-256. The access token goes
//! as `access_token`, in the query or the body. A success answers
//! `{events_received, messages, fbtrace_id}`; a refusal answers a Graph error
//! `{error: {message, type, code, error_subcode, is_transient, fbtrace_id}}`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// Most events in one request.
pub const MAX_EVENTS: usize = 1_000;

/// Oldest event Meta takes, in seconds.
const MAX_AGE_SECS: i64 = 7 * 86_400;

const STANDARD_EVENTS: [&str; 17] = [
    "AddPaymentInfo",
    "AddToCart",
    "AddToWishlist",
    "CompleteRegistration",
    "Contact",
    "CustomizeProduct",
    "Donate",
    "FindLocation",
    "InitiateCheckout",
    "Lead",
    "PageView",
    "Purchase",
    "Schedule",
    "Search",
    "StartTrial",
    "SubmitApplication",
    "ViewContent",
];

/// Fields of `user_data` Meta takes only hashed.
const HASHED: [&str; 10] = ["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country"];

#[derive(Default)]
struct State_ {
    pixel_id: String,
    access_token: String,
    received: Vec<Value>,
    requests: usize,
    /// Statuses to answer with, one per request, before accepting again.
    faults: VecDeque<u16>,
    test_event_codes: Vec<String>,
}

/// The stand-in: one dataset (pixel) and its access token.
#[derive(Clone, Default)]
pub struct ConversionsApi(Arc<Mutex<State_>>);

impl ConversionsApi {
    /// A dataset `pixel_id` that takes `access_token`.
    pub fn new(pixel_id: &str, access_token: &str) -> Self {
        Self(Arc::new(Mutex::new(State_ {
            pixel_id: pixel_id.to_owned(),
            access_token: access_token.to_owned(),
            ..State_::default()
        })))
    }

    /// The routes, to serve where the app's Graph API base URL points.
    pub fn router(&self) -> Router {
        Router::new().route("/{version}/{pixel}/events", post(events)).with_state(self.clone())
    }

    /// Answers the next `times` requests with `status`, as an outage or a rate limit would.
    pub fn fail_next(&self, status: u16, times: usize) {
        self.state().faults.extend(std::iter::repeat_n(status, times));
    }

    /// Every event accepted, in order.
    pub fn received(&self) -> Vec<Value> {
        self.state().received.clone()
    }

    /// Requests that reached the endpoint, failed ones included.
    pub fn requests(&self) -> usize {
        self.state().requests
    }

    /// The `test_event_code` of each accepted request that had one.
    pub fn test_event_codes(&self) -> Vec<String> {
        self.state().test_event_codes.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State_> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn graph_error(status: StatusCode, code: u32, subcode: Option<u32>, message: &str) -> Response {
    let error = json!({
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_subcode": subcode,
            "is_transient": status.is_server_error(),
            "fbtrace_id": "AsimulatedTrace",
        }
    });
    (status, Json(error)).into_response()
}

async fn events(
    State(api): State<ConversionsApi>,
    Path((_version, pixel)): Path<(String, String)>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    body: String,
) -> Response {
    let mut state = api.state();
    state.requests += 1;
    if let Some(status) = state.faults.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return graph_error(
            status,
            2,
            None,
            "An unexpected error has occurred. Please retry your request later.",
        );
    }
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return graph_error(StatusCode::BAD_REQUEST, 100, None, "The body is not JSON");
    };
    let token =
        body.get("access_token").and_then(Value::as_str).or(query.get("access_token").map(String::as_str));
    if token != Some(state.access_token.as_str()) {
        return graph_error(StatusCode::BAD_REQUEST, 190, None, "Invalid OAuth access token");
    }
    if pixel != state.pixel_id {
        return graph_error(
            StatusCode::BAD_REQUEST,
            100,
            Some(33),
            "Unsupported post request: no such dataset",
        );
    }
    let Some(data) = body.get("data").and_then(Value::as_array) else {
        return graph_error(StatusCode::BAD_REQUEST, 100, None, "The parameter data is required");
    };
    if data.is_empty() || data.len() > MAX_EVENTS {
        return graph_error(StatusCode::BAD_REQUEST, 100, None, "data must hold 1 to 1000 events");
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs()) as i64;
    for (index, event) in data.iter().enumerate() {
        if let Err(reason) = check_event(event, now) {
            return graph_error(
                StatusCode::BAD_REQUEST,
                100,
                Some(2_804_019),
                &format!("data[{index}]: {reason}"),
            );
        }
    }
    if let Some(code) = body.get("test_event_code").and_then(Value::as_str) {
        state.test_event_codes.push(code.to_owned());
    }
    state.received.extend(data.iter().cloned());
    Json(json!({ "events_received": data.len(), "messages": [], "fbtrace_id": "AsimulatedTrace" }))
        .into_response()
}

/// What Meta refuses in one event.
fn check_event(event: &Value, now: i64) -> Result<(), String> {
    let name = event.get("event_name").and_then(Value::as_str).ok_or("event_name is required")?;
    if !STANDARD_EVENTS.contains(&name) {
        return Err(format!("`{name}` is not a standard event"));
    }
    let time = event.get("event_time").and_then(Value::as_i64).ok_or("event_time must be Unix seconds")?;
    if time < now - MAX_AGE_SECS {
        return Err("event_time is more than seven days ago".to_owned());
    }
    if time > now + 60 {
        return Err("event_time is in the future".to_owned());
    }
    let user = event.get("user_data").and_then(Value::as_object).ok_or("user_data is required")?;
    let source = event.get("action_source").and_then(Value::as_str).ok_or("action_source is required")?;
    if source == "website" {
        if event.get("event_source_url").and_then(Value::as_str).is_none() {
            return Err("a website event needs event_source_url".to_owned());
        }
        if user.get("client_user_agent").and_then(Value::as_str).is_none() {
            return Err("a website event needs user_data.client_user_agent".to_owned());
        }
    }
    for field in HASHED {
        let values = match user.get(field) {
            None => continue,
            Some(Value::Array(values)) => values.clone(),
            Some(value) => vec![value.clone()],
        };
        if !values.iter().all(|value| value.as_str().is_some_and(is_sha256_hex)) {
            return Err(format!("user_data.{field} must be hashed (lower-case hex SHA-256)"));
        }
    }
    if let Some(value) = event.pointer("/custom_data/value")
        && !value.is_number()
    {
        return Err("custom_data.value must be a number".to_owned());
    }
    Ok(())
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(now: i64) -> Value {
        json!({
            "event_name": "Purchase",
            "event_time": now,
            "action_source": "website",
            "event_source_url": "https://shop.example/thank-you",
            "user_data": { "client_user_agent": "Mozilla/5.0", "em": ["a".repeat(64)] },
            "custom_data": { "value": 12.5, "currency": "USD" },
        })
    }

    #[test]
    fn meta_refuses_what_it_documents() {
        let now = 1_800_000_000;
        assert_eq!(check_event(&event(now), now), Ok(()));
        let mut old = event(now - 8 * 86_400);
        assert!(check_event(&old, now).unwrap_err().contains("seven days"));
        old["event_time"] = now.into();
        old["user_data"]["em"] = json!(["ada@example.com"]);
        assert!(check_event(&old, now).unwrap_err().contains("hashed"));
        let mut no_agent = event(now);
        no_agent["user_data"] = json!({});
        assert!(check_event(&no_agent, now).unwrap_err().contains("client_user_agent"));
        let mut custom = event(now);
        custom["event_name"] = "BoughtThing".into();
        assert!(check_event(&custom, now).is_err());
    }
}
