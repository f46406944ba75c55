//! Discount rules (docs/segments.md): the merchant's rules, at most 25 active, compiled into the
//! config the Function reads and written to the discount node's metafield on every change.

pub mod api;
pub mod guest_misses;
mod metafield;
pub mod trial;
pub mod view;

pub use metafield::{WriteDiscountRules, retry_job, write_rules};

use crate::db::{DbError, Store};
use crate::shop_domain::ShopDomain;

/// The store's rules with their ids, oldest first. A stored rule that no longer parses (never
/// written by this version) is skipped rather than failing the whole set.
pub async fn rules_of(store: &Store, shop: &ShopDomain) -> Result<Vec<(i64, discount_rules::Rule)>, DbError> {
    Ok(parsed(&store.discount_rules(shop).await?))
}

/// Stored rules as rules, with their ids; a row that no longer parses is left out.
pub(crate) fn parsed(stored: &[crate::db::StoredRule]) -> Vec<(i64, discount_rules::Rule)> {
    stored
        .iter()
        .filter_map(|stored| serde_json::from_str(&stored.rule).ok().map(|rule| (stored.id, rule)))
        .collect()
}
