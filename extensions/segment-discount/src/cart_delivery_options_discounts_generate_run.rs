//! Shipping discounts (`cart.delivery-options.discounts.generate.run`).

use discount_rules::{CompiledRule, CompiledTarget, Decimal, DiscountValue};
use shopify_function::prelude::*;

use crate::buyer::{config_for, held_rules};
use crate::decimal_scalar::{InputDecimal, OutputDecimal};
use crate::schema::cart_delivery_options_discounts_generate_run::Input;
use crate::schema::{
    self, CartDeliveryOptionsDiscountsGenerateRunResult, DeliveryDiscountCandidate,
    DeliveryDiscountCandidateTarget, DeliveryDiscountCandidateValue, DeliveryOperation, DiscountClass,
};

#[shopify_function]
fn cart_delivery_options_discounts_generate_run(
    input: Input,
) -> shopify_function::Result<CartDeliveryOptionsDiscountsGenerateRunResult> {
    Ok(CartDeliveryOptionsDiscountsGenerateRunResult { operations: operations(&input).unwrap_or_default() })
}

fn operations(input: &Input) -> Option<Vec<DeliveryOperation>> {
    let customer = input.cart().buyer_identity()?.customer()?;
    if !*customer.has_any_tag() || !input.discount().discount_classes().contains(&DiscountClass::Shipping) {
        return None;
    }
    let held: Vec<bool> = customer.has_tags().iter().map(|tag| *tag.has_tag()).collect();
    let metafield = input.discount().metafield().map(|metafield| metafield.value().as_str());
    let config = config_for(metafield, &held)?;
    let rules = held_rules(&config, &held, |target| *target == CompiledTarget::Shipping)?;
    if rules.is_empty() {
        return None;
    }
    let rate = input.presentment_currency_rate().0?;
    let cart = input.delivery_cart();

    // A shipping rule's minimum is on the order subtotal, which is in the buyer's currency.
    let subtotal = if rules.iter().any(|rule| rule.minimum_subtotal.is_some()) {
        cart.cost().subtotal_amount().amount().0
    } else {
        Some(Decimal::ZERO)
    };
    let eligible: Vec<&CompiledRule<'_>> = rules
        .iter()
        .filter(|rule| match (rule.minimum_subtotal, subtotal) {
            (None, _) => true,
            (Some(minimum), Some(subtotal)) => subtotal >= minimum.mul(rate),
            (Some(_), None) => false,
        })
        .collect();

    // Shipping candidates all apply (the only strategy is ALL), so each option gets one: the
    // rule that takes the most off its price, the higher priority on a tie.
    let mut candidates = Vec::new();
    for group in cart.delivery_groups() {
        for option in group.delivery_options() {
            let InputDecimal(Some(price)) = *option.cost().amount() else {
                continue;
            };
            let mut best: Option<(&CompiledRule<'_>, Decimal)> = None;
            for &rule in &eligible {
                let saving = saving(rule.value, price, rate);
                if saving > best.map_or(Decimal::ZERO, |(_, most)| most) {
                    best = Some((rule, saving));
                }
            }
            if let Some((rule, _)) = best {
                candidates.push(candidate(rule, option.handle(), rate));
            }
        }
    }
    (!candidates.is_empty()).then(|| {
        vec![DeliveryOperation::DeliveryDiscountsAdd(schema::DeliveryDiscountsAddOperation {
            selection_strategy: schema::DeliveryDiscountSelectionStrategy::All,
            candidates,
        })]
    })
}

/// What `value` takes off a delivery option costing `price` (buyer's currency).
fn saving(value: DiscountValue, price: Decimal, rate: Decimal) -> Decimal {
    match value {
        DiscountValue::Percentage(percent) => percent.percent_of(price),
        DiscountValue::FixedAmount(amount) => amount.mul(rate).min(price),
    }
}

fn candidate(rule: &CompiledRule<'_>, handle: &str, rate: Decimal) -> DeliveryDiscountCandidate {
    let value = match rule.value {
        DiscountValue::Percentage(percent) => {
            DeliveryDiscountCandidateValue::Percentage(schema::Percentage { value: OutputDecimal(percent) })
        }
        DiscountValue::FixedAmount(amount) => {
            DeliveryDiscountCandidateValue::FixedAmount(schema::FixedAmount {
                amount: OutputDecimal(amount.mul(rate)),
            })
        }
    };
    DeliveryDiscountCandidate {
        targets: vec![DeliveryDiscountCandidateTarget::DeliveryOption(schema::DeliveryOptionTarget {
            handle: handle.to_owned(),
        })],
        value,
        message: Some(rule.title.to_owned()),
        associated_discount_code: None,
    }
}
