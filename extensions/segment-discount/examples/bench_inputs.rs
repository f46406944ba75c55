//! Writes the benchmark's Function inputs (see `benches/function.py`): carts of 1, 50 and 200
//! lines, half of them in a sale collection, against rule sets of 1 and 25 rules, for guests,
//! untagged and tagged buyers.
//!
//! Usage: `cargo run -p segment-discount --example bench_inputs -- <dir>`

#[path = "../src/tests/carts.rs"]
mod carts;

use std::path::PathBuf;

use carts::{Buyer, Checkout, Line, fixed, percent, rule};
use discount_rules::{Decimal, Rule, Target, compile};

/// The collection half of every benchmark cart's lines belong to.
const ON_SALE: &str = "gid://shopify/Collection/1";

/// The sale collection and four others, as a merchant's collection rule would list them.
fn sale_collections() -> Target {
    Target::Collections((1..=5).map(|n| format!("gid://shopify/Collection/{n}")).collect())
}

/// Twenty-five rules of every kind, one segment each: segment 0 has 20% off the sale
/// collection, segment 1 15% off orders; the others mix order, shipping and product rules.
fn twenty_five_rules() -> Vec<Rule> {
    (0..25)
        .map(|index| {
            let segment = format!("segment-{index}");
            let title = format!("Members of segment {index}: {}% off", 5 + index);
            match index {
                0 => rule(&segment, "Sale: 20% off for members", percent("20"), sale_collections()),
                1 => rule(&segment, "Members: 15% off your order", percent("15"), Target::OrderSubtotal),
                _ => match index % 4 {
                    0 => Rule {
                        minimum_subtotal: Some(Decimal::parse("50").unwrap()),
                        ..rule(&segment, &title, percent(&(5 + index).to_string()), Target::OrderSubtotal)
                    },
                    1 => rule(&segment, &title, fixed("10"), Target::OrderSubtotal),
                    2 => rule(&segment, &title, percent(&(5 + index).to_string()), sale_collections()),
                    _ => {
                        let products =
                            (0..5).map(|n| format!("gid://shopify/Product/{}", 900_000 + index * 10 + n));
                        rule(&segment, &title, percent("10"), Target::Products(products.collect()))
                    }
                },
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

/// Delivery inputs: a 200-line cart's 2 delivery groups of 3 options each, against 1 shipping
/// rule and against 25 rules of which 5 are shipping rules.
fn write_delivery_inputs(out: &std::path::Path) {
    let free = Rule {
        minimum_subtotal: Some(Decimal::parse("50").unwrap()),
        ..rule("vip", "Free shipping over $50", percent("100"), Target::Shipping)
    };
    let mut many = twenty_five_rules();
    for (index, rule) in many.iter_mut().enumerate().filter(|(index, _)| index % 5 == 4) {
        rule.target = Target::Shipping;
        rule.value = if index % 2 == 0 { fixed("5") } else { percent("50") };
    }
    let groups: [&[(&str, &str)]; 2] = [
        &[("standard", "5.00"), ("express", "15.00"), ("overnight", "30.00")],
        &[("standard-2", "5.00"), ("express-2", "15.00"), ("pickup", "0.00")],
    ];
    let every_shipping_tag = [
        "seglink:segment-4",
        "seglink:segment-9",
        "seglink:segment-14",
        "seglink:segment-19",
        "seglink:segment-24",
    ];
    let sets: [(&str, Vec<Rule>, &[&str]); 2] = [
        ("1-shipping-rule", vec![free], &["seglink:vip"]),
        ("25-rules-5-shipping", many, &every_shipping_tag),
    ];
    for (name, rules, tags) in sets {
        let config = compile(&rules).unwrap();
        let mut checkout = Checkout::new(&config, tags);
        std::fs::write(
            out.join(format!("{name}.delivery.tagged.json")),
            checkout.delivery_input("3998.00", &groups).to_string(),
        )
        .unwrap();
        checkout.buyer = Buyer::Guest;
        std::fs::write(
            out.join(format!("{name}.delivery.guest.json")),
            checkout.delivery_input("3998.00", &groups).to_string(),
        )
        .unwrap();
    }
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("usage: bench_inputs <dir>"));
    std::fs::create_dir_all(&out).unwrap();
    write_delivery_inputs(&out);
    let one_order_rule = vec![rule("vip", "VIP 15% off", percent("15"), Target::OrderSubtotal)];
    let one_product_rule = vec![rule("vip", "VIP 20% off the sale", percent("20"), sale_collections())];
    let many = twenty_five_rules();
    let every_tag: Vec<String> = many.iter().map(Rule::segment_tag).collect();
    let every_tag: Vec<&str> = every_tag.iter().map(String::as_str).collect();

    let sets: [(&str, &[Rule], &[&str]); 4] = [
        ("1-order-rule", &one_order_rule, &["seglink:vip"]),
        ("1-product-rule", &one_product_rule, &["seglink:vip"]),
        ("25-rules", &many, &["seglink:segment-0", "seglink:segment-1"]),
        ("25-rules-every-tag", &many, &every_tag),
    ];
    for (name, rules, tags) in sets {
        let config = compile(rules).unwrap();
        for lines in [1, 50, 200] {
            let cart = cart(lines);
            let mut checkout = Checkout::new(&config, tags);
            let write = |buyer: &str, checkout: &Checkout<'_>| {
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
