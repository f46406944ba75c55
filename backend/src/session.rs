//! `GET /api/session`: who the embedded admin is talking to, for the admin UI's first request.

use axum::Json;
use serde_json::{Value, json};

use crate::shopify::extract::ShopSession;

/// The shop and staff member named by the session token.
pub async fn current(ShopSession(claims): ShopSession) -> Json<Value> {
    Json(json!({ "shop": claims.shop.as_str(), "user": claims.user_id }))
}
