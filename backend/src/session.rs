//! `GET /api/session`: the embedded admin's first request. It installs the store on its first
//! load (token exchange), then says who is talking and how setup is going.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::install::{STEPS, managed::ensure_installed};
use crate::shopify::extract::ShopSession;

/// The shop, the staff member, the workspace and the setup checklist. The server key appears in
/// the answer that created the workspace, and never again.
pub async fn current(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let shop = &session.claims.shop;
    let connected = ensure_installed(&app, shop, &session.token, unix_now()).await?;
    let record = app.store.shop(shop.as_str()).await?.ok_or(AppError::NotFound)?;
    let workspace = app.store.workspace(&record.workspace_id).await?.ok_or(AppError::NotFound)?;
    let setup = checklist(&app, shop.as_str()).await?;
    // What the app asks for that the store has not granted (a scope added by an update, or one
    // the merchant took back): the admin offers to approve it.
    let granted: Vec<String> = record
        .tokens
        .as_ref()
        .map(|tokens| {
            tokens
                .scopes
                .split(',')
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let missing = crate::install::custom_app::missing_scopes(&app.config.scopes, &granted);
    Ok(Json(json!({
        "shop": shop.as_str(),
        "user": session.claims.user_id,
        "workspace": { "slug": workspace.slug, "public_key": workspace.public_key },
        "server_key": connected.and_then(|connected| connected.new_server_key),
        "setup": setup,
        "missing_scopes": missing,
    })))
}

async fn checklist(app: &AppState, shop: &str) -> Result<Vec<Value>, AppError> {
    let steps = app.store.setup_steps(shop).await?;
    Ok(STEPS
        .iter()
        .map(|step| {
            let found = steps.iter().find(|(name, _, _)| name == step);
            json!({
                "step": step,
                "state": found.map_or("pending", |(_, state, _)| state.as_str()),
                "detail": found.and_then(|(_, _, detail)| detail.clone()),
            })
        })
        .collect())
}

/// `GET /api/setup`: how far the store has come, from install to a rule at checkout: the
/// provisioning steps, then whether it has segments, pushed tags and rules in Shopify.
pub async fn setup(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let shop = session.claims.shop.as_str();
    let steps = checklist(&app, shop).await?;
    // A suggestion is not the merchant's segment until they keep it.
    let segments: Vec<_> =
        app.store.segments(shop, false).await?.into_iter().filter(|segment| segment.suggested == 0).collect();
    let mut pushed = 0;
    for segment in &segments {
        let state = app.store.push_state(shop, &segment.slug).await?;
        pushed += usize::from(state.is_some_and(|push| push.state == "done"));
    }
    let rules = crate::discounts::rules_of(&app, shop).await?;
    let sync = app.store.discount_sync(shop).await?;
    let done = |flag: bool| if flag { "done" } else { "pending" };
    let mut progress = steps;
    progress.push(json!({ "step": "segment", "state": done(!segments.is_empty()), "detail": format!("{} segments", segments.len()) }));
    progress.push(json!({ "step": "tags_pushed", "state": done(pushed > 0), "detail": format!("{pushed} segments pushed") }));
    progress.push(json!({
        "step": "discount_rule",
        "state": done(rules.iter().any(|(_, rule)| rule.active) && sync.as_ref().is_some_and(|sync| sync.state == "synced")),
        "detail": format!("{} active rules", rules.iter().filter(|(_, rule)| rule.active).count()),
    }));
    let finished =
        progress.iter().filter(|step| step["state"] == "done" || step["state"] == "skipped").count();
    Ok(Json(json!({ "steps": progress, "done": finished, "total": progress.len() })))
}

/// `GET /api/sync`: how well the store's data keeps up: the last delivery of each webhook topic,
/// jobs retrying or dead, what is stored, and the pixel's last event.
pub async fn sync(State(app): State<AppState>, session: ShopSession) -> Result<Json<Value>, AppError> {
    let shop = session.claims.shop.as_str();
    let webhooks: Vec<Value> = app
        .store
        .last_webhook_per_topic(shop)
        .await?
        .into_iter()
        .map(|(topic, at)| json!({ "topic": topic, "last_received_at": at }))
        .collect();
    let dead: Vec<Value> = app
        .store
        .dead_jobs(shop)
        .await?
        .into_iter()
        .map(|(kind, error)| json!({ "kind": kind, "error": error }))
        .collect();
    let (products, customers, orders) = app.store.counts(shop).await?;
    Ok(Json(json!({
        "webhooks": webhooks,
        "jobs": { "retrying": app.store.retrying_jobs(shop).await?, "dead": dead },
        "counts": { "customers": customers, "orders": orders, "products": products },
        "last_pixel_event_at": app.store.last_pixel_event_at(shop).await?,
    })))
}
