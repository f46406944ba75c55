//! Order and product discounts (`cart.lines.discounts.generate.run`).

use discount_rules::{
    CompiledRule, CompiledTarget, Decimal, DiscountValue, MAX_COLLECTION_GROUPS, product_number,
};
use shopify_function::prelude::*;

use crate::RawInput;
use crate::buyer::{config_for, discount_classes, held_rules, held_tags, metafield_value};
use crate::io::{Key, Keys, Node, line_fields};
use crate::output::{CartLinesResult, OrderCandidate, ProductCandidate, Reduction};

#[shopify_function]
pub(crate) fn cart_lines_discounts_generate_run(
    input: RawInput,
) -> shopify_function::Result<CartLinesResult> {
    let keys = Keys::new();
    let (order, product) = discounts(Node::root(input.0, &keys)).unwrap_or_default();
    Ok(CartLinesResult { order, product })
}

/// The discounts for this cart; `None` where there are none to give.
fn discounts(root: Node<'_>) -> Option<(Vec<OrderCandidate>, Vec<ProductCandidate>)> {
    // Most checkouts stop here, a guest or a customer without a rule tag, having read two
    // fields of the input.
    let held = held_tags(root)?;
    let classes = discount_classes(root);
    if !classes.order && !classes.product {
        return None;
    }
    let json = metafield_value(root)?;
    let config = config_for(&json, &held)?;
    let rules = held_rules(&config, &held, |target| match target {
        CompiledTarget::OrderSubtotal => classes.order,
        CompiledTarget::Collections(_) | CompiledTarget::Products(_) => classes.product,
        CompiledTarget::Shipping => false,
    })?;
    if rules.is_empty() {
        return None;
    }
    let rate = root.get(Key::PresentmentCurrencyRate).decimal();
    if rate.is_none() {
        log!("seglink: unreadable presentmentCurrencyRate");
    }

    let (order_rules, product_rules): (Vec<_>, Vec<_>) =
        rules.iter().partition(|rule| rule.target == CompiledTarget::OrderSubtotal);
    let order = order_candidates(&order_rules, rate);
    let product =
        if product_rules.is_empty() { Vec::new() } else { product_candidates(root, &product_rules, rate)? };
    Some((order, product))
}

/// One candidate per order rule that can win; Shopify's `MAXIMUM` strategy picks the largest
/// whose minimum subtotal this cart meets, and candidates come highest priority first.
fn order_candidates(rules: &[&CompiledRule<'_>], rate: Option<Decimal>) -> Vec<OrderCandidate> {
    rules
        .iter()
        .enumerate()
        .filter(|&(index, rule)| !is_dominated(rules, index, rule))
        .filter_map(|(_, rule)| {
            Some(OrderCandidate {
                reduction: reduction(rule.value, rate)?,
                // Shopify compares this with the subtotal in the shop's currency itself.
                minimum_subtotal: rule.minimum_subtotal,
                message: rule.title.to_owned(),
            })
        })
        .collect()
}

/// Whether another rule of the same kind takes off at least as much on every cart this one
/// applies to, winning ties by coming first (rules arrive highest priority first).
fn is_dominated(rules: &[&CompiledRule<'_>], index: usize, rule: &CompiledRule<'_>) -> bool {
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

/// Whether the order subtotal (buyer's currency) reaches the rule's minimum (shop's currency);
/// a rule with a minimum never applies when either amount is unknown.
pub fn meets_minimum(rule: &CompiledRule<'_>, subtotal: Option<Decimal>, rate: Option<Decimal>) -> bool {
    match (rule.minimum_subtotal, subtotal, rate) {
        (None, _, _) => true,
        (Some(minimum), Some(subtotal), Some(rate)) => subtotal >= minimum.mul(rate),
        (Some(_), _, _) => false,
    }
}

/// A rule's value for Shopify: fixed amounts converted from the shop's currency to the
/// buyer's; `None` for a fixed amount without a usable rate.
pub fn reduction(value: DiscountValue, rate: Option<Decimal>) -> Option<Reduction> {
    match value {
        DiscountValue::Percentage(percent) => Some(Reduction::Percentage(percent)),
        DiscountValue::FixedAmount(amount) => rate.map(|rate| Reduction::FixedAmount(amount.mul(rate))),
    }
}

/// What a product rule matches, and what it matched on this cart.
struct ProductMatch<'r> {
    rule: &'r CompiledRule<'r>,
    /// The collection group of a collection rule.
    group: Option<usize>,
    /// The product numbers of a product rule.
    products: Vec<u64>,
    line_ids: Vec<String>,
    quantity: u64,
}

impl ProductMatch<'_> {
    fn matches(&self, in_group: &[bool; MAX_COLLECTION_GROUPS], product: Option<u64>) -> bool {
        match self.group {
            Some(group) => in_group[group],
            None => product.is_some_and(|number| self.products.contains(&number)),
        }
    }
}

/// The fields of one line, read at most once and only if a rule needs them.
struct LineFacts<'k> {
    line: Node<'k>,
    id: Option<Option<String>>,
    quantity: Option<u64>,
}

impl LineFacts<'_> {
    fn id(&mut self) -> Option<String> {
        self.id.get_or_insert_with(|| self.line.at(line_fields::ID).string()).clone()
    }

    fn quantity(&mut self) -> u64 {
        *self.quantity.get_or_insert_with(|| self.line.at(line_fields::QUANTITY).count().unwrap_or(0))
    }
}

/// Candidates for the product rules, from one pass over the lines that reads only what those
/// rules need; `None` (logged) if a line cannot be read.
fn product_candidates(
    root: Node<'_>,
    rules: &[&CompiledRule<'_>],
    rate: Option<Decimal>,
) -> Option<Vec<ProductCandidate>> {
    let cart = root.get(Key::LineCart);
    // Minimums are on the order subtotal, which arrives in the buyer's currency.
    let subtotal = if rules.iter().any(|rule| rule.minimum_subtotal.is_some()) {
        let subtotal = cart.get(Key::Cost).get(Key::SubtotalAmount).get(Key::Amount).decimal();
        if subtotal.is_none() {
            log!("seglink: unreadable cart subtotal");
        }
        subtotal
    } else {
        None
    };
    let rules: Vec<&CompiledRule<'_>> =
        rules.iter().copied().filter(|rule| meets_minimum(rule, subtotal, rate)).collect();
    if rules.is_empty() {
        return Some(Vec::new());
    }
    let mut matches: Vec<ProductMatch<'_>> = rules
        .iter()
        .map(|rule| {
            let (group, products) = match &rule.target {
                CompiledTarget::Collections(group) => (Some(*group), Vec::new()),
                CompiledTarget::Products(list) => (None, list.to_numbers()),
                CompiledTarget::OrderSubtotal | CompiledTarget::Shipping => (None, Vec::new()),
            };
            ProductMatch { rule, group, products, line_ids: Vec::new(), quantity: 0 }
        })
        .collect();
    let mut groups_read = [false; MAX_COLLECTION_GROUPS];
    for rule in &rules {
        if let CompiledTarget::Collections(group) = rule.target {
            groups_read[group] = true;
        }
    }
    let reads_products = rules.iter().any(|rule| matches!(rule.target, CompiledTarget::Products(_)));

    for line in cart.get(Key::Lines).items() {
        // Custom products have no product, so no rule can match them.
        let product = line.at(line_fields::MERCHANDISE).at(line_fields::PRODUCT);
        if !product.is_present() {
            continue;
        }
        let mut in_group = [false; MAX_COLLECTION_GROUPS];
        for (group, read) in groups_read.into_iter().enumerate() {
            in_group[group] = read && product.at(group).bool() == Some(true);
        }
        let product_number = if reads_products {
            product.at(line_fields::PRODUCT_ID).string().as_deref().and_then(product_number)
        } else {
            None
        };
        let mut facts = LineFacts { line, id: None, quantity: None };
        for found in &mut matches {
            if !found.matches(&in_group, product_number) {
                continue;
            }
            let Some(id) = facts.id() else {
                log!("seglink: a cart line has no id");
                return None;
            };
            found.line_ids.push(id);
            found.quantity = found.quantity.saturating_add(facts.quantity());
        }
    }
    Some(matches.into_iter().filter_map(|found| product_candidate(found, rate)).collect())
}

fn product_candidate(found: ProductMatch<'_>, rate: Option<Decimal>) -> Option<ProductCandidate> {
    let rule = found.rule;
    if found.line_ids.is_empty() || found.quantity < u64::from(rule.minimum_quantity.unwrap_or(0)) {
        return None;
    }
    Some(ProductCandidate {
        line_ids: found.line_ids,
        reduction: reduction(rule.value, rate)?,
        message: rule.title.to_owned(),
    })
}
