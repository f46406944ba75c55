//! The delivery-options target: shipping discounts.

use discount_rules::{Rule, Target, compile};
use serde_json::{Value, json};

use super::cart_lines::amount;
use super::carts::{Buyer, Checkout, fixed, percent, rule};
use super::support::run_delivery;

fn shipping(segment: &str, title: &str, value: discount_rules::DiscountValue) -> Rule {
    rule(segment, title, value, Target::Shipping)
}

fn picks(run: &super::support::Run) -> Vec<(String, String)> {
    run.candidates("deliveryDiscountsAdd")
        .iter()
        .map(|candidate| {
            let handle = candidate["targets"][0]["deliveryOption"]["handle"].as_str().unwrap().to_owned();
            (handle, candidate["message"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn a_guest_gets_no_shipping_discount() {
    let config = compile(&[shipping("vip", "Free shipping", percent("100"))]).unwrap();
    let mut checkout = Checkout::new(&config, &[]);
    checkout.buyer = Buyer::Guest;
    let run = run_delivery(&checkout.delivery_input("80.00", &[&[("standard", "5.00")]]));
    assert_eq!(run.output, json!({ "operations": [] }));
}

#[test]
fn a_member_over_the_minimum_gets_free_shipping_on_every_option() {
    let free =
        Rule { minimum_subtotal: amount("50"), ..shipping("vip", "Free shipping over $50", percent("100")) };
    let config = compile(&[free]).unwrap();
    let checkout = Checkout::new(&config, &["seglink:vip"]);
    let groups: [&[(&str, &str)]; 2] = [&[("standard", "5.00"), ("express", "15.00")], &[("pickup", "0.00")]];
    let run = run_delivery(&checkout.delivery_input("80.00", &groups));
    let candidates: Vec<Value> = ["standard", "express"]
        .map(|handle| {
            json!({
                "targets": [{ "deliveryOption": { "handle": handle } }],
                "value": { "percentage": { "value": "100.0" } },
                "message": "Free shipping over $50",
            })
        })
        .into();
    assert_eq!(
        run.output,
        json!({ "operations": [{ "deliveryDiscountsAdd": { "selectionStrategy": "ALL", "candidates": candidates } }] })
    );
    assert_eq!(run_delivery(&checkout.delivery_input("49.99", &groups)).output, json!({ "operations": [] }));
}

#[test]
fn each_option_gets_the_rule_that_takes_most_off_its_price() {
    let rules = [
        Rule { priority: 2, ..shipping("vip", "$10 off shipping", fixed("10")) },
        shipping("vip", "20% off shipping", percent("20")),
        Rule { priority: 1, ..shipping("loyal", "$4 off shipping", fixed("4")) },
    ];
    let config = compile(&rules).unwrap();
    let checkout = Checkout::new(&config, &["seglink:vip", "seglink:loyal"]);
    let groups: [&[(&str, &str)]; 1] = [&[("cheap", "4.00"), ("mid", "20.00"), ("dear", "100.00")]];
    let run = run_delivery(&checkout.delivery_input("10.00", &groups));
    // 4.00: $10 and $4 both take it all, the higher priority wins; 20.00: $10 beats 20%;
    // 100.00: 20% beats $10.
    assert_eq!(
        picks(&run),
        [("cheap", "$10 off shipping"), ("mid", "$10 off shipping"), ("dear", "20% off shipping")]
            .map(|(handle, title)| (handle.to_owned(), title.to_owned()))
    );
}

#[test]
fn fixed_shipping_discounts_use_the_presentment_rate() {
    let config = compile(&[shipping("vip", "$5 off shipping", fixed("5"))]).unwrap();
    let mut checkout = Checkout::new(&config, &["seglink:vip"]);
    checkout.rate = "0.5";
    let run = run_delivery(&checkout.delivery_input("10.00", &[&[("standard", "8.00")]]));
    let value: &Value = &run.candidates("deliveryDiscountsAdd")[0]["value"];
    assert_eq!(value, &json!({ "fixedAmount": { "amount": "2.5" } }));
}

#[test]
fn without_the_shipping_class_there_is_no_shipping_discount() {
    let config = compile(&[shipping("vip", "Free shipping", percent("100"))]).unwrap();
    let mut checkout = Checkout::new(&config, &["seglink:vip"]);
    checkout.classes = &["ORDER", "PRODUCT"];
    let run = run_delivery(&checkout.delivery_input("80.00", &[&[("standard", "5.00")]]));
    assert_eq!(run.output, json!({ "operations": [] }));
}

#[test]
fn order_and_product_rules_give_no_shipping_discount() {
    let rules = [rule("vip", "VIP 15% off", percent("15"), Target::OrderSubtotal)];
    let config = compile(&rules).unwrap();
    let run = run_delivery(
        &Checkout::new(&config, &["seglink:vip"]).delivery_input("80.00", &[&[("standard", "5.00")]]),
    );
    assert_eq!(run.output, json!({ "operations": [] }));
}
