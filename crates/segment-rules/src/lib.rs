//! Segment rules (docs/segments.md): a JSON tree of `all`/`any` groups over customer attributes and
//! behaviour, checked with the path to any bad node, evaluated for one customer, and explained
//! condition by condition with the values compared.

mod evaluate;
pub mod native;
pub mod push;
mod rules;

pub use evaluate::{Customer, Explanation, Outcome, PlacedOrder, SeenEvent, evaluate, matches};
pub use rules::{Comparison, Condition, Reads, Rule, RuleError, parse, storefront_signals};
