//! Shipping discounts (`cart.delivery-options.discounts.generate.run`).

use discount_rules::{CompiledRule, CompiledTarget, Decimal, DiscountValue};
use shopify_function::prelude::*;

use crate::RawInput;
use crate::buyer::{config_for, discount_classes, held_rules, held_tags, metafield_value};
use crate::cart_lines_discounts_generate_run::{meets_minimum, reduction};
use crate::io::{Key, Keys, Node};
use crate::output::{DeliveryCandidate, DeliveryResult};

#[shopify_function]
fn cart_delivery_options_discounts_generate_run(input: RawInput) -> shopify_function::Result<DeliveryResult> {
    let keys = Keys::new();
    let candidates = discounts(Node::root(input.0, &keys)).unwrap_or_default();
    Ok(DeliveryResult { candidates })
}

fn discounts(root: Node<'_>) -> Option<Vec<DeliveryCandidate>> {
    let held = held_tags(root)?;
    if !discount_classes(root).shipping {
        return None;
    }
    let json = metafield_value(root)?;
    let config = config_for(&json, &held)?;
    let rules = held_rules(&config, &held, |target| *target == CompiledTarget::Shipping)?;
    if rules.is_empty() {
        return None;
    }
    let Some(rate) = root.get(Key::PresentmentCurrencyRate).decimal() else {
        log!("seglink: unreadable presentmentCurrencyRate");
        return None;
    };
    let cart = root.get(Key::DeliveryCart);

    // Minimums are on the order subtotal, which arrives in the buyer's currency.
    let subtotal = if rules.iter().any(|rule| rule.minimum_subtotal.is_some()) {
        cart.get(Key::Cost).get(Key::SubtotalAmount).get(Key::Amount).decimal()
    } else {
        None
    };
    let eligible: Vec<&CompiledRule<'_>> =
        rules.iter().filter(|rule| meets_minimum(rule, subtotal, Some(rate))).collect();
    if eligible.is_empty() {
        return None;
    }

    // Delivery candidates all apply (ALL is the only strategy), so each option gets one: the
    // rule that takes the most off its price, the higher priority on a tie.
    let mut candidates = Vec::new();
    for group in cart.get(Key::DeliveryGroups).items() {
        for option in group.get(Key::DeliveryOptions).items() {
            let Some(price) = option.get(Key::Cost).get(Key::Amount).decimal() else {
                continue;
            };
            let mut best: Option<(&CompiledRule<'_>, Decimal)> = None;
            for &rule in &eligible {
                let saving = saving(rule.value, price, rate);
                if saving > best.map_or(Decimal::ZERO, |(_, most)| most) {
                    best = Some((rule, saving));
                }
            }
            let (Some((rule, _)), Some(handle)) = (best, option.get(Key::Handle).string()) else {
                continue;
            };
            if let Some(reduction) = reduction(rule.value, Some(rate)) {
                candidates.push(DeliveryCandidate { handle, reduction, message: rule.title.to_owned() });
            }
        }
    }
    Some(candidates)
}

/// What `value` takes off a delivery option costing `price` (buyer's currency).
fn saving(value: DiscountValue, price: Decimal, rate: Decimal) -> Decimal {
    match value {
        DiscountValue::Percentage(percent) => percent.percent_of(price),
        DiscountValue::FixedAmount(amount) => amount.mul(rate).min(price),
    }
}
