//! The cart-lines target: order and product discounts.

use discount_rules::{Decimal, Rule, Target, compile};
use serde_json::{Value, json};

use super::carts::{Buyer, Checkout, Line, fixed, percent, rule};
use super::support::run_lines;

pub fn amount(text: &str) -> Option<Decimal> {
    Some(Decimal::parse(text).unwrap())
}

pub fn collections(ids: &[u64]) -> Target {
    Target::Collections(ids.iter().map(|id| format!("gid://shopify/Collection/{id}")).collect())
}

fn products(ids: &[u64]) -> Target {
    Target::Products(ids.iter().map(|id| format!("gid://shopify/Product/{id}")).collect())
}

const SALE: &str = "gid://shopify/Collection/10";

/// A line of product `product` for 10.00 each, in the sale collection or not.
fn line(n: usize, product: u64, on_sale: bool, quantity: u32) -> Line {
    let collections: &[&str] = if on_sale { &[SALE] } else { &[] };
    let subtotal = Decimal::from_parts(1000 * u64::from(quantity), 2).to_string();
    Line::of(n, product, collections, quantity, &subtotal)
}

fn vip_order_15() -> Rule {
    rule("vip", "VIP 15% off", percent("15"), Target::OrderSubtotal)
}

fn order_candidate(title: &str, value: Value) -> Value {
    json!({
        "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
        "value": value,
        "message": title,
    })
}

#[test]
fn a_guest_gets_no_discount() {
    let config = compile(&[vip_order_15()]).unwrap();
    let mut checkout = Checkout::new(&config, &[]);
    checkout.buyer = Buyer::Guest;
    let run = run_lines(&checkout.lines_input(&[line(0, 1, true, 1)]));
    assert_eq!(run.output, json!({ "operations": [] }));
    assert!(run.logs.is_empty(), "{:?}", run.logs);
}

#[test]
fn a_customer_without_a_rule_tag_gets_no_discount() {
    let config = compile(&[vip_order_15()]).unwrap();
    let checkout = Checkout::new(&config, &["newsletter", "seglink:other"]);
    let run = run_lines(&checkout.lines_input(&[line(0, 1, true, 1)]));
    assert_eq!(run.output, json!({ "operations": [] }));
}

#[test]
fn a_member_gets_their_segments_order_discount() {
    let config = compile(&[vip_order_15()]).unwrap();
    let checkout = Checkout::new(&config, &["seglink:vip"]);
    let run = run_lines(&checkout.lines_input(&[line(0, 1, false, 2)]));
    assert_eq!(
        run.output,
        json!({ "operations": [{ "orderDiscountsAdd": {
            "selectionStrategy": "MAXIMUM",
            "candidates": [order_candidate("VIP 15% off", json!({ "percentage": { "value": "15.0" } }))],
        } }] })
    );
}

#[test]
fn rules_with_different_minimums_compete_under_maximum_highest_priority_first() {
    let ten = Rule { priority: 1, ..rule("vip", "10% off", percent("10"), Target::OrderSubtotal) };
    let twenty_over = Rule {
        minimum_subtotal: amount("150"),
        priority: 5,
        ..rule("vip", "$20 off over $150", fixed("20"), Target::OrderSubtotal)
    };
    let config = compile(&[ten, twenty_over]).unwrap();
    let run = run_lines(&Checkout::new(&config, &["seglink:vip"]).lines_input(&[line(0, 1, false, 1)]));
    assert_eq!(
        run.candidates("orderDiscountsAdd"),
        &vec![
            json!({
                "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
                "value": { "fixedAmount": { "amount": "20.0" } },
                "conditions": [{ "orderMinimumSubtotal": { "excludedCartLineIds": [], "minimumAmount": "150.0" } }],
                "message": "$20 off over $150",
            }),
            order_candidate("10% off", json!({ "percentage": { "value": "10.0" } })),
        ]
    );
}

#[test]
fn a_rule_another_always_beats_is_left_out_and_ties_go_to_priority() {
    let rules = [
        Rule { priority: 3, ..rule("vip", "10% for VIPs", percent("10"), Target::OrderSubtotal) },
        Rule { priority: 2, ..rule("loyal", "15% for loyal", percent("15"), Target::OrderSubtotal) },
        Rule { priority: 1, ..rule("vip", "15% again", percent("15"), Target::OrderSubtotal) },
        Rule {
            minimum_subtotal: amount("100"),
            ..rule("vip", "12% over $100", percent("12"), Target::OrderSubtotal)
        },
    ];
    let config = compile(&rules).unwrap();
    let checkout = Checkout::new(&config, &["seglink:vip", "seglink:loyal"]);
    let run = run_lines(&checkout.lines_input(&[line(0, 1, false, 1)]));
    let titles: Vec<&str> =
        run.candidates("orderDiscountsAdd").iter().map(|c| c["message"].as_str().unwrap()).collect();
    assert_eq!(titles, ["15% for loyal"]);
}

#[test]
fn fixed_amounts_convert_to_the_buyers_currency_and_minimums_stay_in_the_shops() {
    let rule = Rule {
        minimum_subtotal: amount("100"),
        ..rule("vip", "$20 off", fixed("20"), Target::OrderSubtotal)
    };
    let config = compile(&[rule]).unwrap();
    let mut checkout = Checkout::new(&config, &["seglink:vip"]);
    checkout.rate = "1.3654321";
    let run = run_lines(&checkout.lines_input(&[line(0, 1, false, 1)]));
    let candidate = &run.candidates("orderDiscountsAdd")[0];
    // The rate is kept to six decimals (1.365432), as every decimal is.
    assert_eq!(candidate["value"], json!({ "fixedAmount": { "amount": "27.30864" } }));
    assert_eq!(candidate["conditions"][0]["orderMinimumSubtotal"]["minimumAmount"], "100.0");
}

#[test]
fn a_fixed_amount_without_a_readable_rate_is_skipped_with_a_log_line() {
    let rules = [
        rule("vip", "$20 off", fixed("20"), Target::OrderSubtotal),
        rule("vip", "5% off", percent("5"), Target::OrderSubtotal),
    ];
    let config = compile(&rules).unwrap();
    let mut checkout = Checkout::new(&config, &["seglink:vip"]);
    checkout.rate = "not a number";
    let run = run_lines(&checkout.lines_input(&[line(0, 1, false, 1)]));
    let titles: Vec<&str> =
        run.candidates("orderDiscountsAdd").iter().map(|c| c["message"].as_str().unwrap()).collect();
    assert_eq!(titles, ["5% off"]);
    assert_eq!(run.logs, ["seglink: unreadable presentmentCurrencyRate\n"]);
}

fn line_ids(candidate: &Value) -> Vec<&str> {
    candidate["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|target| target["cartLine"]["id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_collection_rule_discounts_only_the_lines_in_its_collections() {
    let config = compile(&[rule("vip", "Sale: 20% off", percent("20"), collections(&[10]))]).unwrap();
    let mut custom = line(3, 4, true, 1);
    custom.product = None;
    let cart = [line(0, 1, true, 1), line(1, 2, false, 1), line(2, 3, true, 2), custom];
    let run = run_lines(&Checkout::new(&config, &["seglink:vip"]).lines_input(&cart));
    assert_eq!(
        run.output,
        json!({ "operations": [{ "productDiscountsAdd": {
            "selectionStrategy": "MAXIMUM",
            "candidates": [{
                "targets": [
                    { "cartLine": { "id": "gid://shopify/CartLine/0" } },
                    { "cartLine": { "id": "gid://shopify/CartLine/2" } },
                ],
                "value": { "percentage": { "value": "20.0" } },
                "message": "Sale: 20% off",
            }],
        } }] })
    );
}

#[test]
fn a_product_rule_discounts_its_listed_products_sharing_a_fixed_amount() {
    let config = compile(&[rule("vip", "$5 off tees", fixed("5"), products(&[2, 3]))]).unwrap();
    let mut checkout = Checkout::new(&config, &["seglink:vip"]);
    checkout.rate = "2";
    let cart = [line(0, 1, true, 1), line(1, 2, false, 1), line(2, 3, true, 1), line(3, 23, false, 1)];
    let run = run_lines(&checkout.lines_input(&cart));
    let candidate = &run.candidates("productDiscountsAdd")[0];
    assert_eq!(line_ids(candidate), ["gid://shopify/CartLine/1", "gid://shopify/CartLine/2"]);
    assert_eq!(
        candidate["value"],
        json!({ "fixedAmount": { "amount": "10.0", "appliesToEachItem": false } })
    );
}

#[test]
fn a_minimum_quantity_counts_items_on_the_matching_lines_only() {
    let minimum_three =
        Rule { minimum_quantity: Some(3), ..rule("vip", "3+ sale items", percent("20"), collections(&[10])) };
    let config = compile(&[minimum_three]).unwrap();
    let checkout = Checkout::new(&config, &["seglink:vip"]);

    let short = [line(0, 1, true, 2), line(1, 2, false, 5)];
    assert_eq!(run_lines(&checkout.lines_input(&short)).output, json!({ "operations": [] }));

    let enough = [line(0, 1, true, 2), line(1, 2, false, 5), line(2, 3, true, 1)];
    let run = run_lines(&checkout.lines_input(&enough));
    assert_eq!(
        line_ids(&run.candidates("productDiscountsAdd")[0]),
        ["gid://shopify/CartLine/0", "gid://shopify/CartLine/2"]
    );
}

#[test]
fn a_minimum_subtotal_is_on_the_order_in_the_shops_currency() {
    let over_fifty = Rule {
        minimum_subtotal: amount("50"),
        ..rule("vip", "Sale over $50", percent("20"), collections(&[10]))
    };
    let config = compile(&[over_fifty]).unwrap();
    let mut checkout = Checkout::new(&config, &["seglink:vip"]);
    checkout.rate = "2";
    // 60.00 in the buyer's currency is 30.00 in the shop's: under the minimum.
    let cart = [line(0, 1, true, 1), line(1, 2, false, 5)];
    assert_eq!(run_lines(&checkout.lines_input(&cart)).output, json!({ "operations": [] }));
    checkout.rate = "1";
    let run = run_lines(&checkout.lines_input(&cart));
    assert_eq!(line_ids(&run.candidates("productDiscountsAdd")[0]), ["gid://shopify/CartLine/0"]);
}

#[test]
fn product_rules_on_the_same_lines_keep_only_the_best() {
    let rules = [
        Rule { priority: 9, ..rule("vip", "10% off the sale", percent("10"), collections(&[10])) },
        rule("loyal", "25% off the sale", percent("25"), collections(&[10])),
        rule("vip", "5% off one tee", percent("5"), products(&[1])),
        rule("loyal", "$3 off one tee", fixed("3"), products(&[1])),
    ];
    let config = compile(&rules).unwrap();
    let checkout = Checkout::new(&config, &["seglink:vip", "seglink:loyal"]);
    let run = run_lines(&checkout.lines_input(&[line(0, 1, true, 1), line(1, 2, true, 1)]));
    let titles: Vec<&str> =
        run.candidates("productDiscountsAdd").iter().map(|c| c["message"].as_str().unwrap()).collect();
    assert_eq!(titles, ["25% off the sale", "$3 off one tee"]);
}

#[test]
fn only_the_discounts_classes_are_emitted() {
    let rules = [vip_order_15(), rule("vip", "Sale", percent("20"), collections(&[10]))];
    let config = compile(&rules).unwrap();
    let cart = [line(0, 1, true, 1)];
    let kinds = |classes: &'static [&'static str]| {
        let mut checkout = Checkout::new(&config, &["seglink:vip"]);
        checkout.classes = classes;
        let run = run_lines(&checkout.lines_input(&cart));
        run.operations()
            .iter()
            .map(|op| op.as_object().unwrap().keys().next().unwrap().clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&["ORDER", "PRODUCT", "SHIPPING"]), ["orderDiscountsAdd", "productDiscountsAdd"]);
    assert_eq!(kinds(&["ORDER"]), ["orderDiscountsAdd"]);
    assert_eq!(kinds(&["PRODUCT", "SHIPPING"]), ["productDiscountsAdd"]);
    assert_eq!(kinds(&["SHIPPING"]), Vec::<String>::new());
    assert_eq!(kinds(&[]), Vec::<String>::new());
}

#[test]
fn a_missing_malformed_or_oversized_config_gives_nothing_and_one_log_line() {
    let config = compile(&[vip_order_15()]).unwrap();
    let cart = [line(0, 1, false, 1)];
    let cases: [(Option<String>, &str); 5] = [
        (None, "seglink: the discount has no config metafield\n"),
        (Some("{not json".to_owned()), "seglink: metafield is not valid JSON\n"),
        (Some(r#"{"config":"seglink9 1 0 0"}"#.to_owned()), "seglink: config has an unknown format\n"),
        (
            Some(config.to_metafield_json().replace("%15 o", "%1x o")),
            "seglink: config rule is malformed (rule 1)\n",
        ),
        (
            Some(format!(r#"{{"config":"{}"}}"#, "x".repeat(10_001))),
            "seglink: config is 10014 bytes, over Shopify's limit\n",
        ),
    ];
    for (metafield, log) in cases {
        let mut checkout = Checkout::new(&config, &["seglink:vip"]);
        checkout.metafield = metafield;
        // Shopify resolves the tags from the real variables, whatever the config says.
        checkout.buyer = Buyer::Customer(&["seglink:vip"]);
        let input = checkout.lines_input(&cart);
        let input = with_held_tags(input, &[true]);
        let run = run_lines(&input);
        assert_eq!(run.output, json!({ "operations": [] }), "{log}");
        assert_eq!(run.logs, [log]);
    }
}

/// The input with `hasAnyTag`/`hasTags` set as Shopify would for these held tags.
fn with_held_tags(mut input: Value, held: &[bool]) -> Value {
    let customer = &mut input["cart"]["buyerIdentity"]["customer"];
    customer["hasAnyTag"] = held.iter().any(|&h| h).into();
    customer["hasTags"] = held.iter().map(|&h| json!({ "hasTag": h })).collect();
    input
}

#[test]
fn tags_that_disagree_with_the_config_give_nothing_and_a_log_line() {
    let rules = [vip_order_15(), rule("loyal", "Loyal 5%", percent("5"), Target::OrderSubtotal)];
    let config = compile(&rules).unwrap();
    let input = Checkout::new(&config, &["seglink:vip"]).lines_input(&[line(0, 1, false, 1)]);
    let run = run_lines(&with_held_tags(input, &[true, false, false]));
    assert_eq!(run.output, json!({ "operations": [] }));
    assert_eq!(run.logs, ["seglink: config names 2 tags, the input 3\n"]);
}

#[test]
fn twenty_five_rules_give_each_buyer_the_best_of_their_own() {
    let rules: Vec<Rule> = (0..25)
        .map(|index| {
            let segment = format!("segment-{index}");
            let value = percent(&(index + 1).to_string());
            if index % 2 == 0 {
                rule(&segment, &format!("{}% off orders", index + 1), value, Target::OrderSubtotal)
            } else {
                rule(&segment, &format!("{}% off the sale", index + 1), value, collections(&[10]))
            }
        })
        .collect();
    let config = compile(&rules).unwrap();
    let cart = [line(0, 1, true, 1), line(1, 2, false, 1)];

    let run = run_lines(
        &Checkout::new(&config, &["seglink:segment-4", "seglink:segment-7", "seglink:segment-2"])
            .lines_input(&cart),
    );
    assert_eq!(run.candidates("orderDiscountsAdd")[0]["message"], "5% off orders");
    assert_eq!(run.candidates("orderDiscountsAdd").len(), 1);
    assert_eq!(run.candidates("productDiscountsAdd")[0]["message"], "8% off the sale");

    let every: Vec<String> = rules.iter().map(Rule::segment_tag).collect();
    let every: Vec<&str> = every.iter().map(String::as_str).collect();
    let run = run_lines(&Checkout::new(&config, &every).lines_input(&cart));
    assert_eq!(run.candidates("orderDiscountsAdd")[0]["message"], "25% off orders");
    assert_eq!(run.candidates("productDiscountsAdd")[0]["message"], "24% off the sale");
}

#[test]
fn a_two_hundred_line_cart_gets_every_matching_line() {
    let config = compile(&[rule("vip", "Sale: 20% off", percent("20"), collections(&[10]))]).unwrap();
    let cart: Vec<Line> = (0..200).map(|n| line(n, n as u64 + 1, n % 2 == 0, 1)).collect();
    let run = run_lines(&Checkout::new(&config, &["seglink:vip"]).lines_input(&cart));
    let ids = line_ids(&run.candidates("productDiscountsAdd")[0]);
    assert_eq!(ids.len(), 100);
    assert_eq!(ids[99], "gid://shopify/CartLine/198");
    assert!(run.output.to_string().len() < 20_000);
}

#[test]
fn candidates_past_shopifys_output_limit_are_left_out_lowest_priority_first() {
    // Fixed amounts on different lines cannot outdo each other, so all would be written.
    let rules: Vec<Rule> = (0..8)
        .map(|index| Rule {
            priority: 10 - index,
            ..rule(
                "vip",
                &format!("Rule {index}"),
                fixed(&(index + 1).to_string()),
                products(&[u64::from(index) + 1, 100]),
            )
        })
        .collect();
    let config = compile(&rules).unwrap();
    let cart: Vec<Line> =
        (0..200).map(|n| line(n, if n < 8 { n as u64 + 1 } else { 100 }, false, 1)).collect();
    let run = run_lines(&Checkout::new(&config, &["seglink:vip"]).lines_input(&cart));
    let kept = run.candidates("productDiscountsAdd");
    assert!(kept.len() < 8, "{}", kept.len());
    let titles: Vec<&str> = kept.iter().map(|c| c["message"].as_str().unwrap()).collect();
    assert_eq!(titles, (0..kept.len()).map(|i| format!("Rule {i}")).collect::<Vec<_>>());
    assert!(run.output.to_string().len() < 20_000, "{}", run.output.to_string().len());
    assert_eq!(run.logs, ["seglink: left out product discounts to stay within Shopify's output limit\n"]);
}
