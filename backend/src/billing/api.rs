//! `GET /api/billing`: the plan as Shopify says it now, usage against what the plan allows, the
//! plans, and Shopify's plan page to change it on.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use ts_rs::TS;

use super::{Entitlement, Limits, PLANS, Plan, TrialState};
use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::{UnixTime, unix_now};
use crate::error::AppError;

/// A plan as the Billing page lists it.
#[derive(Serialize, TS)]
pub struct PlanView {
    pub handle: String,
    pub name: String,
    /// Every 30 days, in US cents; 0 is free.
    pub monthly_cents: u32,
    pub trial_days: u32,
    pub limits: Limits,
}

impl From<&Plan> for PlanView {
    fn from(plan: &Plan) -> Self {
        Self {
            handle: plan.handle.to_owned(),
            name: plan.name.to_owned(),
            monthly_cents: plan.monthly_cents,
            trial_days: plan.trial_days,
            limits: plan.limits,
        }
    }
}

/// What the store uses of each limit.
#[derive(Serialize, TS)]
pub struct Usage {
    pub segments: i64,
    pub active_rules: i64,
    pub customers: i64,
    /// Storefront events stored this calendar month (UTC).
    pub pixel_events_this_month: i64,
}

/// The Billing page.
#[derive(Serialize, TS)]
pub struct BillingView {
    /// The plan Shopify says the store is on.
    pub plan: PlanView,
    /// What applies now: the plan's, or the free plan's during a second trial.
    pub limits: Limits,
    pub usage: Usage,
    pub trial: TrialState,
    /// A test charge (development store), never billed.
    pub test: bool,
    pub current_period_end: Option<UnixTime>,
    /// When this month's storefront events count starts again.
    pub month_resets_at: UnixTime,
    /// When Shopify was last read; `None` if it never was.
    pub synced_at: Option<UnixTime>,
    /// Shopify could not be read just now; the plan shown is the last read.
    pub stale: bool,
    pub plans: Vec<PlanView>,
    /// Shopify's plan page, where the merchant changes plan and confirms.
    pub upgrade_url: String,
}

/// `GET /api/billing`. Shopify is read on each visit (the merchant may be back from its plan
/// page, whose address says nothing we trust); when it cannot be, the last read stands.
pub async fn show(State(app): State<AppState>, session: ShopSession) -> Result<Json<BillingView>, AppError> {
    let shop = &session.claims.shop;
    let now = unix_now();
    let stale = match super::sync::read(&app, shop, now).await {
        Ok(_) => false,
        Err(error) => {
            crate::log::warn(
                "reading the plan from Shopify failed",
                &[("shop", shop.as_str()), ("error", &error.to_string())],
            );
            true
        }
    };
    let entitlement = Entitlement::of(&app, shop, now).await?;
    let (segments, active_rules) = app.store.plan_counts(shop).await?;
    let usage = Usage {
        segments,
        active_rules,
        customers: app.store.customer_count(shop).await?,
        pixel_events_this_month: app.store.pixel_usage(shop, now.month()).await?
            + app.pixel_usage.pending(shop, now.month()),
    };
    let row = entitlement.row.as_ref();
    Ok(Json(BillingView {
        plan: entitlement.plan.into(),
        limits: entitlement.limits,
        usage,
        trial: entitlement.trial.clone(),
        test: row.is_some_and(|row| row.test),
        current_period_end: row.and_then(|row| row.current_period_end),
        month_resets_at: now.next_month(),
        synced_at: row.map(|row| row.synced_at),
        stale,
        plans: PLANS.iter().map(PlanView::from).collect(),
        upgrade_url: entitlement.upgrade_url,
    }))
}
