//! Plans and what they allow (docs/billing.md). Seglink is priced with Shopify App Pricing:
//! the plans are defined with Shopify, the merchant picks one on the plan page Shopify hosts, and
//! Seglink only reads the result (`currentAppInstallation.activeSubscriptions`, read again on
//! each `app_subscriptions/update`). Over a plan's limit new work is refused with the way to
//! upgrade; nothing already accepted is dropped.

pub mod api;
mod entitlement;
mod plans;
mod sync;
mod usage;

pub use entitlement::{Entitlement, PixelAllowance, TrialState, shop_hash};
pub use plans::{Limits, PLANS, Plan, plan_page_url};
pub use sync::SyncPlan;
pub use usage::{PixelUsage, flush_continually};
