//! Every route the backend answers, in one place.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::{Router, middleware};

use crate::app::AppState;
use crate::catalog::api as catalog;
use crate::catalog::outbound;
use crate::discounts::api as rules;
use crate::install::{connect_link, custom_app, oauth, progress, server_key, session};
use crate::segments::api as segments;
use crate::{admin, billing, flow, health, lookup, metrics, pixel, settings, sync_health, webhooks};

/// The routes, with their state.
pub fn router(state: AppState) -> Router {
    Router::new()
        // Operations
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        // Shopify
        .route("/webhooks", post(webhooks::receive))
        .route("/flow/lifecycle", post(flow::lifecycle))
        .route("/flow/actions/{handle}", post(flow::action))
        .route("/auth", get(oauth::begin))
        .route("/auth/callback", get(oauth::callback))
        // The embedded admin: its document on every page's path, the bounce page, the assets
        .route("/", get(admin::document))
        .route("/segments", get(admin::document))
        .route("/segments/{*rest}", get(admin::document))
        .route("/discounts", get(admin::document))
        .route("/pixel", get(admin::document))
        .route("/settings", get(admin::document))
        .route("/billing", get(admin::document))
        .route("/connect", get(admin::document))
        .route("/auth/session-token", get(admin::bounce))
        .route("/assets/{file}", get(admin::asset))
        // Storefront
        .route("/v1/pixel/events", post(pixel::receive).options(pixel::preflight))
        // Lookup API for support tools, with the workspace's server key
        .route("/v1/lookup/orders/{number}", get(lookup::orders))
        .route("/v1/lookup/products", get(lookup::products))
        .route("/v1/lookup/customers", get(lookup::customers))
        // Embedded admin API
        .route("/api/session", get(session::current))
        .route("/api/connections", get(custom_app::list).post(custom_app::create))
        .route("/api/connections/{shop}", put(custom_app::rotate).delete(custom_app::disconnect))
        .route("/api/connect-links", get(connect_link::list).post(connect_link::create))
        .route("/api/connect-links/{id}", delete(connect_link::revoke))
        .route("/api/connect", post(connect_link::accept))
        .route("/api/server-key", post(server_key::rotate))
        .route("/api/ingestion-policy", get(settings::policy).put(settings::set_policy))
        .route("/api/privacy-requests", get(settings::privacy_requests))
        .route("/api/data-retention", get(settings::retention).put(settings::set_retention))
        .route("/api/privacy-requests/{id}/export", get(settings::take_export))
        .route("/api/setup", get(progress::setup))
        .route("/api/billing", get(billing::api::show))
        .route("/api/meta", get(crate::meta::api::show).put(crate::meta::api::save))
        .route("/api/sync", get(sync_health::sync))
        .route("/api/pixel", get(pixel::status))
        .route("/api/pixel/reconnect", post(pixel::reconnect))
        .route("/api/pixel/settings", put(pixel::set_settings))
        .route("/api/customers", get(segments::search_customers))
        .route("/api/segments", get(segments::list).post(segments::create))
        .route("/api/segments/preview", post(segments::preview))
        .route("/api/segments/reconcile", post(segments::reconcile))
        .route("/api/segments/recompute", post(segments::recompute))
        .route("/api/segments/{slug}", get(segments::show).put(segments::update).delete(segments::delete))
        .route("/api/segments/{slug}/members", get(segments::members))
        .route("/api/segments/{slug}/changes", get(segments::changes))
        .route("/api/segments/{slug}/explain/{customer_id}", get(segments::explain))
        .route("/api/segments/{slug}/push", get(segments::push_status).post(segments::push_now))
        .route("/api/order-prefix", put(lookup::set_prefix))
        .route("/api/catalog/settings", get(outbound::settings).put(outbound::set_settings))
        .route("/api/products", post(outbound::create))
        .route("/api/products/outbound", get(outbound::list))
        .route("/api/products/metafields", get(catalog::status).post(catalog::write_all))
        .route("/api/products/{id}/metafields", post(catalog::write_one))
        .route("/api/discount-rules", get(rules::list).post(rules::create))
        .route("/api/discount-rules/try", post(rules::try_cart))
        .route("/api/discount-rules/guest-misses", get(rules::guest_misses))
        .route("/api/discount-rules/{id}", put(rules::update).delete(rules::delete))
        .route("/api/discount-rules/{id}/toggle", post(rules::toggle))
        .layer(middleware::map_response(private_by_default))
        .layer(middleware::from_fn(crate::error::log_failures))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::count_requests))
        .with_state(state)
}

/// Every answer may carry a shop's data (customers, exports, keys): no cache keeps it unless a
/// route says otherwise, and no browser guesses a type other than the one sent.
async fn private_by_default(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
