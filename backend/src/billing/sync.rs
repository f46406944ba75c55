//! Reads a shop's plan from Shopify: at install, on every `app_subscriptions/update`, and when the
//! merchant comes back from the plan page. The webhook says only that something changed; the
//! plan is what `currentAppInstallation.activeSubscriptions` says after it.

use serde::{Deserialize, Serialize};

use super::Plan;
use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{DbError, PlanRow, Store, TrialRow};
use crate::jobs::{Job, JobError};
use crate::shopify::ShopDomain;
use crate::shopify::operations::{ActiveSubscriptions, active_subscriptions};

type Subscription = active_subscriptions::ActiveSubscriptionsCurrentAppInstallationActiveSubscriptions;
type Pricing =
    active_subscriptions::ActiveSubscriptionsCurrentAppInstallationActiveSubscriptionsLineItemsPlanPricingDetails;

/// Reads the shop's plan from Shopify again.
#[derive(Serialize, Deserialize)]
pub struct SyncPlan {}

impl Job for SyncPlan {
    const KIND: &'static str = "billing_sync";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        if !app.store.shop(shop).await?.is_some_and(|record| record.active) {
            // Uninstalled: Shopify cancelled the subscription, and a reinstall reads it again.
            return Ok(());
        }
        read(app, shop, crate::clock::unix_now()).await?;
        Ok(())
    }
}

impl SyncPlan {
    /// Queues a read of `shop`'s plan unless one is waiting.
    pub async fn queue(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
        store.enqueue_unless_pending(&Self {}.queued(shop, now, Some(format!("billing:{shop}")))).await?;
        Ok(())
    }
}

/// Reads the shop's plan from Shopify and keeps it; a subscription with a trial is entered in
/// the trial ledger (the first one stands).
pub async fn read(app: &App, shop: &ShopDomain, now: UnixTime) -> Result<PlanRow, JobError> {
    let data = app.shopify.run::<ActiveSubscriptions>(shop, active_subscriptions::Variables {}).await?;
    let active = data.current_app_installation.active_subscriptions;
    // Shopify keeps one active subscription per app; should two show, the latest is the plan.
    let row = active
        .iter()
        .filter(|subscription| {
            matches!(subscription.status, active_subscriptions::AppSubscriptionStatus::ACTIVE)
        })
        .max_by_key(|subscription| UnixTime::parse_rfc3339(&subscription.created_at))
        .map_or_else(|| free(now), |subscription| row_of(subscription, now));
    if let (Some(id), Some(started)) = (&row.subscription_id, row.subscribed_at)
        && row.trial_days > 0
    {
        let trial = TrialRow {
            subscription_id: id.clone(),
            started_at: started,
            ends_at: started + row.trial_days * DAY,
        };
        app.store.record_trial(&super::entitlement::shop_hash(shop), &trial).await?;
    }
    app.store.save_plan(shop, &row).await?;
    Ok(row)
}

const DAY: i64 = 86_400;

fn free(now: UnixTime) -> PlanRow {
    PlanRow { plan: Plan::free().handle.to_owned(), synced_at: now, ..PlanRow::default() }
}

/// Our plan for a subscription: by the handle App Pricing reports, else by its name.
fn row_of(subscription: &Subscription, now: UnixTime) -> PlanRow {
    let handle = subscription
        .line_items
        .iter()
        // The operation asks for recurring pricing only: Seglink's plans have no usage charges.
        .find_map(|item| match &item.plan.pricing_details {
            Pricing::AppRecurringPricing(recurring) => recurring.plan_handle.clone(),
        })
        .and_then(|handle| Plan::by_handle(&handle))
        .or_else(|| {
            super::PLANS.iter().find(|plan| plan.name.eq_ignore_ascii_case(subscription.name.trim()))
        });
    let Some(plan) = handle else {
        crate::log::warn(
            "a subscription names no plan of ours; the free plan's limits apply",
            &[("subscription", &subscription.id), ("name", &subscription.name)],
        );
        return free(now);
    };
    PlanRow {
        plan: plan.handle.to_owned(),
        subscription_id: Some(subscription.id.clone()),
        status: Some("ACTIVE".to_owned()),
        trial_days: subscription.trial_days,
        subscribed_at: UnixTime::parse_rfc3339(&subscription.created_at),
        current_period_end: subscription.current_period_end.as_deref().and_then(UnixTime::parse_rfc3339),
        test: subscription.test,
        synced_at: now,
    }
}
