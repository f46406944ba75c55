//! "What would this customer get": a sample cart run through the discount Function itself (the
//! crate that is compiled to Wasm, run natively here) with the input Shopify would build for it,
//! and, rule by rule, why a rule gives nothing. The guest-miss report asks the same question of
//! orders placed as guests.

use std::collections::{HashMap, HashSet};

use discount_rules::{
    Decimal, FunctionConfig, MAX_COLLECTION_GROUPS, Rule, Target, collection_set, segment_tag,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shopify_function::wasm_api::Context;
use ts_rs::TS;

use crate::error::AppError;
use crate::shopify::ShopDomain;
use crate::shopify::admin::Shopify;
use crate::shopify::operations::{ProductCollections, product_collections};

/// Most lines a sample cart holds.
pub const MAX_LINES: usize = 20;
/// The delivery option a sample cart's shipping is priced as.
const SHIPPING_HANDLE: &str = "sample-shipping";

/// A cart line: a product, how many, at what unit price in the shop's currency.
#[derive(Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CartLine {
    /// `gid://shopify/Product/…`.
    pub product_id: String,
    pub quantity: u32,
    #[ts(as = "String")]
    pub price: Decimal,
}

/// A sample cart.
#[derive(Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// The shipping option's price; none when the cart ships free or is picked up.
    #[serde(default)]
    #[ts(as = "Option<String>", optional)]
    pub shipping: Option<Decimal>,
}

/// `POST /api/discount-rules/try`.
#[derive(Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TrialInput {
    pub customer_id: String,
    pub cart: Cart,
}

/// What the Function gives at checkout, and why each rule does or does not.
#[derive(Serialize, TS)]
pub struct Trial {
    /// The discounts Shopify applies: the largest order and product discount, every shipping one.
    pub discounts: Vec<Given>,
    /// Their sum, in the shop's currency.
    pub total_off: String,
    /// Every active rule, in the Function's order, with its outcome.
    pub rules: Vec<RuleOutcome>,
    /// The segment tags the customer holds in Seglink (pushed to Shopify by the segment push).
    pub tags: Vec<String>,
}

/// A discount the Function gives.
#[derive(Serialize, TS)]
pub struct Given {
    /// `order`, `product` or `shipping`.
    pub class: String,
    /// The rule's title, as the buyer sees it.
    pub title: String,
    /// Such as `10%` or `5.00`.
    pub value: String,
    /// What it takes off this cart, in the shop's currency.
    pub amount: String,
}

/// One rule's outcome for the cart.
#[derive(Serialize, TS)]
pub struct RuleOutcome {
    pub rule_id: i64,
    pub title: String,
    pub segment: String,
    /// The Function offered it for this cart.
    pub qualifies: bool,
    /// Why not, in words; or why it was offered but not applied.
    pub reason: Option<String>,
}

/// The cart checked: lines, quantities, at least one line.
pub fn check(cart: &Cart) -> Result<(), AppError> {
    if cart.lines.is_empty() || cart.lines.len() > MAX_LINES {
        return Err(AppError::invalid("/cart/lines", format!("must hold 1 to {MAX_LINES} lines")));
    }
    for (index, line) in cart.lines.iter().enumerate() {
        if product_number(&line.product_id).is_none() {
            return Err(AppError::invalid(
                format!("/cart/lines/{index}/product_id"),
                "must be a product id, gid://shopify/Product/<number>",
            ));
        }
        if !(1..=9_999).contains(&line.quantity) {
            return Err(AppError::invalid(format!("/cart/lines/{index}/quantity"), "must be from 1 to 9999"));
        }
    }
    Ok(())
}

fn product_number(gid: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/Product/")?.parse().ok()
}

/// Runs the cart through the Function for a customer holding `tags`. `collections_of` names the
/// collections of each product in the cart, as Shopify would answer `inAnyCollection`.
pub fn run(
    rules: &[(i64, Rule)],
    tags: &HashSet<String>,
    cart: &Cart,
    collections_of: &HashMap<String, HashSet<String>>,
) -> Result<Trial, AppError> {
    let active: Vec<Rule> = rules.iter().map(|(_, rule)| rule.clone()).collect();
    let config = discount_rules::compile(&active).map_err(|violations| {
        AppError::Unprocessable(format!("the stored rules do not compile: {violations}"))
    })?;
    let subtotal = cart
        .lines
        .iter()
        .fold(Decimal::ZERO, |sum, line| sum.saturating_add(line.price * whole(line.quantity)));
    let (lines_input, delivery_input) = inputs(&config, tags, cart, subtotal, collections_of);
    let lines_output = run_lines(&lines_input)?;
    let delivery_output = match cart.shipping {
        Some(_) => {
            run_target(segment_discount::cart_delivery_options_discounts_generate_run, &delivery_input)?
        }
        None => json!({ "operations": [] }),
    };
    let discounts = given(&lines_output, &delivery_output, cart, subtotal);
    let total_off = discounts
        .iter()
        .filter_map(|given| given.amount.parse::<Decimal>().ok())
        .fold(Decimal::ZERO, Decimal::saturating_add);
    let outcomes = rules
        .iter()
        .filter(|(_, rule)| rule.active)
        .map(|(id, rule)| outcome(*id, rule, tags, cart, subtotal, collections_of, &discounts))
        .collect();
    let mut tags: Vec<String> = tags.iter().cloned().collect();
    tags.sort();
    Ok(Trial { discounts, total_off: money(total_off), rules: outcomes, tags })
}

fn whole(quantity: u32) -> Decimal {
    Decimal::from_parts(u64::from(quantity), 0)
}

/// An amount as money is written: rounded half up to cents, as checkout rounds a discount.
pub fn money(amount: Decimal) -> String {
    let text = amount.to_string();
    let (units, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digit = |index: usize| u128::from(fraction.as_bytes().get(index).map_or(0, |byte| byte - b'0'));
    let units: u128 = units.parse().unwrap_or(0);
    let cents = units.saturating_mul(100) + digit(0) * 10 + digit(1) + u128::from(digit(2) >= 5);
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The discount Function's order and product target (`cart.lines.discounts.generate.run`), run
/// natively on `input`; its output as Shopify reads it.
pub fn run_lines(input: &Value) -> Result<Value, AppError> {
    run_target(segment_discount::cart_lines_discounts_generate_run, input)
}

/// One of the Function's targets, run natively on `input`.
fn run_target<O: shopify_function::wasm_api::Serialize>(
    target: fn(segment_discount::RawInput) -> shopify_function::Result<O>,
    input: &Value,
) -> Result<Value, AppError> {
    function_output(|| {
        shopify_function::run_function_with_input(target, &input.to_string())
            .map(|result| serialized(&result))
    })
}

/// A Function run's output as JSON; a panic inside it is a failure of ours, not a crash.
fn function_output(
    run: impl FnOnce() -> shopify_function::Result<Value> + std::panic::UnwindSafe,
) -> Result<Value, AppError> {
    match std::panic::catch_unwind(run) {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(error)) => {
            Err(AppError::Internal { doing: format!("running the discount Function: {error}"), source: None })
        }
        Err(_) => Err(AppError::Internal {
            doing: "running the discount Function: it panicked".to_owned(),
            source: None,
        }),
    }
}

fn serialized<T: shopify_function::wasm_api::Serialize>(result: &T) -> Value {
    let mut context = Context::new_with_input(Value::Null);
    match result.serialize(&mut context) {
        Ok(()) => context.finalize_output_and_return().unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

/// The two Function inputs, laid out in the order of the input queries, which the Function reads
/// by position.
fn inputs(
    config: &FunctionConfig,
    tags: &HashSet<String>,
    cart: &Cart,
    subtotal: Decimal,
    collections_of: &HashMap<String, HashSet<String>>,
) -> (Value, Value) {
    let held: Vec<bool> = config.rule_tags.iter().map(|tag| tags.contains(tag)).collect();
    let customer = json!({
        "hasAnyTag": held.iter().any(|held| *held),
        "hasTags": held.iter().map(|held| json!({ "hasTag": held })).collect::<Vec<_>>(),
    });
    let buyer = json!({ "buyerIdentity": { "customer": customer } });
    let discount = json!({
        "discountClasses": ["ORDER", "PRODUCT", "SHIPPING"],
        "metafield": { "value": config.to_metafield_json() },
    });
    let subtotal = json!({ "subtotalAmount": { "amount": subtotal.to_string() } });
    let lines: Vec<Value> = cart
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut product = serde_json::Map::new();
            let collections = collections_of.get(&line.product_id);
            for group in 0..MAX_COLLECTION_GROUPS {
                let in_group = config.collection_groups.get(group).is_some_and(|ids| {
                    ids.iter().any(|id| collections.is_some_and(|held| held.contains(id)))
                });
                product.insert(format!("collectionGroup{group}"), in_group.into());
            }
            product.insert("id".to_owned(), line.product_id.clone().into());
            json!({
                "id": format!("gid://shopify/CartLine/{}", index + 1),
                "merchandise": { "product": product },
                "quantity": line.quantity,
            })
        })
        .collect();
    let lines_input = json!({
        "cart": buyer, "discount": discount, "presentmentCurrencyRate": "1.0",
        "lineCart": { "lines": lines, "cost": subtotal },
    });
    let options: Vec<Value> = cart
        .shipping
        .iter()
        .map(|price| json!({ "handle": SHIPPING_HANDLE, "cost": { "amount": price.to_string() } }))
        .collect();
    let delivery_input = json!({
        "cart": buyer, "discount": discount, "presentmentCurrencyRate": "1.0",
        "deliveryCart": { "cost": subtotal, "deliveryGroups": [{ "deliveryOptions": options }] },
    });
    (lines_input, delivery_input)
}

/// What Shopify applies of the Function's candidates: for orders and products the one that
/// takes off most (`MAXIMUM`), for shipping every one (`ALL`).
fn given(lines: &Value, delivery: &Value, cart: &Cart, subtotal: Decimal) -> Vec<Given> {
    let mut given = Vec::new();
    for (operation, class) in [("orderDiscountsAdd", "order"), ("productDiscountsAdd", "product")] {
        let best = candidates(lines, operation)
            .filter(|candidate| conditions_hold(candidate, subtotal))
            .map(|candidate| (amount_off(candidate, class, cart, subtotal), candidate))
            .max_by_key(|(amount, _)| *amount);
        given.extend(best.map(|(amount, candidate)| described(candidate, class, amount)));
    }
    for candidate in candidates(delivery, "deliveryDiscountsAdd") {
        given.push(described(candidate, "shipping", amount_off(candidate, "shipping", cart, subtotal)));
    }
    given
}

fn candidates<'v>(output: &'v Value, operation: &'v str) -> impl Iterator<Item = &'v Value> + 'v {
    output["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(move |op| op[operation]["candidates"].as_array())
        .flatten()
}

/// Shopify applies a candidate only when its conditions hold: the Function leaves an order
/// rule's minimum subtotal to Shopify as an `orderMinimumSubtotal` condition.
fn conditions_hold(candidate: &Value, subtotal: Decimal) -> bool {
    candidate["conditions"].as_array().into_iter().flatten().all(|condition| {
        match condition["orderMinimumSubtotal"]["minimumAmount"].as_str().map(Decimal::parse_rounded) {
            Some(Ok(minimum)) => subtotal >= minimum,
            Some(Err(_)) => false,
            None => true,
        }
    })
}

fn described(candidate: &Value, class: &str, amount: Decimal) -> Given {
    let value = &candidate["value"];
    // `10.0` reads as `10`.
    let number = |text: &str| match text.split_once('.') {
        Some((units, fraction)) if fraction.bytes().all(|digit| digit == b'0') => units.to_owned(),
        _ => text.to_owned(),
    };
    let value = match (value["percentage"]["value"].as_str(), value["fixedAmount"]["amount"].as_str()) {
        (Some(percent), _) => format!("{}%", number(percent)),
        (None, Some(amount)) => money(Decimal::parse_rounded(amount).unwrap_or(Decimal::ZERO)),
        _ => value.to_string(),
    };
    Given {
        class: class.to_owned(),
        title: candidate["message"].as_str().unwrap_or_default().to_owned(),
        value,
        amount: money(amount),
    }
}

/// What a candidate takes off this cart.
fn amount_off(candidate: &Value, class: &str, cart: &Cart, subtotal: Decimal) -> Decimal {
    let value = &candidate["value"];
    let decimal = |text: Option<&str>| text.and_then(|text| Decimal::parse_rounded(text).ok());
    let base = match class {
        "order" => subtotal,
        "shipping" => cart.shipping.unwrap_or(Decimal::ZERO),
        _ => candidate["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|target| target["cartLine"]["id"].as_str())
            .filter_map(|id| id.strip_prefix("gid://shopify/CartLine/")?.parse::<usize>().ok())
            .filter_map(|number| cart.lines.get(number.checked_sub(1)?))
            .fold(Decimal::ZERO, |sum, line| sum.saturating_add(line.price * whole(line.quantity))),
    };
    if let Some(percent) = decimal(value["percentage"]["value"].as_str()) {
        return percent.percent_of(base);
    }
    let amount = decimal(value["fixedAmount"]["amount"].as_str()).unwrap_or(Decimal::ZERO);
    // A fixed amount never takes off more than what it applies to.
    if amount > base { base } else { amount }
}

/// One rule's outcome: offered, or the first condition it fails.
fn outcome(
    id: i64,
    rule: &Rule,
    tags: &HashSet<String>,
    cart: &Cart,
    subtotal: Decimal,
    collections_of: &HashMap<String, HashSet<String>>,
    given: &[Given],
) -> RuleOutcome {
    let applied = given.iter().any(|given| given.title == rule.title);
    let reason = why_not(rule, tags, cart, subtotal, collections_of).or_else(|| {
        (!applied).then(|| {
            let class = format!("{:?}", rule.target.class()).to_lowercase();
            format!("qualifies, but another {class} discount takes off more")
        })
    });
    RuleOutcome {
        rule_id: id,
        title: rule.title.clone(),
        segment: rule.segment.clone(),
        qualifies: applied,
        reason,
    }
}

fn why_not(
    rule: &Rule,
    tags: &HashSet<String>,
    cart: &Cart,
    subtotal: Decimal,
    collections_of: &HashMap<String, HashSet<String>>,
) -> Option<String> {
    let tag = segment_tag(&rule.segment);
    if !tags.contains(&tag) {
        return Some(format!("not a member of `{}` (no tag {tag})", rule.segment));
    }
    let matching: Vec<&CartLine> = match &rule.target {
        Target::OrderSubtotal => cart.lines.iter().collect(),
        Target::Shipping if cart.shipping.is_none() => {
            return Some("the cart has no shipping to discount".to_owned());
        }
        Target::Shipping => cart.lines.iter().collect(),
        Target::Collections(ids) => {
            let wanted: HashSet<String> = collection_set(ids).into_iter().collect();
            cart.lines
                .iter()
                .filter(|line| {
                    collections_of.get(&line.product_id).is_some_and(|held| !held.is_disjoint(&wanted))
                })
                .collect()
        }
        Target::Products(ids) => cart.lines.iter().filter(|line| ids.contains(&line.product_id)).collect(),
    };
    if matching.is_empty() {
        return Some(match &rule.target {
            Target::Collections(_) => "no line of the cart is in the chosen collections".to_owned(),
            _ => "no line of the cart is one of the chosen products".to_owned(),
        });
    }
    if let Some(minimum) = rule.minimum_subtotal
        && subtotal < minimum
    {
        return Some(format!(
            "the cart's subtotal {} is under the minimum {}",
            money(subtotal),
            money(minimum)
        ));
    }
    let quantity: u64 = matching.iter().map(|line| u64::from(line.quantity)).sum();
    if let Some(minimum) = rule.minimum_quantity
        && quantity < u64::from(minimum)
    {
        return Some(format!("{quantity} matching items, under the minimum {minimum}"));
    }
    None
}

/// Adds to `known` the collections of each product of the cart not in it yet, asked of Shopify,
/// when an active rule is on collections.
pub async fn collections(
    shopify: &Shopify,
    shop: &ShopDomain,
    rules: &[(i64, Rule)],
    cart: &Cart,
    known: &mut HashMap<String, HashSet<String>>,
) -> Result<(), AppError> {
    let needed = rules.iter().any(|(_, rule)| rule.active && matches!(rule.target, Target::Collections(_)));
    if !needed {
        return Ok(());
    }
    for line in &cart.lines {
        if known.contains_key(&line.product_id) {
            continue;
        }
        let variables = product_collections::Variables { id: line.product_id.clone() };
        let product = shopify.run::<ProductCollections>(shop, variables).await?.product;
        let ids = product
            .map(|product| product.collections.nodes.into_iter().map(|collection| collection.id).collect())
            .unwrap_or_default();
        known.insert(line.product_id.clone(), ids);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use discount_rules::Decimal;

    use super::money;

    #[test]
    fn money_is_rounded_half_up_to_cents() {
        let cases = [
            ("16.998", "17.00"),
            ("2", "2.00"),
            ("2.5", "2.50"),
            ("0.004", "0.00"),
            ("0.005", "0.01"),
            ("9.995", "10.00"),
        ];
        for (amount, written) in cases {
            assert_eq!(money(amount.parse::<Decimal>().unwrap()), written, "{amount}");
        }
    }
}
