//! The handler and its CORS preflight.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, RETRY_AFTER,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use events::json::Json as Event;
use events::{Outcome, canonical};
use serde_json::json;

use super::{MAX_BATCH, MAX_BODY_BYTES};
use crate::app::{App, AppState};
use crate::clock::unix_now;
use crate::db::EventRow;
use crate::ingest::payload::unix_seconds;

/// `OPTIONS /v1/pixel/events`.
pub async fn preflight() -> Response {
    with_cors(StatusCode::NO_CONTENT.into_response())
}

/// `POST /v1/pixel/events` with `{"key", "shop", "normalized", "events": […]}`.
pub async fn receive(State(app): State<AppState>, request: Request<Body>) -> Response {
    with_cors(match accept(&app, request).await {
        Ok((accepted, rejected)) => {
            Json(json!({ "accepted": accepted, "rejected": rejected })).into_response()
        }
        Err(refusal) => refusal,
    })
}

fn with_cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // The pixel runs in a sandboxed worker whose origin is not the shop's; the key is the check.
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    response
}

fn refuse(status: StatusCode, reason: &str) -> Response {
    (status, Json(json!({ "error": reason }))).into_response()
}

async fn accept(app: &App, request: Request<Body>) -> Result<(usize, usize), Response> {
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| refuse(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 64 KB"))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| refuse(StatusCode::BAD_REQUEST, "the body is not UTF-8"))?;
    let body = Event::parse(text).map_err(|error| {
        refuse(StatusCode::BAD_REQUEST, &format!("the body is not JSON (at byte {})", error.offset))
    })?;
    let field = |name: &str| body.get(name).and_then(Event::as_str).unwrap_or_default();
    let (key, shop) = (field("key"), field("shop"));
    let events = body
        .get("events")
        .and_then(Event::as_array)
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "events must be an array"))?;
    if events.len() > MAX_BATCH {
        return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "a batch holds at most 50 events"));
    }
    if let Err(wait) = app.pixel_limiter.take(key, std::time::Instant::now()) {
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, "too many requests for this key");
        let seconds = wait.as_secs_f64().ceil().max(1.0).to_string();
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        return Err(response);
    }
    if !app.pixel_keys.allows(&app.store, key, shop).await.map_err(internal)? {
        return Err(refuse(StatusCode::UNAUTHORIZED, "unknown key for this shop"));
    }
    let raw = body.get("normalized") != Some(&Event::Bool(true));
    // Clients already looked up in this batch (a batch is nearly always one browser's).
    let mut customers: Vec<(String, Option<String>)> = Vec::new();
    let mut rows = Vec::with_capacity(events.len());
    let mut purchases = Vec::new();
    let mut rejected = 0;
    let now = unix_now();
    for event in events {
        // Raw events are normalised here with the same crate; normalised ones are checked field by field.
        let checked = if raw {
            match events::normalize(event) {
                Ok(Outcome::Event(event)) => Ok(*event),
                Ok(Outcome::Ignored(_)) => continue,
                Err(error) => Err(error),
            }
        } else {
            canonical::from_json(event)
        };
        let Ok(event) = checked else {
            rejected += 1;
            continue;
        };
        let client = event.client_id.clone();
        let customer = match &client {
            Some(client) => match customers.iter().find(|(known, _)| known == client) {
                Some((_, customer)) => customer.clone(),
                None => {
                    let customer = app.store.linked_customer(shop, client).await.map_err(internal)?;
                    customers.push((client.clone(), customer.clone()));
                    customer
                }
            },
            None => None,
        };
        let row = EventRow {
            kind: event.kind.as_str().to_owned(),
            source: "pixel".to_owned(),
            source_id: event.id.clone(),
            customer_id: customer,
            order_id: event.order_id.clone(),
            occurred_at: unix_seconds(&event.occurred_at).unwrap_or(now),
            properties: event.details_json(),
            client_id: client,
        };
        if event.kind == events::Kind::Purchase { purchases.push(row) } else { rows.push(row) }
    }
    let accepted = rows.len() + purchases.len();
    app.pixel_events.record(shop, rows).await.map_err(internal)?;
    for purchase in &purchases {
        app.store.record_event(shop, purchase).await.map_err(internal)?;
        if let Some(order_id) = &purchase.order_id {
            crate::ingest::link_buyer(app, shop, order_id)
                .await
                .map_err(|error| internal(error.to_string()))?;
        }
    }
    // Customers already known behind their clients are evaluated again now (DESIGN.md §4). The
    // events are stored whatever happens here, and the nightly recompute catches up.
    for customer in customers.iter().filter_map(|(_, customer)| customer.as_deref()) {
        if let Err(error) = crate::segments::refresh_customer(app, shop, customer, now).await {
            crate::log::warn(
                "segment refresh after pixel events failed",
                &[("shop", shop), ("error", &error.to_string())],
            );
        }
    }
    Ok((accepted, rejected))
}

fn internal(error: impl ToString) -> Response {
    crate::error::AppError::Internal(error.to_string()).into_response()
}
