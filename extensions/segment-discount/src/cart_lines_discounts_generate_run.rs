//! Order and product discounts (`cart.lines.discounts.generate.run`).

use discount_rules::{
    CompiledRule, CompiledTarget, Decimal, DiscountValue, MAX_COLLECTION_GROUPS, product_number,
};
use shopify_function::prelude::shopify_function;

use crate::RawInput;
use crate::buyer::{
    config, discount_classes, held_rules, held_tags, metafield_value, rate_if_needed, tagged_customer,
};
use crate::io::Node;
use crate::log::log;
use crate::output::{CartLinesResult, OrderCandidate, ProductCandidate, Reduction};
use crate::shape::{line_cart, money, root};

/// The target's export: the order and product discounts for this cart.
#[shopify_function]
pub fn cart_lines_discounts_generate_run(input: RawInput) -> shopify_function::Result<CartLinesResult> {
    let (order, product) = discounts(Node::root(input.0)).unwrap_or_default();
    Ok(CartLinesResult { order, product })
}

/// The discounts for this cart; `None` where there are none to give.
fn discounts(input: Node) -> Option<(Vec<OrderCandidate>, Vec<ProductCandidate>)> {
    let customer = tagged_customer(input)?;
    let discount = input.at(root::DISCOUNT);
    let classes = discount_classes(discount);
    if !classes.order && !classes.product {
        return None;
    }
    let json = metafield_value(discount)?;
    let config = config(&json)?;
    let held = held_tags(customer, config.tag_count)?;
    let rules = held_rules(&config, &held, |target| match target {
        CompiledTarget::OrderSubtotal => classes.order,
        CompiledTarget::Collections(_) | CompiledTarget::Products(_) => classes.product,
        CompiledTarget::Shipping => false,
    })?;
    if rules.is_empty() {
        return None;
    }
    let rate = rate_if_needed(input, &rules);

    let order = order_candidates(&rules, rate);
    let product = if rules.iter().any(is_product_rule) {
        product_candidates(input.at(root::TARGET_CART), &rules, rate)?
    } else {
        Vec::new()
    };
    Some((order, product))
}

fn is_order_rule(rule: &CompiledRule<'_>) -> bool {
    rule.target == CompiledTarget::OrderSubtotal
}

fn is_product_rule(rule: &CompiledRule<'_>) -> bool {
    matches!(rule.target, CompiledTarget::Collections(_) | CompiledTarget::Products(_))
}

/// One candidate per order rule that can win; Shopify's `MAXIMUM` strategy picks the largest
/// whose minimum subtotal this cart meets, and candidates come highest priority first.
fn order_candidates(rules: &[CompiledRule<'_>], rate: Option<Decimal>) -> Vec<OrderCandidate> {
    rules
        .iter()
        .enumerate()
        .filter(|&(index, rule)| is_order_rule(rule) && !is_dominated(rules, index, rule))
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

/// Whether another order rule of the same kind takes off at least as much on every cart this
/// one applies to, winning ties by coming first (rules arrive highest priority first).
fn is_dominated(rules: &[CompiledRule<'_>], index: usize, rule: &CompiledRule<'_>) -> bool {
    let minimum = rule.minimum_subtotal.unwrap_or(Decimal::ZERO);
    rules.iter().enumerate().filter(|(_, other)| is_order_rule(other)).any(|(other_index, other)| {
        let other_minimum = other.minimum_subtotal.unwrap_or(Decimal::ZERO);
        let ((DiscountValue::Percentage(ours), DiscountValue::Percentage(theirs))
        | (DiscountValue::FixedAmount(ours), DiscountValue::FixedAmount(theirs))) = (rule.value, other.value)
        else {
            return false;
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
        (Some(minimum), Some(subtotal), Some(rate)) => subtotal >= minimum * rate,
        (Some(_), _, _) => false,
    }
}

/// A rule's value for Shopify: fixed amounts converted from the shop's currency to the
/// buyer's; `None` for a fixed amount without a usable rate.
pub fn reduction(value: DiscountValue, rate: Option<Decimal>) -> Option<Reduction> {
    match value {
        DiscountValue::Percentage(percent) => Some(Reduction::Percentage(percent)),
        DiscountValue::FixedAmount(amount) => rate.map(|rate| Reduction::FixedAmount(amount * rate)),
    }
}

/// What a product rule matches, and what it matched on this cart.
struct ProductMatch<'r> {
    rule: &'r CompiledRule<'r>,
    /// The collection group of a collection rule.
    group: Option<usize>,
    /// The product numbers of a product rule.
    products: Vec<u64>,
    /// Positions of the matched lines in the cart, ascending, and their ids.
    lines: Vec<u32>,
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

    /// Whether `other` takes off at least as much on every line this one would, and wins a
    /// tie by coming first (rules arrive highest priority first).
    fn is_outdone_by(&self, other: &Self, self_first: bool) -> bool {
        let (ours, theirs) = match (self.rule.value, other.rule.value) {
            // A percentage that is as large on the same lines or more takes off as much.
            (DiscountValue::Percentage(ours), DiscountValue::Percentage(theirs))
                if covers(&other.lines, &self.lines) =>
            {
                (ours, theirs)
            }
            // A fixed amount is shared across its lines, so only the same lines compare.
            (DiscountValue::FixedAmount(ours), DiscountValue::FixedAmount(theirs))
                if other.lines == self.lines =>
            {
                (ours, theirs)
            }
            _ => return false,
        };
        theirs > ours || (theirs == ours && !self_first)
    }
}

/// Whether the ascending positions `outer` include all of `inner`.
fn covers(outer: &[u32], inner: &[u32]) -> bool {
    let mut outer = outer.iter();
    inner.iter().all(|position| outer.any(|candidate| candidate == position))
}

/// Candidates for the product rules, from one pass over the lines that reads only what those
/// rules need; `None` (logged) if a line cannot be read.
fn product_candidates(
    cart: Node,
    rules: &[CompiledRule<'_>],
    rate: Option<Decimal>,
) -> Option<Vec<ProductCandidate>> {
    let mut matches: Vec<ProductMatch<'_>> = Vec::new();
    let mut groups_read = [false; MAX_COLLECTION_GROUPS];
    let (mut reads_products, mut reads_quantities, mut reads_subtotal) = (false, false, false);
    for rule in rules {
        let (group, products) = match &rule.target {
            CompiledTarget::Collections(group) => (Some(*group), Vec::new()),
            CompiledTarget::Products(list) => (None, list.to_numbers()),
            CompiledTarget::OrderSubtotal | CompiledTarget::Shipping => continue,
        };
        if let Some(group) = group {
            groups_read[group] = true;
        }
        reads_products |= !products.is_empty();
        reads_quantities |= rule.minimum_quantity.is_some();
        reads_subtotal |= rule.minimum_subtotal.is_some();
        matches.push(ProductMatch {
            rule,
            group,
            products,
            lines: Vec::new(),
            line_ids: Vec::new(),
            quantity: 0,
        });
    }

    let lines = cart.at(line_cart::LINES);
    let line_count = lines.len();
    for (position, line) in lines.items().enumerate() {
        // A custom product has no product: reads below it find nothing, so no rule matches.
        let product = line.at(line_cart::MERCHANDISE).at(line_cart::PRODUCT);
        let mut in_group = [false; MAX_COLLECTION_GROUPS];
        for (group, read) in groups_read.into_iter().enumerate() {
            in_group[group] = read && product.at(group).bool() == Some(true);
        }
        let product_number = if reads_products {
            product.at(line_cart::PRODUCT_ID).string().as_deref().and_then(product_number)
        } else {
            None
        };
        let Some(last) = matches.iter().rposition(|found| found.matches(&in_group, product_number)) else {
            continue;
        };
        let Some(id) = line.at(line_cart::ID).string() else {
            log(&["seglink: a cart line has no id"]);
            return None;
        };
        let quantity = if reads_quantities { line.at(line_cart::QUANTITY).count().unwrap_or(0) } else { 0 };
        let mut id = Some(id);
        for (index, found) in matches.iter_mut().enumerate().take(last + 1) {
            if !found.matches(&in_group, product_number) {
                continue;
            }
            found.lines.push(u32::try_from(position).unwrap_or(u32::MAX));
            // The last rule to match takes the id itself; the others get copies.
            let id = if index == last { id.take() } else { id.clone() };
            found.line_ids.extend(id);
            found.quantity = found.quantity.saturating_add(quantity);
        }
    }

    // Read after the lines: the subtotal follows them in the input.
    let subtotal = if reads_subtotal {
        let subtotal = cart.at(line_cart::COST).at(money::SUBTOTAL_AMOUNT).at(money::AMOUNT).decimal();
        if subtotal.is_none() {
            log(&["seglink: unreadable cart subtotal"]);
        }
        subtotal
    } else {
        None
    };
    matches.retain(|found| {
        !found.lines.is_empty()
            && found.quantity >= u64::from(found.rule.minimum_quantity.unwrap_or(0))
            && meets_minimum(found.rule, subtotal, rate)
    });
    // Usually one rule matched, and nothing can outdo it.
    let outdone: Vec<bool> = if matches.len() < 2 {
        vec![false; matches.len()]
    } else {
        matches
            .iter()
            .enumerate()
            .map(|(index, found)| {
                matches.iter().enumerate().any(|(other_index, other)| {
                    other_index != index && found.is_outdone_by(other, index < other_index)
                })
            })
            .collect()
    };
    let candidates =
        matches.into_iter().zip(outdone).filter(|(_, outdone)| !outdone).filter_map(|(found, _)| {
            Some(ProductCandidate {
                reduction: reduction(found.rule.value, rate)?,
                line_ids: found.line_ids,
                message: found.rule.title.to_owned(),
            })
        });
    Some(within_output_limit(candidates, line_count))
}

/// Shopify rejects a run whose output is over 20 kB (scaled up for carts over 200 lines), which
/// would cost the buyer every discount; candidates past a safe share of it, lowest priority
/// first, are left out (logged).
fn within_output_limit(
    candidates: impl Iterator<Item = ProductCandidate>,
    line_count: usize,
) -> Vec<ProductCandidate> {
    // Scaled as Shopify scales it: 0.5% of the limit per line above 200.
    let limit = OUTPUT_BUDGET_BYTES * line_count.max(200) / 200;
    let mut used = 0;
    let mut kept = Vec::new();
    for candidate in candidates {
        // JSON bytes of a target (`{"cartLine":{"id":"…"}},`) and of the candidate around them.
        let size =
            candidate.line_ids.iter().map(|id| id.len() + 26).sum::<usize>() + candidate.message.len() + 150;
        if used + size > limit {
            log(&["seglink: left out product discounts to stay within Shopify's output limit"]);
            break;
        }
        used += size;
        kept.push(candidate);
    }
    kept
}

/// The part of Shopify's 20,000-byte output limit product candidates may use, leaving room for
/// the order candidates and the rest of the output.
const OUTPUT_BUDGET_BYTES: usize = 16_000;
