//! What a shop may do now: its plan's limits, unless its trial is a second one (then the free
//! plan's until billing starts), and the checks that refuse new work over a limit.

use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::{Limits, Plan, plan_page_url};
use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{Connection, DbError, PlanRow, Store};
use crate::error::AppError;
use crate::recent::{MAX_SHOPS, Recent};
use crate::shop_domain::ShopDomain;

/// The app's handle, as Shopify's plan page names it (`handle` in `shopify.app.toml`).
pub const APP_HANDLE: &str = "seglink";

const DAY: i64 = 86_400;

/// The trial ledger's key for a shop: a hash of its domain, so the ledger kept after a shop's
/// redaction holds no domain.
pub fn shop_hash(shop: &ShopDomain) -> String {
    crate::crypto::sha256_hex(&format!("seglink trial ledger\n{}", shop.as_str()))
}

/// The store whose plan applies to `shop`: itself, unless it is connected through its own
/// custom app, which has no Shopify subscription to Seglink; then its workspace's owner store,
/// which installed Seglink from Shopify and is billed for the workspace (docs/billing.md).
async fn billed_store(store: &Store, shop: &ShopDomain) -> Result<ShopDomain, DbError> {
    let Some(record) = store.shop(shop).await? else { return Ok(shop.clone()) };
    if record.connection != Connection::Custom {
        return Ok(shop.clone());
    }
    Ok(store
        .workspace(&record.workspace_id)
        .await?
        .and_then(|workspace| workspace.owner_shop)
        .unwrap_or_else(|| shop.clone()))
}

/// Where the shop's trial stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TrialState {
    /// No trial now.
    None,
    /// The plan's trial, until `ends_at`.
    Running { ends_at: UnixTime },
    /// Shopify gave a trial again, but this store had one (from `used_at`): the free plan's
    /// limits apply until billing starts at `billing_starts`.
    AlreadyUsed { used_at: UnixTime, billing_starts: UnixTime },
}

/// A shop's plan and what it allows now.
#[derive(Clone, Debug)]
pub struct Entitlement {
    /// The plan Shopify says the shop is on.
    pub plan: &'static Plan,
    /// What applies now.
    pub limits: Limits,
    pub trial: TrialState,
    /// As last read from Shopify; `None` before the first read.
    pub row: Option<PlanRow>,
    /// Shopify's plan page for the store.
    pub upgrade_url: String,
}

impl Entitlement {
    /// The shop's entitlement from its stored plan (the free plan before Shopify is first read).
    pub async fn of(app: &App, shop: &ShopDomain, now: UnixTime) -> Result<Self, DbError> {
        Self::read(&app.store, shop, now, app.config.shopify_origin.as_deref()).await
    }

    /// As [`Entitlement::of`], from `store`; `admin_origin` is the simulator's in development.
    pub async fn read(
        store: &Store,
        shop: &ShopDomain,
        now: UnixTime,
        admin_origin: Option<&str>,
    ) -> Result<Self, DbError> {
        let billed = billed_store(store, shop).await?;
        let row = store.plan(&billed).await?;
        let plan = row.as_ref().and_then(|row| Plan::by_handle(&row.plan)).unwrap_or_else(Plan::free);
        let mut trial = TrialState::None;
        if let Some(row) = &row
            && let Some(started) = row.subscribed_at
            && row.trial_days > 0
            && now < started + row.trial_days * DAY
        {
            let billing_starts = started + row.trial_days * DAY;
            let first = store.first_trial(&shop_hash(&billed)).await?;
            // One trial window per store: a plan changed during it keeps its end, and a trial
            // given after it (a reinstall months later) is not one.
            trial = match first {
                Some(first)
                    if Some(&first.subscription_id) != row.subscription_id.as_ref()
                        && first.started_at < started =>
                {
                    if now < first.ends_at {
                        TrialState::Running { ends_at: first.ends_at.min(billing_starts) }
                    } else {
                        TrialState::AlreadyUsed { used_at: first.started_at, billing_starts }
                    }
                }
                _ => TrialState::Running { ends_at: billing_starts },
            };
        }
        let limits =
            if matches!(trial, TrialState::AlreadyUsed { .. }) { Plan::free().limits } else { plan.limits };
        let upgrade_url = plan_page_url(admin_origin, &billed, APP_HANDLE);
        Ok(Self { plan, limits, trial, row, upgrade_url })
    }

    /// Refuses a segment beyond the plan's, `kept` being how many are kept already.
    pub fn allow_segment(&self, kept: i64) -> Result<(), AppError> {
        self.within("segments", kept, self.limits.segments, "segments")
    }

    /// Refuses an active rule beyond the plan's, `active` being how many are active already.
    pub fn allow_active_rule(&self, active: i64) -> Result<(), AppError> {
        self.within("active_rules", active, self.limits.active_rules, "active discount rules")
    }

    /// Refuses evaluating a store of `customers` beyond the plan's.
    pub fn allow_evaluation(&self, customers: i64) -> Result<(), AppError> {
        if customers <= self.limits.customers {
            return Ok(());
        }
        Err(self.refusal(
            "customers",
            format!(
                "the {} plan evaluates stores of up to {} customers and this store has {customers}; \
                 segments keep their members until you upgrade",
                self.name(),
                self.limits.customers
            ),
        ))
    }

    fn within(&self, limit: &'static str, used: i64, allowed: i64, what: &str) -> Result<(), AppError> {
        if used < allowed {
            return Ok(());
        }
        Err(self
            .refusal(limit, format!("the {} plan allows {allowed} {what}; upgrade for more", self.name())))
    }

    fn name(&self) -> &'static str {
        if matches!(self.trial, TrialState::AlreadyUsed { .. }) { Plan::free().name } else { self.plan.name }
    }

    fn refusal(&self, limit: &'static str, message: String) -> AppError {
        AppError::PlanLimit { message, limit, upgrade_url: Some(self.upgrade_url.clone()) }
    }
}

/// How long a shop's pixel allowance is trusted before it is read again: a shop over its
/// monthly events may store this long's worth more (docs/billing.md).
const ALLOWANCE_TTL: Duration = Duration::from_secs(10);

/// Whether each shop's storefront events are within its plan this month, read at most every
/// ten seconds: the pixel's path stays one map lookup.
pub struct PixelAllowance(Recent<ShopDomain, bool>);

impl Default for PixelAllowance {
    fn default() -> Self {
        Self(Recent::new(ALLOWANCE_TTL, MAX_SHOPS))
    }
}

impl PixelAllowance {
    /// Refuses the shop's events once this month's reach the plan's limit.
    pub async fn check(&self, app: &App, shop: &ShopDomain, now: UnixTime) -> Result<(), AppError> {
        let allowed = match self.0.get(shop) {
            Some(allowed) => allowed,
            None => {
                let entitlement = Entitlement::of(app, shop, now).await?;
                let used = app.store.pixel_usage(shop, now.month()).await?
                    + app.pixel_usage.pending(shop, now.month());
                let allowed = used < entitlement.limits.pixel_events_per_month;
                self.0.remember(shop.clone(), allowed);
                allowed
            }
        };
        if allowed {
            return Ok(());
        }
        Err(AppError::PlanLimit {
            message: "this store's plan has taken all its storefront events for this month".to_owned(),
            limit: "pixel_events_per_month",
            upgrade_url: None,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_app_handle_is_the_one_the_cli_deploys() {
        let config: toml::Table = toml::from_str(include_str!("../../../shopify.app.toml")).unwrap();
        assert_eq!(config["handle"].as_str(), Some(super::APP_HANDLE));
    }
}
