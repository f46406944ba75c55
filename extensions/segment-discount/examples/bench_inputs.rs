//! Writes the benchmark's Function inputs (see `bench/function.sh`): carts of 1, 50 and 200
//! lines against 1 and 25 rules, for guests, untagged and tagged buyers.
//!
//! Usage: `cargo run -p segment-discount --example bench_inputs -- <dir>`

#[path = "../src/tests/carts.rs"]
#[expect(dead_code, reason = "shared with the tests, which use all of it")]
mod carts;

use std::path::PathBuf;

use carts::{Buyer, Checkout, Line};
use discount_rules::{Decimal, DiscountValue, Rule, Target, compile};

/// The collection half of every benchmark cart's lines belong to.
const GROUPS_USED: usize = discount_rules::MAX_COLLECTION_GROUPS - 1;
const ON_SALE: &str = "gid://shopify/Collection/1";

fn rule(segment: &str, title: &str, value: DiscountValue, target: Target) -> Rule {
    Rule {
        segment: segment.to_owned(),
        title: title.to_owned(),
        value,
        target,
        minimum_subtotal: None,
        minimum_quantity: None,
        priority: 0,
        active: true,
    }
}

fn percent(text: &str) -> DiscountValue {
    DiscountValue::Percentage(Decimal::parse(text).unwrap())
}

fn collections(first: usize) -> Target {
    Target::Collections((first..first + 5).map(|n| format!("gid://shopify/Collection/{n}")).collect())
}

/// Twenty-five rules of every kind, one segment each; the first is a product rule on the
/// collection of half the lines, and the second an order rule.
fn twenty_five_rules() -> Vec<Rule> {
    (0..25)
        .map(|index| {
            let segment = format!("segment-{index}");
            let title = format!("Members of segment {index}: {}% off", 5 + index);
            let value = percent(&(5 + index).to_string());
            match index % 4 {
                _ if index == 0 => rule(&segment, &title, percent("20"), collections(1)),
                1 => Rule {
                    minimum_subtotal: Some(Decimal::parse("50").unwrap()),
                    ..rule(&segment, &title, value, Target::OrderSubtotal)
                },
                2 => rule(&segment, &title, value, collections(10 + (index % GROUPS_USED) * 5)),
                3 => rule(
                    &segment,
                    &title,
                    value,
                    Target::Products(
                        (0..5)
                            .map(|n| format!("gid://shopify/Product/{}", 900_000 + index * 10 + n))
                            .collect(),
                    ),
                ),
                _ => rule(
                    &segment,
                    &title,
                    DiscountValue::FixedAmount(Decimal::parse("10").unwrap()),
                    Target::OrderSubtotal,
                ),
            }
        })
        .collect()
}

fn cart(lines: usize) -> Vec<Line> {
    (0..lines)
        .map(|n| {
            let collections: &[&str] =
                if n % 2 == 0 { &[ON_SALE] } else { &["gid://shopify/Collection/999"] };
            Line::of(n, 7_000_000 + n as u64, collections, 1 + (n % 3) as u32, "19.99")
        })
        .collect()
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("usage: bench_inputs <dir>"));
    std::fs::create_dir_all(&out).unwrap();
    let one_order_rule = vec![rule("vip", "VIP 15% off", percent("15"), Target::OrderSubtotal)];
    let one_product_rule = vec![rule("vip", "VIP 20% off the sale", percent("20"), collections(1))];
    let many = twenty_five_rules();
    let every_tag: Vec<String> = many.iter().map(Rule::segment_tag).collect();
    let every_tag: Vec<&str> = every_tag.iter().map(String::as_str).collect();

    let sets: [(&str, &[Rule], &[&str]); 3] = [
        ("1-order-rule", &one_order_rule, &["seglink:vip"]),
        ("1-product-rule", &one_product_rule, &["seglink:vip"]),
        ("25-rules", &many, &every_tag),
    ];
    for (name, rules, tags) in sets {
        let config = compile(rules).unwrap();
        for lines in [1, 50, 200] {
            let cart = cart(lines);
            let mut checkout = Checkout::new(&config, tags);
            let mut write = |buyer: &str, checkout: &Checkout<'_>| {
                let path = out.join(format!("{name}.{lines}-lines.{buyer}.json"));
                std::fs::write(path, checkout.lines_input(&cart).to_string()).unwrap();
            };
            write("tagged", &checkout);
            checkout.buyer = Buyer::Customer(&["newsletter"]);
            write("untagged", &checkout);
            checkout.buyer = Buyer::Guest;
            write("guest", &checkout);
        }
    }
}
