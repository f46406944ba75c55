//! `GET /api/setup`: how far a store has come from install to a rule at checkout.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use ts_rs::TS;

use super::STEPS;
use crate::app::AppState;
use crate::checks::ShopSession;
use crate::db::{DbError, PushState, StepState, Store, SyncState};
use crate::error::AppError;
use crate::shop_domain::ShopDomain;

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

/// The provisioning steps, each with where it is (`pending` until it first runs).
pub async fn checklist(store: &Store, shop: &ShopDomain) -> Result<Vec<SetupStep>, DbError> {
    let steps = store.setup_steps(shop).await?;
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
    let steps = checklist(&app.store, shop).await?;
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
