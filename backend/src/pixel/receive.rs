//! The handler and its CORS preflight.

use axum::Json;
use axum::body::Body;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use events::json::Json as Event;
use events::{Outcome, canonical};
use serde_json::json;

use super::{MAX_BATCH, MAX_BODY_BYTES};
use crate::app::{App, AppState};
use crate::clock::{UnixTime, unix_now};
use crate::db::{CHECKOUT_COMPLETED, EventRow};
use crate::error::AppError;
use crate::shopify::ShopDomain;

/// `OPTIONS /v1/pixel/events`.
pub async fn preflight() -> Response {
    with_cors(StatusCode::NO_CONTENT.into_response())
}

/// How many events of a batch were stored; the rest were malformed, unknown or too old.
#[derive(serde::Serialize)]
pub struct Accepted {
    accepted: usize,
    rejected: usize,
}

/// `POST /v1/pixel/events` with `{"key", "shop", "normalized", "events": […]}`.
pub async fn receive(State(app): State<AppState>, request: Request<Body>) -> Response {
    with_cors(match accept(&app, request).await {
        Ok((accepted, rejected)) => Json(Accepted { accepted, rejected }).into_response(),
        Err(refusal) => refusal.into_response(),
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

/// How far ahead of our clock an event's time may be: browsers' clocks drift, but an event
/// from the future would count as recent for ever.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

async fn accept(app: &App, request: Request<Body>) -> Result<(usize, usize), AppError> {
    let client = client_address(&request);
    let user_agent = request
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|agent| agent.chars().take(512).collect::<String>());
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES).await.map_err(|error| {
        if crate::serve::timed_out(&error) {
            AppError::TimedOut("the body stopped arriving".to_owned())
        } else {
            AppError::TooLarge("the body is over 64 KB".to_owned())
        }
    })?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| AppError::BadRequest("the body is not UTF-8".to_owned()))?;
    let body = Event::parse(text)
        .map_err(|error| AppError::BadRequest(format!("the body is not JSON (at byte {})", error.offset)))?;
    let field = |name: &str| body.get(name).and_then(Event::as_str).unwrap_or_default();
    let (key, shop) = (field("key"), field("shop"));
    let events = body
        .get("events")
        .and_then(Event::as_array)
        .ok_or_else(|| AppError::BadRequest("events must be an array".to_owned()))?;
    if events.len() > MAX_BATCH {
        return Err(AppError::TooLarge("a batch holds at most 50 events".to_owned()));
    }
    // Checked before any bucket is charged: a request for another shop or with a made-up key
    // must not use up the real store's allowance.
    let shop = ShopDomain::parse(shop)
        .map_err(|_| AppError::BadRequest("shop must be a *.myshopify.com domain".to_owned()))?;
    let shop = &shop;
    if !app.pixel_keys.allows(&app.store, key, shop).await.map_err(storage)? {
        return Err(AppError::Unauthorized("unknown key for this shop".to_owned()));
    }
    let now_instant = std::time::Instant::now();
    app.pixel_client_limiter
        .take(&format!("{key} {client}"), now_instant)
        .map_err(|wait| too_many(wait, "too many requests from this address"))?;
    app.pixel_limiter
        .take(key, now_instant)
        .map_err(|wait| too_many(wait, "too many requests for this key"))?;
    // Over the plan's monthly events, new ones are refused (402: the pixel does not send again).
    app.pixel_allowance.check(app, shop, unix_now()).await?;
    let raw = body.get("normalized") != Some(&Event::Bool(true));
    // Only with the visitor's marketing consent do their events go on to Meta (docs/meta.md).
    let marketing = body.get("marketing") == Some(&Event::Bool(true));
    let mut for_meta = Vec::new();
    let mut rows = Vec::with_capacity(events.len());
    let mut checkouts = Vec::new();
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
        let occurred_at = UnixTime::parse_rfc3339(&event.occurred_at).unwrap_or(now);
        if occurred_at > now + MAX_CLOCK_SKEW_SECS {
            rejected += 1;
            continue;
        }
        if event.kind == events::Kind::Purchase {
            // The browser's word on an order is a claim, never the purchase (docs/security.md).
            checkouts.push(checkout_claim(&event, occurred_at));
            continue;
        }
        if marketing
            && matches!(
                event.kind,
                events::Kind::ProductView | events::Kind::AddToCart | events::Kind::CheckoutStart
            )
        {
            for_meta.push((event.clone(), occurred_at));
        }
        rows.push(EventRow {
            kind: event.kind.as_str().to_owned(),
            source: "pixel".to_owned(),
            source_id: event.id.clone(),
            // The writer names the customer a client is linked to.
            customer_id: None,
            order_id: event.order_id.clone(),
            occurred_at,
            properties: event.details_json(),
            client_id: event.client_id.clone(),
        });
    }
    let accepted = rows.len() + checkouts.len();
    let stored = rows.len();
    // Customers already known behind their clients are evaluated again now (docs/segments.md),
    // and so is a buyer a checkout links now: the client's earlier events count for them.
    let mut refresh = app.pixel_events.record(shop, rows).await?;
    app.pixel_usage.add(shop, now.month(), stored);
    for checkout in &checkouts {
        app.store.record_event(shop, checkout).await.map_err(storage)?;
        // The order's webhook may have come first: link now if the tokens agree.
        if let Some(order_id) = &checkout.order_id {
            let linked = crate::webhooks::process::link_buyer(&app.store, shop, order_id)
                .await
                .map_err(|error| internal(error.to_string()))?;
            refresh.extend(linked);
        }
    }
    if !for_meta.is_empty() {
        let meta_id = |name: &str| field(name).chars().take(256).collect::<String>();
        let browser = crate::meta::BrowserContext {
            ip: Some(client.clone()).filter(|address| address.parse::<std::net::IpAddr>().is_ok()),
            user_agent,
            fbp: Some(meta_id("fbp")).filter(|id| !id.is_empty()),
            fbc: Some(meta_id("fbc")).filter(|id| !id.is_empty()),
        };
        // The events are stored; forwarding is best effort beside them.
        if let Err(error) = crate::meta::queue_pixel_events(app, shop, &for_meta, &browser, now).await {
            crate::log::warn(
                "queueing events for Meta failed",
                &[("shop", shop.as_str()), ("error", &error.to_string())],
            );
        }
    }
    refresh.sort_unstable();
    refresh.dedup();
    // The events are stored whatever happens here, and the nightly recompute catches up.
    for customer in &refresh {
        match crate::segments::refresh_customer(&app.store, shop, customer, now).await {
            // A push was queued: a worker takes it now, not at its next look.
            Ok(changed) if changed > 0 => app.jobs_waiting.notify_one(),
            Ok(_) => {}
            Err(error) => crate::log::warn(
                "segment refresh after pixel events failed",
                &[("shop", shop.as_str()), ("error", &error.to_string())],
            ),
        }
    }
    Ok((accepted, rejected))
}

/// A pixel purchase as stored: keyed by its checkout token (which only the buyer's browser
/// knows), naming the order it claims, with no lines, value or customer.
fn checkout_claim(event: &events::Event, occurred_at: UnixTime) -> EventRow {
    let token = event.checkout_token.clone();
    EventRow {
        kind: CHECKOUT_COMPLETED.to_owned(),
        source: "pixel".to_owned(),
        source_id: token.clone().unwrap_or_else(|| event.id.clone()),
        customer_id: None,
        order_id: event.order_id.clone(),
        occurred_at,
        properties: json!({ "checkout_token": token }).to_string(),
        client_id: event.client_id.clone(),
    }
}

/// Who sent the request, for the per-client limit. `seglink serve` listens on loopback behind a
/// proxy (the host's, or the Shopify CLI's tunnel) that appends the address it saw to
/// `X-Forwarded-For`: the last entry is the one a client cannot forge.
fn client_address(request: &Request<Body>) -> String {
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .rfind(|address| !address.is_empty());
    match forwarded {
        Some(address) => address.to_owned(),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string()),
    }
}

fn too_many(wait: std::time::Duration, reason: &str) -> AppError {
    // Whole seconds, at least one: what `Retry-After` can say.
    let retry_after_secs = wait.as_secs().saturating_add(u64::from(wait.subsec_nanos() > 0)).max(1);
    AppError::TooManyRequests { message: reason.to_owned(), retry_after_secs }
}

fn internal(error: impl Into<crate::error::Source>) -> AppError {
    AppError::internal("storing pixel events", error)
}

/// 503 when storage is down or locked (the pixel retries), else 500.
fn storage(error: crate::db::DbError) -> AppError {
    if error.is_unavailable() { AppError::unavailable(error) } else { internal(error) }
}
