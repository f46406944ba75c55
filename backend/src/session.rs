//! `GET /api/session`: the embedded admin's first request. It installs the store on its first
//! load (token exchange), then says who is talking and how setup is going.

use crate::clock::UnixTime;
use crate::db::{PushState, StepState, SyncState};
use crate::shop_domain::ShopDomain;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use ts_rs::TS;

use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::error::AppError;
use crate::install::{STEPS, managed::ensure_installed};

/// Who is talking: the store, the staff member, the workspace and the setup checklist.
#[derive(Serialize, TS)]
pub struct SessionView {
    pub shop: String,
    /// The staff member's id (the session token's `sub`).
    pub user: String,
    pub workspace: WorkspaceView,
    /// Only in the answer that created the workspace: shown once, stored hashed.
    pub server_key: Option<String>,
    pub setup: Vec<SetupStep>,
    /// Scopes the app asks for that the store has not granted.
    pub missing_scopes: Vec<String>,
}

/// The workspace a store belongs to.
#[derive(Serialize, TS)]
pub struct WorkspaceView {
    pub slug: String,
    /// The key the storefront pixel sends; not a secret.
    pub public_key: String,
    /// The caller's store owns the workspace (may make links, rotate the server key).
    pub owned: bool,
}

/// One step from install to a rule at checkout.
#[derive(Serialize, TS)]
pub struct SetupStep {
    pub step: String,
    pub state: StepState,
    pub detail: Option<String>,
}

/// `GET /api/setup`.
#[derive(Serialize, TS)]
pub struct SetupProgress {
    pub steps: Vec<SetupStep>,
    pub done: usize,
    pub total: usize,
}

/// The last delivery of one webhook topic.
#[derive(Serialize, TS)]
pub struct TopicSeen {
    pub topic: String,
    pub last_received_at: UnixTime,
}

/// A job that ran out of attempts.
#[derive(Serialize, TS)]
pub struct DeadJob {
    pub kind: String,
    pub error: String,
}

/// Jobs that are not well.
#[derive(Serialize, TS)]
pub struct JobHealth {
    pub retrying: i64,
    pub dead: Vec<DeadJob>,
}

/// What Seglink stores of the shop.
#[derive(Serialize, TS)]
pub struct Counts {
    pub customers: i64,
    pub orders: i64,
    pub products: i64,
}

/// `GET /api/sync`.
#[derive(Serialize, TS)]
pub struct SyncHealth {
    pub webhooks: Vec<TopicSeen>,
    pub jobs: JobHealth,
    pub counts: Counts,
    pub last_pixel_event_at: Option<UnixTime>,
}

/// The shop, the staff member, the workspace and the setup checklist. The server key appears in
/// the answer that created the workspace, and never again.
pub async fn current(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<SessionView>, AppError> {
    let shop = &session.claims.shop;
    let connected = ensure_installed(&app, shop, &session.token, unix_now()).await?;
    let record = app.store.shop(shop).await?.ok_or(AppError::NotFound)?;
    let workspace = app.store.workspace(&record.workspace_id).await?.ok_or(AppError::NotFound)?;
    let setup = checklist(&app, shop).await?;
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
    Ok(Json(SessionView {
        shop: shop.as_str().to_owned(),
        user: session.claims.user_id.clone(),
        workspace: WorkspaceView {
            owned: workspace.owner_shop.as_ref() == Some(shop),
            slug: workspace.slug,
            public_key: workspace.public_key,
        },
        server_key: connected.and_then(|connected| connected.new_server_key),
        setup,
        missing_scopes: missing,
    }))
}

async fn checklist(app: &AppState, shop: &ShopDomain) -> Result<Vec<SetupStep>, AppError> {
    let steps = app.store.setup_steps(shop).await?;
    Ok(STEPS
        .iter()
        .map(|step| {
            let found = steps.iter().find(|(name, _, _)| name == step);
            SetupStep {
                step: (*step).to_owned(),
                state: found.map_or(StepState::Pending, |(_, state, _)| *state),
                detail: found.and_then(|(_, _, detail)| detail.clone()),
            }
        })
        .collect())
}

/// `GET /api/setup`: how far the store has come, from install to a rule at checkout: the
/// provisioning steps, then whether it has segments, pushed tags and rules in Shopify.
pub async fn setup(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<SetupProgress>, AppError> {
    let shop = &session.claims.shop;
    let steps = checklist(&app, shop).await?;
    // A suggestion is not the merchant's segment until they keep it.
    let segments: Vec<_> =
        app.store.segments(shop, false).await?.into_iter().filter(|segment| !segment.suggested).collect();
    let mut pushed = 0;
    for segment in &segments {
        let state = app.store.push_state(shop, &segment.slug).await?;
        pushed += usize::from(state.is_some_and(|push| push.state == PushState::Done));
    }
    let rules = crate::discounts::rules_of(&app.store, shop).await?;
    let sync = app.store.discount_sync(shop).await?;
    let step = |step: &str, done: bool, detail: String| SetupStep {
        step: step.to_owned(),
        state: if done { StepState::Done } else { StepState::Pending },
        detail: Some(detail),
    };
    let active = rules.iter().filter(|(_, rule)| rule.active).count();
    let mut progress = steps;
    progress.push(step("segment", !segments.is_empty(), format!("{} segments", segments.len())));
    progress.push(step("tags_pushed", pushed > 0, format!("{pushed} segments pushed")));
    progress.push(step(
        "discount_rule",
        active > 0 && sync.as_ref().is_some_and(|sync| sync.state == SyncState::Synced),
        format!("{active} active rules"),
    ));
    let done =
        progress.iter().filter(|step| matches!(step.state, StepState::Done | StepState::Skipped)).count();
    Ok(Json(SetupProgress { done, total: progress.len(), steps: progress }))
}

/// `GET /api/sync`: how well the store's data keeps up: the last delivery of each webhook topic,
/// jobs retrying or dead, what is stored, and the pixel's last event.
pub async fn sync(State(app): State<AppState>, session: ShopSession) -> Result<Json<SyncHealth>, AppError> {
    let shop = &session.claims.shop;
    let webhooks = app
        .store
        .last_webhook_per_topic(shop)
        .await?
        .into_iter()
        .map(|(topic, last_received_at)| TopicSeen { topic, last_received_at })
        .collect();
    let dead =
        app.store.dead_jobs(shop).await?.into_iter().map(|(kind, error)| DeadJob { kind, error }).collect();
    let (products, customers, orders) = app.store.counts(shop).await?;
    Ok(Json(SyncHealth {
        webhooks,
        jobs: JobHealth { retrying: app.store.retrying_jobs(shop).await?, dead },
        counts: Counts { customers, orders, products },
        last_pixel_event_at: app.store.last_pixel_event_at(shop).await?,
    }))
}
