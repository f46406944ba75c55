//! What both targets check first: the buyer holds a rule tag, the discount has a class we
//! serve, and the config can be read. Reads nothing else of the input.

use discount_rules::{CompiledRule, CompiledTarget, Config, MAX_METAFIELD_BYTES};
use shopify_function::prelude::log;

use crate::io::{Key, Node};

/// Which tags of `$ruleTags` the buyer holds; `None` for a guest or a customer with none.
pub fn held_tags(root: Node<'_>) -> Option<Vec<bool>> {
    let customer = root.field(Key::Cart)?.field(Key::BuyerIdentity)?.field(Key::Customer)?;
    if customer.get(Key::HasAnyTag).bool() != Some(true) {
        return None;
    }
    let has_tags = customer.get(Key::HasTags);
    // With one rule tag, `hasAnyTag` already said it is held.
    if has_tags.len() == 1 {
        return Some(vec![true]);
    }
    // `hasTag` is the only field of each `HasTagResponse` the query selects.
    Some(has_tags.items().map(|response| response.at(0).bool() == Some(true)).collect())
}

/// The discount classes of the discount node.
#[derive(Clone, Copy, Default)]
pub struct Classes {
    pub order: bool,
    pub product: bool,
    pub shipping: bool,
}

pub fn discount_classes(root: Node<'_>) -> Classes {
    let list = root.get(Key::Discount).get(Key::DiscountClasses);
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
pub fn metafield_value(root: Node<'_>) -> Option<String> {
    let value = root
        .get(Key::Discount)
        .field(Key::Metafield)
        .and_then(|metafield| metafield.get(Key::Value).string());
    if value.is_none() {
        log!("seglink: the discount has no config metafield");
    }
    value
}

/// The config of a buyer who holds at least one rule tag, or `None` (logged) when it cannot
/// be used.
pub fn config_for<'a>(json: &'a str, held: &[bool]) -> Option<Config<'a>> {
    // Shopify withholds larger values; one that arrives anyway was not written by us.
    if json.len() > MAX_METAFIELD_BYTES {
        log!("seglink: config is {} bytes, over {MAX_METAFIELD_BYTES}", json.len());
        return None;
    }
    let config = match Config::from_metafield_value(json) {
        Ok(config) => config,
        Err(error) => {
            log!("seglink: {error}");
            return None;
        }
    };
    if config.tag_count != held.len() {
        log!("seglink: config names {} tags, the input {}", config.tag_count, held.len());
        return None;
    }
    Some(config)
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
                log!("seglink: {error}");
                return None;
            }
        }
    }
    Some(rules)
}
