//! Shopify App Pricing as an app meets it: plans defined with Shopify (here, given by whoever
//! starts the simulator, as a developer enters them in the Partner Dashboard), a plan page that
//! Shopify hosts where the merchant picks one and approves or declines, the subscription that
//! approval makes (read through `currentAppInstallation.activeSubscriptions`), and the
//! `app_subscriptions/update` webhook each change sends.
//!
//! Facts: shopify.dev "Shopify App Pricing" (Shopify hosts the plan page at
//! `/store/<handle>/charges/<app handle>/pricing_plans`, then sends the merchant to the app's
//! welcome link; a free plan has no charge), the 2026-10 Admin schema (`AppSubscription`, its
//! statuses, `AppRecurringPricing.planHandle`) and the REST webhook reference's example of
//! `app_subscriptions/update`. Whether Shopify gives a second trial to a store that reinstalls
//! is not documented: the simulator gives one, the case an app must handle itself.

use std::time::Duration;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use serde_json::{Value, json};

use crate::money::MoneyValue;
use crate::shop::{gid, iso8601};

/// Seconds in a day.
const DAY: u64 = 86_400;

/// A plan as the developer defined it with Shopify.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct PricingPlan {
    /// Stable across renames: what `planHandle` reports.
    pub handle: String,
    pub name: String,
    /// Every 30 days, in cents of USD; 0 for a free plan, which makes no charge.
    pub monthly_cents: u64,
    pub trial_days: u32,
}

/// Plans from an app's own table (any list serialising to `handle`, `name`, `monthly_cents`,
/// `trial_days`; other fields are ignored), as a developer enters them with Shopify.
pub fn plans_from(table: &impl serde::Serialize) -> Result<Vec<PricingPlan>, String> {
    serde_json::to_value(table)
        .and_then(serde_json::from_value)
        .map_err(|error| format!("not a list of plans: {error}"))
}

/// A recurring charge the merchant approved (or that ended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSubscription {
    pub id: u64,
    pub name: String,
    pub plan_handle: String,
    pub monthly_cents: u64,
    /// `ACTIVE`, `CANCELLED`, … as the schema's `AppSubscriptionStatus` spells them.
    pub status: &'static str,
    pub trial_days: u32,
    /// Unix seconds.
    pub created_at: u64,
    pub updated_at: u64,
    /// A development store's charges are tests, never billed.
    pub test: bool,
}

impl AppSubscription {
    /// The GID the Admin API and the webhook name it by.
    pub fn gid(&self) -> String {
        gid("AppSubscription", self.id)
    }

    /// The end of the current 30-day period (the trial's end while it runs), for an active one.
    pub fn current_period_end(&self, now: u64) -> Option<u64> {
        if self.status != "ACTIVE" {
            return None;
        }
        let billing_starts = self.created_at + u64::from(self.trial_days) * DAY;
        if now < billing_starts {
            return Some(billing_starts);
        }
        let periods = (now - billing_starts) / (30 * DAY) + 1;
        Some(billing_starts + periods * 30 * DAY)
    }
}

/// What the merchant answered on the approval page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Decline,
}

/// The store's app billing.
#[derive(Debug, Default)]
pub struct Billing {
    plans: Vec<PricingPlan>,
    subscriptions: Vec<AppSubscription>,
    next_id: u64,
    /// Where Shopify sends the merchant after the plan page: the app's welcome link.
    pub welcome_path: String,
    /// A development store: every charge is a test.
    pub development_store: bool,
    /// The app's handle, as its plan page's address names it.
    pub app_handle: String,
}

impl Billing {
    /// The billing of the app with `app_handle`, whose welcome link is `welcome_path` under the
    /// app's admin page.
    pub fn new(app_handle: &str, welcome_path: &str) -> Self {
        Self { app_handle: app_handle.to_owned(), welcome_path: welcome_path.to_owned(), ..Self::default() }
    }

    /// Defines the app's plans, as a developer does in the Partner Dashboard.
    pub fn set_plans(&mut self, plans: Vec<PricingPlan>) {
        self.plans = plans;
    }

    /// The plans, in the order the plan page shows them.
    pub fn plans(&self) -> &[PricingPlan] {
        &self.plans
    }

    /// The active subscriptions (at most one: a new one replaces the last).
    pub fn active(&self) -> impl Iterator<Item = &AppSubscription> {
        self.subscriptions.iter().filter(|subscription| subscription.status == "ACTIVE")
    }

    /// Every subscription ever made, oldest first.
    pub fn all(&self) -> &[AppSubscription] {
        &self.subscriptions
    }

    /// The merchant's answer to choosing `handle` on the plan page: on approval a paid plan
    /// becomes the active subscription (ending the one before) and a free plan ends the active
    /// one. Returns the `app_subscriptions/update` payloads to send, in order.
    pub fn choose(&mut self, handle: &str, decision: Decision, now: Duration) -> Result<Vec<Value>, String> {
        let plan = self
            .plans
            .iter()
            .find(|plan| plan.handle == handle)
            .cloned()
            .ok_or_else(|| format!("no plan `{handle}`"))?;
        let now = now.as_secs();
        if decision == Decision::Decline {
            return Ok(Vec::new());
        }
        let mut updates = self.end_active("CANCELLED", now);
        if plan.monthly_cents > 0 {
            self.next_id += 1;
            let subscription = AppSubscription {
                id: 7_000 + self.next_id,
                name: plan.name.clone(),
                plan_handle: plan.handle.clone(),
                monthly_cents: plan.monthly_cents,
                status: "ACTIVE",
                trial_days: plan.trial_days,
                created_at: now,
                updated_at: now,
                test: self.development_store,
            };
            updates.push(webhook_payload(&subscription));
            self.subscriptions.push(subscription);
        }
        Ok(updates)
    }

    /// Ends the active subscription with `status`, as an uninstall (`CANCELLED`) or unpaid bills
    /// (`FROZEN` is not terminal; use [`Billing::freeze`]) do. Returns the webhook payloads.
    pub fn end_active(&mut self, status: &'static str, now: u64) -> Vec<Value> {
        self.subscriptions
            .iter_mut()
            .filter(|subscription| subscription.status == "ACTIVE")
            .map(|subscription| {
                subscription.status = status;
                subscription.updated_at = now;
                webhook_payload(subscription)
            })
            .collect()
    }

    /// The active subscription's payment fails: it is frozen until paid.
    pub fn freeze(&mut self, now: Duration) -> Vec<Value> {
        self.end_active("FROZEN", now.as_secs())
    }
}

/// The `app_subscriptions/update` body, as the REST webhook reference shows it.
pub fn webhook_payload(subscription: &AppSubscription) -> Value {
    json!({
        "app_subscription": {
            "admin_graphql_api_id": subscription.gid(),
            "name": subscription.name,
            "status": subscription.status,
            "admin_graphql_api_shop_id": gid("Shop", 1),
            "created_at": iso8601(subscription.created_at),
            "updated_at": iso8601(subscription.updated_at),
            "currency": "USD",
            "capped_amount": null,
            "price": crate::money::amount(subscription.monthly_cents),
            "interval": "every_30_days",
            "plan_handle": subscription.plan_handle,
        }
    })
}

/// An `AppSubscription` as the Admin API answers it: one recurring line item.
pub(crate) struct SubscriptionValue {
    pub subscription: AppSubscription,
    pub now: u64,
}

impl ObjectValue for SubscriptionValue {
    fn type_name(&self) -> &str {
        "AppSubscription"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let subscription = &self.subscription;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(subscription.gid())),
            "name" => Ok(ResolvedValue::leaf(subscription.name.as_str())),
            "status" => Ok(ResolvedValue::leaf(subscription.status)),
            "test" => Ok(ResolvedValue::leaf(subscription.test)),
            "trialDays" => Ok(ResolvedValue::leaf(subscription.trial_days)),
            "createdAt" => Ok(ResolvedValue::leaf(iso8601(subscription.created_at))),
            "currentPeriodEnd" => Ok(subscription
                .current_period_end(self.now)
                .map_or(ResolvedValue::null(), |end| ResolvedValue::leaf(iso8601(end)))),
            "lineItems" => Ok(ResolvedValue::list([ResolvedValue::object(LineItemValue(subscription))])),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct LineItemValue<'s>(&'s AppSubscription);

impl ObjectValue for LineItemValue<'_> {
    fn type_name(&self) -> &str {
        "AppSubscriptionLineItem"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("AppSubscriptionLineItem", self.0.id))),
            "plan" => Ok(ResolvedValue::object(PlanValue(self.0))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct PlanValue<'s>(&'s AppSubscription);

impl ObjectValue for PlanValue<'_> {
    fn type_name(&self) -> &str {
        "AppPlanV2"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "pricingDetails" => Ok(ResolvedValue::object(RecurringPricingValue(self.0))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct RecurringPricingValue<'s>(&'s AppSubscription);

impl ObjectValue for RecurringPricingValue<'_> {
    fn type_name(&self) -> &str {
        "AppRecurringPricing"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "interval" => Ok(ResolvedValue::leaf("EVERY_30_DAYS")),
            "planHandle" => Ok(ResolvedValue::leaf(self.0.plan_handle.as_str())),
            "price" => Ok(ResolvedValue::object(MoneyValue::of_cents(self.0.monthly_cents, "USD"))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn billing() -> Billing {
        let plan = |handle: &str, cents, trial_days| PricingPlan {
            handle: handle.to_owned(),
            name: handle.to_owned(),
            monthly_cents: cents,
            trial_days,
        };
        let mut billing = Billing::default();
        billing.set_plans(vec![plan("starter", 0, 0), plan("growth", 2_900, 30)]);
        billing
    }

    #[test]
    fn approving_a_paid_plan_makes_the_active_subscription_and_a_free_one_ends_it() {
        let mut billing = billing();
        let now = Duration::from_secs(1_000 * DAY);
        let sent = billing.choose("growth", Decision::Approve, now).unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0]["app_subscription"]["plan_handle"], "growth");
        let active: Vec<_> = billing.active().collect();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].current_period_end(now.as_secs()), Some(now.as_secs() + 30 * DAY));
        let sent = billing.choose("starter", Decision::Approve, now).unwrap();
        assert_eq!(sent[0]["app_subscription"]["status"], "CANCELLED");
        assert_eq!(billing.active().count(), 0);
    }

    #[test]
    fn a_declined_plan_changes_nothing() {
        let mut billing = billing();
        let now = Duration::from_secs(1_000 * DAY);
        assert!(billing.choose("growth", Decision::Decline, now).unwrap().is_empty());
        assert_eq!(billing.all().len(), 0);
        assert!(billing.choose("platinum", Decision::Approve, now).is_err());
    }
}
