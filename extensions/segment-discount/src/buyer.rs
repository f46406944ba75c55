//! What both targets check first: the buyer holds a rule tag, and the config can be read.

use discount_rules::{CompiledRule, CompiledTarget, Config, MAX_METAFIELD_BYTES};
use shopify_function::prelude::log;

/// The config of a buyer who holds at least one rule tag, or `None` (logged) when there is
/// none to use.
pub fn config_for<'a>(metafield: Option<&'a str>, held: &[bool]) -> Option<Config<'a>> {
    let Some(json) = metafield else {
        log!("seglink: the discount has no config metafield");
        return None;
    };
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
