//! Order and product discounts (`cart.lines.discounts.generate.run`).

use discount_rules::{CompiledRule, CompiledTarget, Decimal, DiscountValue};
use shopify_function::prelude::*;

use crate::buyer::{config_for, held_rules};
use crate::decimal_scalar::{InputDecimal, OutputDecimal};
use crate::schema::cart_lines_discounts_generate_run::Input;
use crate::schema::cart_lines_discounts_generate_run::input::line_cart::lines::Merchandise;
use crate::schema::{
    self, CartLinesDiscountsGenerateRunResult, CartOperation, DiscountClass, OrderDiscountCandidate,
    OrderDiscountCandidateTarget, OrderDiscountCandidateValue, ProductDiscountCandidate,
    ProductDiscountCandidateTarget, ProductDiscountCandidateValue,
};

#[shopify_function]
fn cart_lines_discounts_generate_run(
    input: Input,
) -> shopify_function::Result<CartLinesDiscountsGenerateRunResult> {
    Ok(CartLinesDiscountsGenerateRunResult { operations: operations(&input).unwrap_or_default() })
}

/// The discounts for this cart; `None` where there are none to give.
fn operations(input: &Input) -> Option<Vec<CartOperation>> {
    // Most checkouts stop here: a guest, or a customer with none of the rule tags. Only these
    // fields of the input have been read so far.
    let customer = input.cart().buyer_identity()?.customer()?;
    if !*customer.has_any_tag() {
        return None;
    }
    let held: Vec<bool> = customer.has_tags().iter().map(|tag| *tag.has_tag()).collect();

    let classes = input.discount().discount_classes();
    let wants_order = classes.contains(&DiscountClass::Order);
    let wants_product = classes.contains(&DiscountClass::Product);
    if !wants_order && !wants_product {
        return None;
    }
    let metafield = input.discount().metafield().map(|metafield| metafield.value().as_str());
    let config = config_for(metafield, &held)?;
    let rules = held_rules(&config, &held, |target| match target {
        CompiledTarget::OrderSubtotal => wants_order,
        CompiledTarget::Collections(_) | CompiledTarget::Products(_) => wants_product,
        CompiledTarget::Shipping => false,
    })?;
    let rate = input.presentment_currency_rate().0;

    let (order_rules, product_rules): (Vec<_>, Vec<_>) =
        rules.into_iter().partition(|rule| rule.target == CompiledTarget::OrderSubtotal);
    let mut operations = Vec::new();
    if let Some(candidates) = order_candidates(&order_rules, rate) {
        operations.push(CartOperation::OrderDiscountsAdd(schema::OrderDiscountsAddOperation {
            selection_strategy: schema::OrderDiscountSelectionStrategy::Maximum,
            candidates,
        }));
    }
    if let Some(candidates) = product_candidates(input, &product_rules, config.collection_count, rate) {
        operations.push(CartOperation::ProductDiscountsAdd(schema::ProductDiscountsAddOperation {
            selection_strategy: schema::ProductDiscountSelectionStrategy::Maximum,
            candidates,
        }));
    }
    Some(operations)
}

/// One candidate per order rule that can win; Shopify's `MAXIMUM` strategy then picks the
/// largest whose minimum subtotal this cart meets.
fn order_candidates(
    rules: &[CompiledRule<'_>],
    rate: Option<Decimal>,
) -> Option<Vec<OrderDiscountCandidate>> {
    let candidates: Vec<OrderDiscountCandidate> = rules
        .iter()
        .enumerate()
        .filter(|&(index, rule)| !is_dominated(rules, index, rule))
        .filter_map(|(_, rule)| {
            let value = match rule.value {
                DiscountValue::Percentage(percent) => {
                    OrderDiscountCandidateValue::Percentage(schema::Percentage {
                        value: OutputDecimal(percent),
                    })
                }
                DiscountValue::FixedAmount(amount) => {
                    OrderDiscountCandidateValue::FixedAmount(schema::FixedAmount {
                        amount: OutputDecimal(to_presentment(amount, rate, rule)?),
                    })
                }
            };
            // Shopify compares this minimum with the subtotal in the shop's currency itself.
            let conditions = rule.minimum_subtotal.map(|minimum| {
                vec![schema::Condition::OrderMinimumSubtotal(schema::OrderMinimumSubtotal {
                    excluded_cart_line_ids: Vec::new(),
                    minimum_amount: OutputDecimal(minimum),
                })]
            });
            Some(OrderDiscountCandidate {
                targets: vec![OrderDiscountCandidateTarget::OrderSubtotal(schema::OrderSubtotalTarget {
                    excluded_cart_line_ids: Vec::new(),
                })],
                value,
                conditions,
                message: Some(rule.title.to_owned()),
                associated_discount_code: None,
            })
        })
        .collect();
    (!candidates.is_empty()).then_some(candidates)
}

/// Whether another rule of the same kind takes off at least as much on every cart this one
/// applies to, winning ties by coming first (rules arrive highest priority first).
fn is_dominated(rules: &[CompiledRule<'_>], index: usize, rule: &CompiledRule<'_>) -> bool {
    let minimum = rule.minimum_subtotal.unwrap_or(Decimal::ZERO);
    rules.iter().enumerate().any(|(other_index, other)| {
        let other_minimum = other.minimum_subtotal.unwrap_or(Decimal::ZERO);
        let (ours, theirs) = match (rule.value, other.value) {
            (DiscountValue::Percentage(ours), DiscountValue::Percentage(theirs))
            | (DiscountValue::FixedAmount(ours), DiscountValue::FixedAmount(theirs)) => (ours, theirs),
            _ => return false,
        };
        other_index != index
            && other_minimum <= minimum
            && (theirs > ours || (theirs == ours && (other_minimum < minimum || other_index < index)))
    })
}

/// A shop-currency amount in the buyer's currency, or `None` (logged) without a usable rate.
fn to_presentment(amount: Decimal, rate: Option<Decimal>, rule: &CompiledRule<'_>) -> Option<Decimal> {
    if rate.is_none() {
        log!("seglink: no presentment currency rate; skipped rule on line {}", rule.line);
    }
    rate.map(|rate| amount.mul(rate))
}

/// What a product rule matched on this cart.
struct ProductMatch<'r> {
    rule: &'r CompiledRule<'r>,
    lines: Vec<ProductDiscountCandidateTarget>,
    quantity: u64,
    subtotal: Decimal,
}

/// Candidates for the product rules, from one pass over the lines that reads only what those
/// rules need.
fn product_candidates(
    input: &Input,
    rules: &[CompiledRule<'_>],
    collection_count: usize,
    rate: Option<Decimal>,
) -> Option<Vec<ProductDiscountCandidate>> {
    if rules.is_empty() {
        return None;
    }
    let mut matches: Vec<ProductMatch<'_>> = rules
        .iter()
        .map(|rule| ProductMatch { rule, lines: Vec::new(), quantity: 0, subtotal: Decimal::ZERO })
        .collect();
    let reads_collections = rules.iter().any(|rule| matches!(rule.target, CompiledTarget::Collections(_)));
    let reads_subtotals = rules.iter().any(|rule| rule.minimum_subtotal.is_some());

    for line in input.line_cart().lines() {
        let Merchandise::ProductVariant(variant) = line.merchandise() else {
            continue;
        };
        let product = variant.product();
        let memberships = if reads_collections { product.in_collections() } else { &[] };
        if reads_collections && memberships.len() != collection_count {
            log!("seglink: {} collection results for {collection_count} collections", memberships.len());
            return None;
        }
        for found in &mut matches {
            let matched = match &found.rule.target {
                CompiledTarget::Collections(indices) => {
                    indices.iter().any(|&index| *memberships[index].is_member())
                }
                target => target.lists_product(product.id()),
            };
            if !matched {
                continue;
            }
            found.lines.push(ProductDiscountCandidateTarget::CartLine(schema::CartLineTarget {
                id: line.id().clone(),
                quantity: None,
            }));
            found.quantity += u64::try_from(*line.quantity()).unwrap_or(0);
            if reads_subtotals {
                let InputDecimal(Some(subtotal)) = *line.cost().subtotal_amount().amount() else {
                    log!("seglink: unreadable line subtotal");
                    return None;
                };
                found.subtotal = found.subtotal.saturating_add(subtotal);
            }
        }
    }

    let candidates: Vec<ProductDiscountCandidate> =
        matches.into_iter().filter_map(|found| product_candidate(found, rate)).collect();
    (!candidates.is_empty()).then_some(candidates)
}

fn product_candidate(found: ProductMatch<'_>, rate: Option<Decimal>) -> Option<ProductDiscountCandidate> {
    let rule = found.rule;
    if found.lines.is_empty() || found.quantity < u64::from(rule.minimum_quantity.unwrap_or(0)) {
        return None;
    }
    if let Some(minimum) = rule.minimum_subtotal {
        // Line subtotals are in the buyer's currency; the minimum is in the shop's.
        if found.subtotal < to_presentment(minimum, rate, rule)? {
            return None;
        }
    }
    let value = match rule.value {
        DiscountValue::Percentage(percent) => {
            ProductDiscountCandidateValue::Percentage(schema::Percentage { value: OutputDecimal(percent) })
        }
        DiscountValue::FixedAmount(amount) => {
            ProductDiscountCandidateValue::FixedAmount(schema::ProductDiscountCandidateFixedAmount {
                amount: OutputDecimal(to_presentment(amount, rate, rule)?),
                applies_to_each_item: Some(false),
            })
        }
    };
    Some(ProductDiscountCandidate {
        targets: found.lines,
        prerequisites: None,
        value,
        message: Some(rule.title.to_owned()),
        associated_discount_code: None,
    })
}
