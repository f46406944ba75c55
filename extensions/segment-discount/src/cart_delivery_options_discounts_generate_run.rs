//! Shipping discounts (`cart.delivery-options.discounts.generate.run`).

use discount_rules::{CompiledRule, CompiledTarget, Decimal, DiscountValue};
use shopify_function::prelude::shopify_function;

use crate::RawInput;
use crate::buyer::{
    config, discount_classes, held_rules, held_tags, metafield_value, rate_if_needed, tagged_customer,
};
use crate::cart_lines_discounts_generate_run::{meets_minimum, reduction};
use crate::io::Node;
use crate::output::{DeliveryCandidate, DeliveryResult};
use crate::shape::{delivery_cart, money, root};

/// The target's export: the shipping discounts for this checkout.
#[shopify_function]
pub fn cart_delivery_options_discounts_generate_run(
    input: RawInput,
) -> shopify_function::Result<DeliveryResult> {
    Ok(DeliveryResult { candidates: discounts(Node::root(input.0)).unwrap_or_default() })
}

fn discounts(input: Node) -> Option<Vec<DeliveryCandidate>> {
    let customer = tagged_customer(input)?;
    let discount = input.at(root::DISCOUNT);
    if !discount_classes(discount).shipping {
        return None;
    }
    let json = metafield_value(discount)?;
    let config = config(&json)?;
    let held = held_tags(customer, config.tag_count)?;
    let rules = held_rules(&config, &held, |target| *target == CompiledTarget::Shipping)?;
    if rules.is_empty() {
        return None;
    }
    let rate = rate_if_needed(input, &rules);
    let cart = input.at(root::TARGET_CART);

    // Minimums are on the order subtotal, which arrives in the buyer's currency.
    let subtotal = if rules.iter().any(|rule| rule.minimum_subtotal.is_some()) {
        cart.at(delivery_cart::COST).at(money::SUBTOTAL_AMOUNT).at(money::AMOUNT).decimal()
    } else {
        None
    };
    let eligible: Vec<&CompiledRule<'_>> =
        rules.iter().filter(|rule| meets_minimum(rule, subtotal, rate)).collect();
    if eligible.is_empty() {
        return None;
    }

    // Delivery candidates all apply (ALL is the only strategy), so each option gets one: the
    // rule that takes the most off its price, the higher priority on a tie.
    let mut candidates = Vec::new();
    for group in cart.at(delivery_cart::DELIVERY_GROUPS).items() {
        for option in group.at(delivery_cart::DELIVERY_OPTIONS).items() {
            let Some(price) = option.at(delivery_cart::OPTION_COST).at(money::AMOUNT).decimal() else {
                continue;
            };
            let mut best: Option<(&CompiledRule<'_>, Decimal)> = None;
            for &rule in &eligible {
                let Some(saving) = saving(rule.value, price, rate) else {
                    continue;
                };
                if saving > best.map_or(Decimal::ZERO, |(_, most)| most) {
                    best = Some((rule, saving));
                }
            }
            let (Some((rule, _)), Some(handle)) = (best, option.at(delivery_cart::HANDLE).string()) else {
                continue;
            };
            if let Some(reduction) = reduction(rule.value, rate) {
                candidates.push(DeliveryCandidate { handle, reduction, message: rule.title.to_owned() });
            }
        }
    }
    Some(candidates)
}

/// What `value` takes off a delivery option costing `price` (buyer's currency); `None` for a
/// fixed amount without a rate.
fn saving(value: DiscountValue, price: Decimal, rate: Option<Decimal>) -> Option<Decimal> {
    match value {
        DiscountValue::Percentage(percent) => Some(percent.percent_of(price)),
        DiscountValue::FixedAmount(amount) => Some((amount * rate?).min(price)),
    }
}
