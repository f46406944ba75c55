//! Properties of the config encoding: what validates round-trips exactly and fits Shopify's
//! limits, and no input makes the decoder panic.

use discount_rules::{
    Config, Decimal, DiscountValue, FunctionConfig, MAX_COLLECTION_GROUPS, MAX_LIST_VARIABLE_ITEMS,
    MAX_METAFIELD_BYTES, Rule, Target, collection_set, compile, validate,
};
use proptest::prelude::*;

fn decimal(max_units: u64, fraction_digits: u32) -> impl Strategy<Value = Decimal> {
    (1..=max_units).prop_map(move |units| Decimal::from_parts(units, fraction_digits))
}

fn value() -> impl Strategy<Value = DiscountValue> {
    prop_oneof![
        decimal(10_000, 2).prop_map(DiscountValue::Percentage),
        decimal(100_000_000, 3).prop_map(DiscountValue::FixedAmount),
    ]
}

fn gids(kind: &'static str, pool: u64) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set(1..=pool, 1..6)
        .prop_map(move |numbers| numbers.into_iter().map(|n| format!("gid://shopify/{kind}/{n}")).collect())
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        Just(Target::OrderSubtotal),
        Just(Target::Shipping),
        // A few sets, some overlapping, so rules share groups and sometimes exceed the limit.
        (0u64..7, proptest::collection::btree_set(1u64..=9, 1..4)).prop_map(|(offset, numbers)| {
            Target::Collections(
                numbers
                    .into_iter()
                    .rev()
                    .map(|n| format!("gid://shopify/Collection/{}", n + offset))
                    .collect(),
            )
        }),
        gids("Product", 9_999_999_999).prop_map(Target::Products),
    ]
}

/// Titles of any printable text, quotes, backslashes and non-ASCII included.
fn title() -> impl Strategy<Value = String> {
    "[^\\p{Cc}\\s][^\\p{Cc}]{0,60}[^\\p{Cc}\\s]|[^\\p{Cc}\\s]"
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        "[a-z0-9-]{1,40}",
        title(),
        value(),
        target(),
        proptest::option::of(decimal(1_000_000, 2)),
        0u32..=1000,
        any::<bool>(),
        1u32..=50,
    )
        .prop_map(|(segment, title, value, target, minimum_subtotal, priority, active, quantity)| {
            let product_rule = matches!(target, Target::Collections(_) | Target::Products(_));
            Rule {
                segment,
                title,
                value,
                target,
                minimum_subtotal,
                minimum_quantity: (product_rule && quantity % 2 == 0).then_some(quantity),
                priority,
                active,
            }
        })
}

fn active_by_priority(rules: &[Rule]) -> Vec<Rule> {
    let mut active: Vec<Rule> = rules.iter().filter(|rule| rule.active).cloned().collect();
    active.sort_by_key(|rule| std::cmp::Reverse(rule.priority));
    for rule in &mut active {
        if let Target::Collections(ids) = &rule.target {
            rule.target = Target::Collections(collection_set(ids));
        }
    }
    active
}

proptest! {
    #[test]
    fn what_compiles_decodes_to_the_same_rules(rules in proptest::collection::vec(rule(), 0..30)) {
        match compile(&rules) {
            Ok(compiled) => {
                let json = compiled.to_metafield_json();
                prop_assert!(json.len() <= MAX_METAFIELD_BYTES);
                prop_assert!(compiled.rule_tags.len() <= MAX_LIST_VARIABLE_ITEMS);
                prop_assert!(compiled.collection_groups.len() <= MAX_COLLECTION_GROUPS);
                prop_assert!(compiled.collection_groups.iter().all(|group| group.len() <= MAX_LIST_VARIABLE_ITEMS));
                let decoded = FunctionConfig::from_metafield_json(&json).unwrap();
                prop_assert_eq!(&decoded, &compiled);
                prop_assert_eq!(decoded.rules().unwrap(), active_by_priority(&rules));
            }
            // A set that validates may still be refused, but only for its encoded size.
            Err(violations) => prop_assert!(
                validate(&rules).is_err()
                    || violations.0.iter().all(|v| v.message.contains("bytes")),
                "{violations}"
            ),
        }
    }

    #[test]
    fn the_function_decoder_sees_each_held_rule_once(rules in proptest::collection::vec(rule(), 1..25)) {
        let Ok(compiled) = compile(&rules) else { return Ok(()) };
        let json = compiled.to_metafield_json();
        let config = Config::from_metafield_value(&json).unwrap();
        let held: Vec<bool> = (0..config.tag_count).map(|index| index % 2 == 0).collect();
        let seen: Vec<usize> = config.rules_for(&held).map(|rule| rule.unwrap().tag).collect();
        let expected: Vec<usize> = active_by_priority(&rules)
            .iter()
            .map(|rule| compiled.rule_tags.iter().position(|tag| *tag == rule.segment_tag()).unwrap())
            .filter(|index| index % 2 == 0)
            .collect();
        prop_assert_eq!(seen, expected);
    }

    #[test]
    fn arbitrary_metafield_text_never_panics(text in ".{0,300}", held in proptest::collection::vec(any::<bool>(), 0..5)) {
        if let Ok(config) = Config::from_metafield_value(&text) {
            for rule in config.rules_for(&held) {
                let _ = rule;
            }
        }
        let _ = FunctionConfig::from_metafield_json(&text).and_then(|config| config.rules());
    }

    #[test]
    fn arbitrary_config_records_never_panic(
        records_in in proptest::collection::vec(("[0-9 %$ocsp,.\\-a-zé|:]{0,40}", proptest::option::of(0usize..50)), 0..8)
    ) {
        // Records with their true length and with lengths that lie, including ones that end
        // inside a multi-byte character.
        let mut records = String::new();
        for (content, length) in &records_in {
            records.push_str(&format!("|{}:{content}", length.unwrap_or(content.len())));
        }
        let config = format!("seglink2 3 1 {}{records}", records.len());
        let json = serde_json::json!({ "config": config }).to_string();
        let config = Config::from_metafield_value(&json).unwrap();
        for rule in config.rules_for(&[true, false, true]) {
            let _ = rule;
        }
    }
}

fn long_rule(index: usize, target: Target) -> Rule {
    Rule {
        segment: format!("segment-number-{index:02}-of-the-shop"),
        // Titles at their 100-character maximum.
        title: format!("{index:02} {}", "x".repeat(97)),
        value: DiscountValue::FixedAmount(Decimal::from_parts(123_456, 3)),
        target,
        minimum_subtotal: Some(Decimal::from_parts(150_000, 3)),
        minimum_quantity: Some(3),
        priority: 1_000,
        active: true,
    }
}

#[test]
fn twenty_five_rules_with_five_collections_each_fit_a_function_metafield() {
    let collections: Vec<String> =
        (0..5).map(|n| format!("gid://shopify/Collection/{}", 450_000_000_000u64 + n)).collect();
    let rules: Vec<Rule> =
        (0..25).map(|index| long_rule(index, Target::Collections(collections.clone()))).collect();
    let bytes = compile(&rules).unwrap().to_metafield_json().len();
    assert!(bytes < MAX_METAFIELD_BYTES, "{bytes} bytes");
}

#[test]
fn a_rule_set_too_large_for_the_metafield_is_refused_naming_the_limit() {
    let rules: Vec<Rule> = (0..25)
        .map(|index| {
            let products =
                (0..20).map(|n| format!("gid://shopify/Product/{}", 9_000_000_000_000u64 + n)).collect();
            long_rule(index, Target::Products(products))
        })
        .collect();
    let config = compile(&rules[..10]).unwrap();
    assert!(config.to_metafield_json().len() <= MAX_METAFIELD_BYTES);
    let refused = compile(&rules).unwrap_err().to_string();
    assert!(refused.contains("over 10000 bytes"), "{refused}");
}
