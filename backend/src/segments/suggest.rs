//! After the backfill, one segment is proposed from the shop's own data: its top spenders, the
//! customers whose spending puts them in the top tenth, with the threshold rounded to a figure a
//! merchant would pick. A shop without orders gets its email subscribers instead.

use serde_json::json;

use segment_rules::Reads;

use super::facts::profiles;
use crate::clock::UnixTime;
use crate::db::{DbError, Scope, SegmentRow, Store};
use crate::shop_domain::ShopDomain;

/// Creates the suggested segment unless the store has segments already; its slug when made.
pub async fn suggest(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<Option<String>, DbError> {
    if !store.segments(shop, true).await?.is_empty() {
        return Ok(None);
    }
    let everyone = profiles(store, shop, Scope::Store, &Reads::default(), now).await?;
    let mut spent: Vec<i64> = everyone
        .iter()
        .filter(|profile| profile.customer.orders_count > 0)
        .map(|profile| profile.customer.amount_spent_cents)
        .collect();
    spent.sort_unstable();
    let (slug, name, rules) = match spent.get(spent.len().saturating_sub(1) * 9 / 10) {
        Some(&threshold) if threshold > 0 => (
            "top-spenders",
            "Top spenders",
            json!({ "all": [{ "if": "amount_spent", "op": ">=", "cents": round_down(threshold) }] }),
        ),
        _ => ("subscribers", "Email subscribers", json!({ "if": "email_marketing", "is": "SUBSCRIBED" })),
    };
    let segment = SegmentRow { suggested: true, ..SegmentRow::new(slug, name, rules.to_string(), now) };
    match store.create_segment(shop, &segment).await {
        // Another request made it first (or the merchant made one with its slug).
        Err(DbError::Conflict) => return Ok(None),
        created => created?,
    }
    super::recompute(store, shop, Some(slug), now).await?;
    super::queue_nightly(store, shop, now).await?;
    Ok(Some(slug.to_owned()))
}

/// A threshold rounded down to one or two leading digits of whole currency units: 1,234.56 → 1,200.
fn round_down(cents: i64) -> i64 {
    // No larger than a rule may say (segments' limit on `cents`).
    let units = (cents.min(1_000_000_000_000) / 100).max(1);
    let mut step = 1;
    while units / step >= 100 {
        step *= 10;
    }
    (units / step) * step * 100
}

#[cfg(test)]
mod tests {
    use super::round_down;

    #[test]
    fn thresholds_are_round_figures() {
        assert_eq!(round_down(123_456), 120_000);
        assert_eq!(round_down(9_950), 9_900);
        assert_eq!(round_down(42), 100);
        assert_eq!(round_down(5_555_555), 5_500_000);
    }
}
