//! Seglink's discount rules: the model merchants edit, its validation against Shopify's limits,
//! and the compact config the checkout Function reads from the discount node's metafield.
//!
//! Pure and dependency-light so it builds for the backend and for `wasm32-unknown-unknown`;
//! serde is an opt-in feature the Function leaves off.

mod config;
mod decimal;
mod json;
mod model;
mod validate;

pub use config::{
    CompiledRule, CompiledTarget, Config, DecodeError, FunctionConfig, METAFIELD_KEY, METAFIELD_NAMESPACE,
    ProductList, collection_group_variable, collection_set, compile, product_number,
};
pub use decimal::{Decimal, DecimalError};
pub use json::JsonError;
pub use model::{DiscountClass, DiscountValue, Rule, SEGMENT_TAG_PREFIX, Target, segment_tag};
pub use validate::{
    MAX_ACTIVE_RULES, MAX_AMOUNT, MAX_COLLECTION_GROUPS, MAX_IDS_PER_RULE, MAX_LIST_VARIABLE_ITEMS,
    MAX_METAFIELD_BYTES, MAX_MINIMUM_QUANTITY, MAX_PRIORITY, MAX_SLUG_CHARS, MAX_TITLE_CHARS, Violation,
    Violations, gid_number, is_slug, validate,
};
