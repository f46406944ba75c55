//! The plans, in one table: what each costs and allows. The same plans are defined with Shopify
//! (Partner Dashboard, App Pricing) under the same handles; docs/billing.md shows this table.

use serde::Serialize;
use ts_rs::TS;

use crate::shop_domain::ShopDomain;

/// What a plan allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Limits {
    /// Segments kept (suggestions not taken up do not count).
    pub segments: i64,
    /// Discount rules active at checkout.
    pub active_rules: i64,
    /// Customers an evaluation covers: a store with more is not evaluated in full.
    pub customers: i64,
    /// Storefront events stored per calendar month (UTC).
    pub pixel_events_per_month: i64,
}

/// A plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// As defined with Shopify; what `planHandle` reports.
    pub handle: &'static str,
    pub name: &'static str,
    /// Every 30 days, in US cents; 0 is free, with no subscription.
    pub monthly_cents: u32,
    pub trial_days: u32,
    pub limits: Limits,
}

/// Starter, Growth and Scale; the free plan first.
pub const PLANS: [Plan; 3] = [
    Plan {
        handle: "starter",
        name: "Starter",
        monthly_cents: 0,
        trial_days: 0,
        limits: Limits { segments: 3, active_rules: 1, customers: 2_500, pixel_events_per_month: 50_000 },
    },
    Plan {
        handle: "growth",
        name: "Growth",
        monthly_cents: 2_900,
        trial_days: 30,
        limits: Limits {
            segments: 25,
            active_rules: 10,
            customers: 50_000,
            pixel_events_per_month: 1_000_000,
        },
    },
    Plan {
        handle: "scale",
        name: "Scale",
        monthly_cents: 9_900,
        trial_days: 30,
        limits: Limits {
            segments: 100,
            active_rules: 25,
            customers: 2_000_000,
            pixel_events_per_month: 100_000_000,
        },
    },
];

impl Plan {
    /// The free plan: no subscription.
    pub fn free() -> &'static Self {
        &PLANS[0]
    }

    /// The plan with `handle`.
    pub fn by_handle(handle: &str) -> Option<&'static Self> {
        PLANS.iter().find(|plan| plan.handle == handle)
    }
}

/// Where the merchant changes plan: Shopify's plan page for the app, in the store's admin
/// (`admin_origin` is the simulator's in development).
pub fn plan_page_url(admin_origin: Option<&str>, shop: &ShopDomain, app_handle: &str) -> String {
    let origin = admin_origin.unwrap_or("https://admin.shopify.com").trim_end_matches('/');
    let store = shop.as_str().trim_end_matches(".myshopify.com");
    format!("{origin}/store/{store}/charges/{app_handle}/pricing_plans")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_plan_allows_more_than_the_one_before() {
        for pair in PLANS.windows(2) {
            let (lower, higher) = (pair[0].limits, pair[1].limits);
            assert!(higher.segments > lower.segments && higher.active_rules > lower.active_rules);
            assert!(higher.customers > lower.customers);
            assert!(higher.pixel_events_per_month > lower.pixel_events_per_month);
            assert!(pair[1].monthly_cents > pair[0].monthly_cents);
        }
        assert_eq!(Plan::free().monthly_cents, 0);
        assert_eq!(Plan::free().trial_days, 0);
    }

    #[test]
    fn the_plan_page_is_the_stores_own() {
        let shop = ShopDomain::parse("ada.myshopify.com").unwrap();
        assert_eq!(
            plan_page_url(None, &shop, "seglink"),
            "https://admin.shopify.com/store/ada/charges/seglink/pricing_plans"
        );
        assert_eq!(
            plan_page_url(Some("http://127.0.0.1:9000/"), &shop, "seglink"),
            "http://127.0.0.1:9000/store/ada/charges/seglink/pricing_plans"
        );
    }
}
