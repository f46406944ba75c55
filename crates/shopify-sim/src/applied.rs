//! What a checkout takes off for a discount Function's `cart.lines.discounts.generate.run`
//! output: for each operation, the candidate its selection strategy picks among those whose
//! conditions the cart meets (`MAXIMUM`: the largest amount; `FIRST`: the first), product
//! discounts before the order discount, which applies to what the lines cost after them
//! (shopify.dev "Discount Function API", "Combining discounts").

use serde_json::Value;

/// One cart line as the Function saw it.
pub struct PricedLine<'a> {
    /// Its id in the Function's input (`gid://shopify/CartLine/1`).
    pub id: &'a str,
    /// Quantity × unit price, in minor units.
    pub subtotal_cents: u64,
}

/// A discount the checkout applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The candidate's message, as the buyer sees it.
    pub message: String,
    /// How much it takes off, in minor units.
    pub cents: u64,
    /// `order` or `product`.
    pub class: &'static str,
}

/// A candidate the checkout passed over, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassedOver {
    /// The candidate's message.
    pub message: String,
    /// Why, in words.
    pub reason: String,
}

/// The discounts `output` gives `lines`, and the candidates left out.
pub fn apply(output: &Value, lines: &[PricedLine<'_>]) -> (Vec<Applied>, Vec<PassedOver>) {
    let mut applied = Vec::new();
    let mut passed = Vec::new();
    let operations: Vec<&Value> = output["operations"].as_array().into_iter().flatten().collect();
    for operation in operations.iter().filter_map(|operation| operation.get("productDiscountsAdd")) {
        let choice = choose(operation, &mut passed, |candidate| {
            let targeted: u64 = candidate["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|target| target["cartLine"]["id"].as_str())
                .filter_map(|id| lines.iter().find(|line| line.id == id))
                .map(|line| line.subtotal_cents)
                .sum();
            Ok(reduction(&candidate["value"], targeted))
        });
        if let Some((message, cents)) = choice {
            applied.push(Applied { message, cents, class: "product" });
        }
    }
    let subtotal: u64 = lines.iter().map(|line| line.subtotal_cents).sum();
    let after_products = subtotal.saturating_sub(applied.iter().map(|discount| discount.cents).sum());
    for operation in operations.iter().filter_map(|operation| operation.get("orderDiscountsAdd")) {
        let choice = choose(operation, &mut passed, |candidate| {
            let minimum = candidate["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|condition| condition["orderMinimumSubtotal"]["minimumAmount"].as_str())
                .filter_map(hundredths_of)
                .max();
            match minimum {
                Some(minimum) if after_products < minimum => {
                    Err(format!("the subtotal is under its minimum of {}", crate::money::amount(minimum)))
                }
                _ => Ok(reduction(&candidate["value"], after_products)),
            }
        });
        if let Some((message, cents)) = choice {
            applied.push(Applied { message, cents, class: "order" });
        }
    }
    (applied, passed)
}

/// The candidate an operation's strategy picks; the others go to `passed` with their reason.
fn choose(
    operation: &Value,
    passed: &mut Vec<PassedOver>,
    amount: impl Fn(&Value) -> Result<u64, String>,
) -> Option<(String, u64)> {
    let first_only = operation["selectionStrategy"].as_str() == Some("FIRST");
    let mut best: Option<(String, u64)> = None;
    for candidate in operation["candidates"].as_array().into_iter().flatten() {
        let message = candidate["message"].as_str().unwrap_or_default().to_owned();
        match amount(candidate) {
            Err(reason) => passed.push(PassedOver { message, reason }),
            Ok(cents) => match &best {
                Some((_, best_cents)) if first_only || *best_cents >= cents => passed.push(PassedOver {
                    message,
                    reason: if first_only { "another came first" } else { "a larger one applies" }.to_owned(),
                }),
                _ => {
                    if let Some((message, _)) = best.take() {
                        passed.push(PassedOver { message, reason: "a larger one applies".to_owned() });
                    }
                    best = Some((message, cents));
                }
            },
        }
    }
    best
}

/// What `{percentage}` or `{fixedAmount}` takes off `base` cents, never more than `base`.
fn reduction(value: &Value, base: u64) -> u64 {
    let off = if let Some(percent) = value["percentage"]["value"].as_str().and_then(hundredths_of) {
        // Half up, to the cent: base × percent / 100, with percent in hundredths.
        (u128::from(base) * u128::from(percent) + 5_000) / 10_000
    } else {
        value["fixedAmount"]["amount"].as_str().and_then(hundredths_of).map_or(0, u128::from)
    };
    u64::try_from(off).unwrap_or(u64::MAX).min(base)
}

/// `12.5` as 1250: a non-negative decimal in hundredths (a percentage, or money in minor units),
/// the rest cut off.
fn hundredths_of(decimal: &str) -> Option<u64> {
    let (whole, fraction) = decimal.split_once('.').unwrap_or((decimal, ""));
    if whole.is_empty() || !whole.bytes().chain(fraction.bytes()).all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let cents: String = fraction.chars().chain(std::iter::repeat('0')).take(2).collect();
    whole.parse::<u64>().ok()?.checked_mul(100)?.checked_add(cents.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn lines() -> Vec<PricedLine<'static>> {
        vec![
            PricedLine { id: "gid://shopify/CartLine/1", subtotal_cents: 10_000 },
            PricedLine { id: "gid://shopify/CartLine/2", subtotal_cents: 2_999 },
        ]
    }

    #[test]
    fn the_largest_order_candidate_applies_and_the_others_say_why_not() {
        let output = json!({ "operations": [{ "orderDiscountsAdd": { "selectionStrategy": "MAXIMUM", "candidates": [
            { "message": "VIP 15%", "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
              "value": { "percentage": { "value": "15" } } },
            { "message": "Big spenders 20%", "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
              "value": { "percentage": { "value": "20.0" } },
              "conditions": [{ "orderMinimumSubtotal": { "minimumAmount": "200.00", "excludedCartLineIds": [] } }] },
            { "message": "5 off", "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
              "value": { "fixedAmount": { "amount": "5" } } },
        ] } }] });
        let (applied, passed) = apply(&output, &lines());
        // 15% of 129.99 is 19.4985: 19.50, half up.
        assert_eq!(applied, vec![Applied { message: "VIP 15%".to_owned(), cents: 1_950, class: "order" }]);
        assert_eq!(
            passed,
            vec![
                PassedOver {
                    message: "Big spenders 20%".to_owned(),
                    reason: "the subtotal is under its minimum of 200.00".to_owned()
                },
                PassedOver { message: "5 off".to_owned(), reason: "a larger one applies".to_owned() },
            ]
        );
    }

    #[test]
    fn product_discounts_come_first_and_the_order_discount_applies_to_what_is_left() {
        let output = json!({ "operations": [
            { "orderDiscountsAdd": { "selectionStrategy": "MAXIMUM", "candidates": [
                { "message": "10%", "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
                  "value": { "percentage": { "value": "10" } } }] } },
            { "productDiscountsAdd": { "selectionStrategy": "MAXIMUM", "candidates": [
                { "message": "Mugs 50 off", "targets": [{ "cartLine": { "id": "gid://shopify/CartLine/2" } }],
                  "value": { "fixedAmount": { "amount": "50.00", "appliesToEachItem": false } } }] } },
        ] });
        let (applied, passed) = apply(&output, &lines());
        assert!(passed.is_empty());
        // The fixed amount is capped at the line's 29.99; the order's 10% is of 100.00.
        assert_eq!(
            applied,
            vec![
                Applied { message: "Mugs 50 off".to_owned(), cents: 2_999, class: "product" },
                Applied { message: "10%".to_owned(), cents: 1_000, class: "order" },
            ]
        );
    }

    #[test]
    fn no_operations_take_nothing_off_and_bad_numbers_take_nothing() {
        assert_eq!(apply(&json!({ "operations": [] }), &lines()), (Vec::new(), Vec::new()));
        assert_eq!(reduction(&json!({ "percentage": { "value": "-5" } }), 1_000), 0);
        assert_eq!(reduction(&json!({ "fixedAmount": { "amount": "1e3" } }), 1_000), 0);
        assert_eq!(reduction(&json!({ "percentage": { "value": "150" } }), 1_000), 1_000);
    }
}
