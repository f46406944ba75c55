//! The Function's side of the contract in `tests/fixtures/discount-config.json`: the metafield
//! `discount-rules` writes for those rules gives each segment its discount.

use serde_json::{Value, json};

use discount_rules::FunctionConfig;

use super::carts::{Checkout, Line};
use super::support::{run_delivery, run_lines};

const FIXTURE: &str = include_str!("../../../../tests/fixtures/discount-config.json");

fn fixture_config() -> FunctionConfig {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    FunctionConfig::from_metafield_json(fixture["metafield"].as_str().unwrap()).unwrap()
}

fn titles(run: &super::support::Run, kind: &str) -> Vec<String> {
    run.candidates(kind).iter().map(|c| c["message"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn vips_get_their_order_discounts_and_free_shipping_over_fifty() {
    let config = fixture_config();
    let checkout = Checkout::new(&config, &["seglink:vip"]);
    let run = run_lines(&checkout.lines_input(&[Line::of(0, 1, &[], 1, "60.00")]));
    assert_eq!(titles(&run, "orderDiscountsAdd"), ["VIP 15% off", "VIP $20 off orders over $150"]);
    let shipping = run_delivery(&checkout.delivery_input("60.00", &[&[("standard", "6.00")]]));
    assert_eq!(titles(&shipping, "deliveryDiscountsAdd"), ["VIP free shipping over $50"]);
}

#[test]
fn wholesale_buyers_get_the_range_discount_from_three_items() {
    let config = fixture_config();
    let checkout = Checkout::new(&config, &["seglink:wholesale"]);
    let range = "gid://shopify/Collection/1002";
    let two = [Line::of(0, 1, &[range], 2, "20.00"), Line::of(1, 2, &[], 5, "50.00")];
    assert_eq!(run_lines(&checkout.lines_input(&two)).output, json!({ "operations": [] }));
    let three = [Line::of(0, 1, &[range], 2, "20.00"), Line::of(1, 3, &[range], 1, "10.00")];
    let run = run_lines(&checkout.lines_input(&three));
    assert_eq!(titles(&run, "productDiscountsAdd"), ["Wholesale: 20% off 3+ items from the range"]);
}

#[test]
fn loyal_buyers_get_five_off_the_classic_tee_with_its_quoted_title() {
    let config = fixture_config();
    let checkout = Checkout::new(&config, &["seglink:loyal", "seglink:lapsed"]);
    let run = run_lines(
        &checkout.lines_input(&[Line::of(0, 2001, &[], 1, "25.00"), Line::of(1, 2002, &[], 1, "25.00")]),
    );
    assert_eq!(titles(&run, "productDiscountsAdd"), ["Loyal \"Classic\" tee: $5 off"]);
    assert!(run.output.get("orderDiscountsAdd").is_none(), "the inactive lapsed rule must not apply");
}
