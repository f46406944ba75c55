//! The discount rules a merchant configures (docs/segments.md, "Discount rules").

use crate::Decimal;

/// Prefix of the customer tag that marks a segment member in Shopify.
pub const SEGMENT_TAG_PREFIX: &str = "seglink:";

/// One merchant rule: members of a segment get a discount at checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", deny_unknown_fields))]
pub struct Rule {
    /// Slug of the segment whose members qualify; they carry the tag `seglink:<slug>`.
    pub segment: String,
    /// Text the buyer sees next to the discount.
    pub title: String,
    /// How much is taken off.
    pub value: DiscountValue,
    /// What the discount applies to.
    pub target: Target,
    /// Minimum subtotal in the shop's currency: of the order for order and shipping rules, of
    /// the matching lines for product rules.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub minimum_subtotal: Option<Decimal>,
    /// Minimum number of matching items (product rules only).
    #[cfg_attr(feature = "serde", serde(default))]
    pub minimum_quantity: Option<u32>,
    /// Breaks ties between rules that take off the same amount; higher wins.
    #[cfg_attr(feature = "serde", serde(default))]
    pub priority: u32,
    /// Inactive rules are kept but never reach checkout.
    #[cfg_attr(feature = "serde", serde(default = "active_by_default"))]
    pub active: bool,
}

#[cfg(feature = "serde")]
fn active_by_default() -> bool {
    true
}

impl Rule {
    /// The customer tag that grants this rule.
    pub fn segment_tag(&self) -> String {
        segment_tag(&self.segment)
    }
}

/// The customer tag of a segment slug.
pub fn segment_tag(slug: &str) -> String {
    format!("{SEGMENT_TAG_PREFIX}{slug}")
}

/// How much a rule takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum DiscountValue {
    /// A percentage in (0, 100] with at most 2 fraction digits.
    Percentage(#[cfg_attr(feature = "ts", ts(as = "String"))] Decimal),
    /// An amount in the shop's currency, converted to the buyer's currency at checkout.
    FixedAmount(#[cfg_attr(feature = "ts", ts(as = "String"))] Decimal),
}

/// What a rule's discount applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", serde(tag = "type", content = "ids", rename_all = "camelCase"))]
pub enum Target {
    /// The order subtotal.
    OrderSubtotal,
    /// Lines whose product is in any of these collections (`gid://shopify/Collection/…`).
    Collections(Vec<String>),
    /// Lines of these products (`gid://shopify/Product/…`).
    Products(Vec<String>),
    /// Shipping.
    Shipping,
}

/// Shopify's discount classes; a Function only emits the classes its discount node has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", serde(rename_all = "SCREAMING_SNAKE_CASE"))]
pub enum DiscountClass {
    /// Order subtotal discounts.
    Order,
    /// Product (cart line) discounts.
    Product,
    /// Shipping discounts.
    Shipping,
}

impl Target {
    /// The discount class this target belongs to.
    pub fn class(&self) -> DiscountClass {
        match self {
            Self::OrderSubtotal => DiscountClass::Order,
            Self::Collections(_) | Self::Products(_) => DiscountClass::Product,
            Self::Shipping => DiscountClass::Shipping,
        }
    }
}

/// A valid rule for unit tests: VIP members get 15% off the order.
#[cfg(test)]
pub(crate) fn example_rule() -> Rule {
    Rule {
        segment: "vip".to_owned(),
        title: "VIP 15% off".to_owned(),
        value: DiscountValue::Percentage(Decimal::from_parts(15, 0)),
        target: Target::OrderSubtotal,
        minimum_subtotal: None,
        minimum_quantity: None,
        priority: 0,
        active: true,
    }
}
