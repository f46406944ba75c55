//! Checks a rule set against our bounds and Shopify's, so nothing reaches checkout that the
//! Function could not apply.

use std::collections::BTreeSet;
use std::fmt;

use crate::{Decimal, DiscountValue, Rule, Target};

/// Active rules a shop may have (docs/segments.md).
pub const MAX_ACTIVE_RULES: usize = 25;
/// Shopify does not deliver metafield values over this many bytes to a Function.
pub const MAX_METAFIELD_BYTES: usize = 10_000;
/// Shopify rejects an input-query list variable with more items than this.
pub const MAX_LIST_VARIABLE_ITEMS: usize = 100;
/// Longest segment slug.
pub const MAX_SLUG_CHARS: usize = 40;
/// Longest title shown to the buyer.
pub const MAX_TITLE_CHARS: usize = 100;
/// Most collections or products one rule may list: a collection rule's list is an input-query
/// variable, so Shopify's list limit applies.
pub const MAX_IDS_PER_RULE: usize = MAX_LIST_VARIABLE_ITEMS;
/// Distinct collection sets the active rules may target. Each is one `inAnyCollection` field on
/// every cart line the Function reads, about 140,000 instructions on a 200-line cart in
/// Shopify's provider; one keeps that cart within our 1.2 million budget (docs/benchmarks.md).
/// Rules on the same set share it.
pub const MAX_COLLECTION_GROUPS: usize = 1;
/// Highest priority.
pub const MAX_PRIORITY: u32 = 1_000;
/// Largest minimum quantity.
pub const MAX_MINIMUM_QUANTITY: u32 = 10_000;
/// Largest amount (fixed discount or minimum subtotal), in the shop's currency.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0);

/// Fraction digits a percentage may have.
const PERCENT_FRACTION_DIGITS: u32 = 2;
/// Fraction digits an amount may have: the most any ISO currency uses.
const AMOUNT_FRACTION_DIGITS: u32 = 3;

/// One thing wrong with a rule set, at a path such as `rules[3].value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where: `rules`, or `rules[i]` and a field.
    pub path: String,
    /// What is wrong, for a merchant to read.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every violation found in a rule set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Violations(pub Vec<Violation>);

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, violation) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl Violations {
    /// Records one violation.
    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation { path: path.into(), message: message.into() });
    }

    /// `Ok` when nothing was recorded.
    pub(crate) fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Checks each rule and the limits on the set; the size of the encoded config is checked by
/// [`crate::compile`], which knows it.
pub fn validate(rules: &[Rule]) -> Result<(), Violations> {
    let mut violations = Violations(Vec::new());
    for (index, rule) in rules.iter().enumerate() {
        check_rule(rule, &format!("rules[{index}]"), &mut violations);
    }
    check_set_limits(rules, &mut violations);
    violations.into_result()
}

fn check_rule(rule: &Rule, path: &str, violations: &mut Violations) {
    if !is_slug(&rule.segment) {
        violations
            .push(format!("{path}.segment"), format!("must be 1 to {MAX_SLUG_CHARS} of a-z, 0-9 and -"));
    }
    check_title(&rule.title, &format!("{path}.title"), violations);
    check_value(rule.value, &format!("{path}.value"), violations);
    check_target(&rule.target, &format!("{path}.target"), violations);
    if let Some(minimum) = rule.minimum_subtotal {
        check_amount(minimum, &format!("{path}.minimumSubtotal"), violations);
    }
    if let Some(quantity) = rule.minimum_quantity {
        let field = format!("{path}.minimumQuantity");
        if !matches!(rule.target, Target::Collections(_) | Target::Products(_)) {
            violations.push(field, "applies only to rules on collections or products");
        } else if !(1..=MAX_MINIMUM_QUANTITY).contains(&quantity) {
            violations.push(field, format!("must be from 1 to {MAX_MINIMUM_QUANTITY}"));
        }
    }
    if rule.priority > MAX_PRIORITY {
        violations.push(format!("{path}.priority"), format!("must be from 0 to {MAX_PRIORITY}"));
    }
}

/// Whether `text` is a segment slug: `[a-z0-9-]{1,40}`.
pub fn is_slug(text: &str) -> bool {
    (1..=MAX_SLUG_CHARS).contains(&text.len())
        && text.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

fn check_title(title: &str, path: &str, violations: &mut Violations) {
    if title.trim().is_empty() {
        violations.push(path, "must not be empty");
    } else if title.chars().count() > MAX_TITLE_CHARS {
        violations.push(path, format!("must be at most {MAX_TITLE_CHARS} characters"));
    } else if title.chars().any(char::is_control) {
        violations.push(path, "must not contain line breaks or control characters");
    } else if title != title.trim() {
        violations.push(path, "must not start or end with spaces");
    }
}

fn check_value(value: DiscountValue, path: &str, violations: &mut Violations) {
    match value {
        DiscountValue::Percentage(percent) => {
            if percent.is_zero() || percent > Decimal::HUNDRED {
                violations.push(path, "percentage must be greater than 0 and at most 100");
            } else if percent.fraction_digits() > PERCENT_FRACTION_DIGITS {
                violations.push(path, format!("percentage has more than {PERCENT_FRACTION_DIGITS} decimals"));
            }
        }
        DiscountValue::FixedAmount(amount) => check_amount(amount, path, violations),
    }
}

fn check_amount(amount: Decimal, path: &str, violations: &mut Violations) {
    if amount.is_zero() {
        violations.push(path, "must be greater than 0 (leave a minimum empty for none)");
    } else if amount > MAX_AMOUNT {
        violations.push(path, format!("must be at most {MAX_AMOUNT}"));
    } else if amount.fraction_digits() > AMOUNT_FRACTION_DIGITS {
        violations.push(path, format!("has more than {AMOUNT_FRACTION_DIGITS} decimals"));
    }
}

fn check_target(target: &Target, path: &str, violations: &mut Violations) {
    let (ids, kind) = match target {
        Target::Collections(ids) => (ids, "Collection"),
        Target::Products(ids) => (ids, "Product"),
        Target::OrderSubtotal | Target::Shipping => return,
    };
    if ids.is_empty() {
        violations.push(format!("{path}.ids"), "must list at least one id");
    } else if ids.len() > MAX_IDS_PER_RULE {
        violations.push(
            format!("{path}.ids"),
            format!(
                "must list at most {MAX_IDS_PER_RULE} ids (Shopify's limit for a Function's list variable)"
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for (index, id) in ids.iter().enumerate() {
        if gid_number(id, kind).is_none() {
            violations.push(
                format!("{path}.ids[{index}]"),
                format!("must be a Shopify id such as gid://shopify/{kind}/123"),
            );
        } else if !seen.insert(id.as_str()) {
            violations.push(format!("{path}.ids[{index}]"), "is listed twice");
        }
    }
}

/// The numeric part of `gid://shopify/<kind>/<number>`, if `id` has that form.
pub fn gid_number<'a>(id: &'a str, kind: &str) -> Option<&'a str> {
    let number = id.strip_prefix("gid://shopify/")?.strip_prefix(kind)?.strip_prefix('/')?;
    let digits_only = !number.is_empty() && number.len() <= 20 && number.bytes().all(|b| b.is_ascii_digit());
    (digits_only && !number.starts_with('0')).then_some(number)
}

fn check_set_limits(rules: &[Rule], violations: &mut Violations) {
    let active: Vec<&Rule> = rules.iter().filter(|rule| rule.active).collect();
    if active.len() > MAX_ACTIVE_RULES {
        violations
            .push("rules", format!("at most {MAX_ACTIVE_RULES} rules may be active; {} are", active.len()));
    }
    let collection_sets: BTreeSet<Vec<String>> = active
        .iter()
        .filter_map(|rule| match &rule.target {
            Target::Collections(ids) => Some(crate::config::collection_set(ids)),
            _ => None,
        })
        .collect();
    if collection_sets.len() > MAX_COLLECTION_GROUPS {
        violations.push(
            "rules",
            format!(
                "active rules target {} different sets of collections; at most {MAX_COLLECTION_GROUPS} (rules may share a set)",
                collection_sets.len()
            ),
        );
    }
    let segments: BTreeSet<&str> = active.iter().map(|rule| rule.segment.as_str()).collect();
    if segments.len() > MAX_LIST_VARIABLE_ITEMS {
        violations.push(
            "rules",
            format!(
                "active rules name {} distinct segments; Shopify's limit for a Function's list variable is {MAX_LIST_VARIABLE_ITEMS}",
                segments.len()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        crate::model::example_rule()
    }

    fn paths(rules: &[Rule]) -> Vec<String> {
        validate(rules).unwrap_err().0.into_iter().map(|violation| violation.path).collect()
    }

    #[test]
    fn a_plain_rule_is_valid() {
        assert_eq!(validate(&[rule()]), Ok(()));
    }

    #[test]
    fn each_bad_field_is_named_by_its_path() {
        let mut bad = rule();
        bad.segment = "VIP!".to_owned();
        bad.title = " ".to_owned();
        bad.value = DiscountValue::Percentage(Decimal::parse("100.5").unwrap());
        bad.minimum_subtotal = Some(Decimal::ZERO);
        bad.minimum_quantity = Some(2);
        bad.priority = 1001;
        assert_eq!(
            paths(&[rule(), bad]),
            [
                "rules[1].segment",
                "rules[1].title",
                "rules[1].value",
                "rules[1].minimumSubtotal",
                "rules[1].minimumQuantity",
                "rules[1].priority"
            ]
        );
    }

    #[test]
    fn slugs_follow_the_pattern() {
        assert!(is_slug("vip-2"));
        assert!(!is_slug(""));
        assert!(!is_slug("Vip"));
        assert!(!is_slug("vip_2"));
        assert!(!is_slug(&"a".repeat(41)));
        assert!(is_slug(&"a".repeat(40)));
    }

    #[test]
    fn values_and_amounts_are_bounded() {
        let percent = |text| check(DiscountValue::Percentage(Decimal::parse(text).unwrap()));
        let fixed = |text| check(DiscountValue::FixedAmount(Decimal::parse(text).unwrap()));
        fn check(value: DiscountValue) -> bool {
            let mut violations = Violations(Vec::new());
            check_value(value, "v", &mut violations);
            violations.0.is_empty()
        }
        assert!(percent("0.01") && percent("100") && percent("12.5"));
        assert!(!percent("0") && !percent("100.01") && !percent("12.345"));
        assert!(fixed("0.001") && fixed("1000000000"));
        assert!(!fixed("0") && !fixed("1000000000.001") && !fixed("1.0001"));
    }

    #[test]
    fn targets_need_well_formed_unique_ids_of_their_kind() {
        let mut bad = rule();
        bad.target = Target::Collections(vec![
            "gid://shopify/Collection/1".to_owned(),
            "gid://shopify/Product/2".to_owned(),
            "gid://shopify/Collection/1".to_owned(),
            "gid://shopify/Collection/01".to_owned(),
        ]);
        assert_eq!(
            paths(&[bad]),
            ["rules[0].target.ids[1]", "rules[0].target.ids[2]", "rules[0].target.ids[3]"]
        );
        let mut empty = rule();
        empty.target = Target::Products(Vec::new());
        assert_eq!(paths(&[empty]), ["rules[0].target.ids"]);
    }

    #[test]
    fn titles_reject_line_breaks_and_overlong_text() {
        for title in ["two\nlines", &"x".repeat(MAX_TITLE_CHARS + 1), " padded"] {
            let mut bad = rule();
            bad.title = title.to_owned();
            assert_eq!(paths(&[bad]), ["rules[0].title"], "{title:?}");
        }
        let mut long = rule();
        long.title = "é".repeat(MAX_TITLE_CHARS);
        assert_eq!(validate(&[long]), Ok(()));
    }

    #[test]
    fn more_than_25_active_rules_are_refused_naming_the_limit() {
        let mut rules = vec![rule(); 26];
        let error = validate(&rules).unwrap_err();
        assert_eq!(error.0[0].path, "rules");
        assert!(error.0[0].message.contains("at most 25"), "{error}");
        rules[25].active = false;
        assert_eq!(validate(&rules), Ok(()));
    }

    fn collection_rule(first: usize, count: usize) -> Rule {
        let ids = (first..first + count).map(|n| format!("gid://shopify/Collection/{n}")).collect();
        Rule { target: Target::Collections(ids), ..rule() }
    }

    #[test]
    fn more_collection_sets_than_groups_are_refused_naming_the_limit() {
        let rules: Vec<Rule> = (0..25).map(|index| collection_rule(1 + index * 5, 5)).collect();
        let error = validate(&rules).unwrap_err();
        assert_eq!(error.0.len(), 1, "{error}");
        let expected = format!("25 different sets of collections; at most {MAX_COLLECTION_GROUPS}");
        assert!(error.to_string().contains(&expected), "{error}");

        // The same ids in another order name the same set.
        let shared: Vec<Rule> = (0..25)
            .zip((0..MAX_COLLECTION_GROUPS).cycle())
            .map(|(index, group)| {
                let mut rule = collection_rule(1 + group * 5, 5);
                if let Target::Collections(ids) = &mut rule.target {
                    ids.rotate_left(index % 5);
                }
                rule
            })
            .collect();
        assert_eq!(validate(&shared), Ok(()));
    }

    #[test]
    fn a_list_over_shopifys_variable_limit_is_refused_naming_it() {
        let error = validate(&[collection_rule(1, 101)]).unwrap_err();
        assert_eq!(error.0[0].path, "rules[0].target.ids");
        assert!(error.0[0].message.contains("Shopify's limit for a Function's list variable"), "{error}");
        assert_eq!(validate(&[collection_rule(1, 100)]), Ok(()));
    }
}
