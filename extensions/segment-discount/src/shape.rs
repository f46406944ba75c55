//! Where each field the Function reads sits in its input.
//!
//! A GraphQL response lists fields in the query's order, so the Function reads them by
//! position: a lookup by name costs Shopify's provider a copy of the key and a compare per
//! field, which is a fifth of a large cart's instructions (docs/benchmarks.md). The test
//! `shape_matches_the_queries` checks every position here against the two `.graphql` files.

use discount_rules::MAX_COLLECTION_GROUPS;

/// The top level of both queries.
pub mod root {
    pub const CART: usize = 0;
    pub const DISCOUNT: usize = 1;
    pub const PRESENTMENT_CURRENCY_RATE: usize = 2;
    /// `lineCart` or `deliveryCart`: the part of the cart each target reads.
    pub const TARGET_CART: usize = 3;
}

/// `cart { buyerIdentity { customer { hasAnyTag hasTags { hasTag } } } }`
pub mod buyer {
    pub const BUYER_IDENTITY: usize = 0;
    pub const CUSTOMER: usize = 0;
    pub const HAS_ANY_TAG: usize = 0;
    pub const HAS_TAGS: usize = 1;
    pub const HAS_TAG: usize = 0;
}

/// `discount { discountClasses metafield { value } }`
pub mod discount {
    pub const DISCOUNT_CLASSES: usize = 0;
    pub const METAFIELD: usize = 1;
    pub const VALUE: usize = 0;
}

/// `cost { subtotalAmount { amount } }` and `cost { amount }`.
pub mod money {
    pub const SUBTOTAL_AMOUNT: usize = 0;
    pub const AMOUNT: usize = 0;
}

/// `lineCart: cart { lines { id merchandise { … on ProductVariant { product {…} } } quantity } cost … }`
///
/// `cost` comes after `lines`: reaching a field walks every value before it, and the subtotal is
/// only needed by rules with a minimum, after the lines have been walked anyway. A line's `id`
/// comes first so that reading it for a matched line does not walk the rest of its product.
pub mod line_cart {
    use super::MAX_COLLECTION_GROUPS;

    pub const LINES: usize = 0;
    pub const COST: usize = 1;
    pub const ID: usize = 0;
    pub const MERCHANDISE: usize = 1;
    pub const QUANTITY: usize = 2;
    /// In `merchandise`, for a product variant; a custom product has no fields.
    pub const PRODUCT: usize = 0;
    /// In `product`: `collectionGroup0`… in group order, then `id`.
    pub const PRODUCT_ID: usize = MAX_COLLECTION_GROUPS;
}

/// `deliveryCart: cart { cost … deliveryGroups { deliveryOptions { handle cost { amount } } } }`
pub mod delivery_cart {
    pub const COST: usize = 0;
    pub const DELIVERY_GROUPS: usize = 1;
    pub const DELIVERY_OPTIONS: usize = 0;
    pub const HANDLE: usize = 0;
    pub const OPTION_COST: usize = 1;
}
