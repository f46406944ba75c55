//! What both targets check first: the buyer holds a rule tag, the discount has a class we
//! serve, and the config can be read. Reads nothing else of the input.

use crate::log::{config_error, log, number};
use discount_rules::{CompiledRule, CompiledTarget, Config, Decimal, DiscountValue, MAX_METAFIELD_BYTES};

use crate::io::Node;
use crate::shape::{self, buyer, root};

/// The customer, if signed in and holding at least one rule tag. Most checkouts stop here.
pub fn tagged_customer(input: Node) -> Option<Node> {
    // A guest's customer is null; reading through it finds nothing, so `hasAnyTag` reads as
    // absent and no presence checks are needed on the way.
    let customer = input.at(root::CART).at(buyer::BUYER_IDENTITY).at(buyer::CUSTOMER);
    (customer.at(buyer::HAS_ANY_TAG).bool() == Some(true)).then_some(customer)
}

/// Which of the config's `tag_count` tags the customer holds, or `None` (logged) when the input
/// disagrees with the config.
pub fn held_tags(customer: Node, tag_count: usize) -> Option<Vec<bool>> {
    // With one rule tag, `hasAnyTag` has already said it is held.
    if tag_count == 1 {
        return Some(vec![true]);
    }
    let responses = customer.at(buyer::HAS_TAGS);
    if responses.len() != tag_count {
        log(&["seglink: config names ", &number(tag_count), " tags, the input ", &number(responses.len())]);
        return None;
    }
    Some(responses.items().map(|response| response.at(buyer::HAS_TAG).bool() == Some(true)).collect())
}

/// The discount classes of the discount node.
#[derive(Clone, Copy, Default)]
pub struct Classes {
    pub order: bool,
    pub product: bool,
    pub shipping: bool,
}

/// The discount node's classes; `discount` is the input's `discount` field.
pub fn discount_classes(discount: Node) -> Classes {
    let list = discount.at(shape::discount::DISCOUNT_CLASSES);
    // Classes are distinct, so three are all of them: the usual case needs no string reads.
    if list.len() == 3 {
        return Classes { order: true, product: true, shipping: true };
    }
    let mut classes = Classes::default();
    for class in list.items() {
        match class.string().as_deref() {
            Some("ORDER") => classes.order = true,
            Some("PRODUCT") => classes.product = true,
            Some("SHIPPING") => classes.shipping = true,
            _ => {}
        }
    }
    classes
}

/// The config metafield's value, or `None` (logged) when the discount has none.
pub fn metafield_value(discount: Node) -> Option<String> {
    // Without the metafield, reading its value finds nothing.
    let value = discount.at(shape::discount::METAFIELD).at(shape::discount::VALUE).string();
    if value.is_none() {
        log(&["seglink: the discount has no config metafield"]);
    }
    value
}

/// The config in a metafield value, or `None` (logged) when it cannot be used.
pub fn config(json: &str) -> Option<Config<'_>> {
    // Shopify withholds larger values; one that arrives anyway was not written by us.
    if json.len() > MAX_METAFIELD_BYTES {
        log(&["seglink: config is ", &number(json.len()), " bytes, over Shopify's limit"]);
        return None;
    }
    match Config::from_metafield_value(json) {
        Ok(config) => Some(config),
        Err(error) => {
            config_error(&error);
            None
        }
    }
}

/// The rules of the buyer's tags whose target `wanted` accepts, highest priority first;
/// `None` (logged) if any of them is malformed.
pub fn held_rules<'c>(
    config: &'c Config<'_>,
    held: &'c [bool],
    wanted: impl Fn(&CompiledTarget<'_>) -> bool,
) -> Option<Vec<CompiledRule<'c>>> {
    let mut rules = Vec::new();
    for rule in config.rules_for(held) {
        match rule {
            Ok(rule) if wanted(&rule.target) => rules.push(rule),
            Ok(_) => {}
            Err(error) => {
                config_error(&error);
                return None;
            }
        }
    }
    Some(rules)
}

/// The presentment currency rate, read only when a rule needs it: for a fixed amount or to
/// compare a minimum subtotal. `None` when not needed, or (logged) unreadable; a rule that
/// needs it then does not apply.
pub fn rate_if_needed<'r>(
    input: Node,
    rules: impl IntoIterator<Item = &'r CompiledRule<'r>>,
) -> Option<Decimal> {
    let needed = rules
        .into_iter()
        .any(|rule| matches!(rule.value, DiscountValue::FixedAmount(_)) || rule.minimum_subtotal.is_some());
    if !needed {
        return None;
    }
    let rate = input.at(root::PRESENTMENT_CURRENCY_RATE).decimal();
    if rate.is_none() {
        log(&["seglink: unreadable presentmentCurrencyRate"]);
    }
    rate
}
