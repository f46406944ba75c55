//! The contract with the Function: `tests/fixtures/discount-config.json` holds rules and the
//! metafield value they compile to; the Function's tests read the same file.
#![cfg(feature = "serde")]

use std::path::PathBuf;

use discount_rules::{FunctionConfig, Rule, compile};

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/discount-config.json")
}

#[test]
fn fixture_rules_compile_to_the_fixture_metafield() {
    let text = std::fs::read_to_string(fixture_path()).unwrap();
    let mut fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rules: Vec<Rule> = serde_json::from_value(fixture["rules"].clone()).unwrap();
    let metafield = compile(&rules).unwrap().to_metafield_json();

    if std::env::var_os("SEGLINK_BLESS").is_some() {
        fixture["metafield"] = metafield.into();
        std::fs::write(fixture_path(), serde_json::to_string_pretty(&fixture).unwrap() + "\n").unwrap();
        return;
    }
    assert_eq!(
        fixture["metafield"].as_str().unwrap(),
        metafield,
        "the encoding changed; if on purpose, rerun with SEGLINK_BLESS=1 and update the Function"
    );
}

#[test]
fn fixture_metafield_is_json_that_decodes_to_the_active_rules() {
    let text = std::fs::read_to_string(fixture_path()).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rules: Vec<Rule> = serde_json::from_value(fixture["rules"].clone()).unwrap();
    let metafield = fixture["metafield"].as_str().unwrap();

    let parsed: serde_json::Value = serde_json::from_str(metafield).unwrap();
    assert_eq!(parsed["ruleTags"], serde_json::json!(["seglink:vip", "seglink:wholesale", "seglink:loyal"]));

    let mut expected: Vec<Rule> = rules.into_iter().filter(|rule| rule.active).collect();
    expected.sort_by_key(|rule| std::cmp::Reverse(rule.priority));
    assert_eq!(FunctionConfig::from_metafield_json(metafield).unwrap().rules().unwrap(), expected);
}
