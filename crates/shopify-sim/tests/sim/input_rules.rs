//! The input rules Shopify enforces and apollo-compiler leaves out: a `@oneOf` input object
//! (`DiscountContextInput`) gets exactly one non-null field, in a literal or a variable; an input
//! object literal names a field once; and variables are coerced before a query is priced, so a
//! bad value is a variable error, not a cost.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::{AdminSchema, Plan, SeedOptions, seed_shop};

const CREATE: &str = "mutation Create($discount: DiscountAutomaticAppInput!) {
  discountAutomaticAppCreate(automaticAppDiscount: $discount) { automaticAppDiscount { discountId } userErrors { field message } }
}";

fn literal(context: &str) -> String {
    format!(
        r#"mutation {{ discountAutomaticAppCreate(automaticAppDiscount: {{ title: "x", functionHandle: "f", startsAt: "2026-01-01T00:00:00Z", discountClasses: [ORDER], context: {context} }}) {{ userErrors {{ message }} }} }}"#
    )
}

fn refusal(document: &str) -> (String, String) {
    let errors = AdminSchema::get().validate(document).expect_err("Shopify refuses this document");
    let error = &errors.errors[0];
    (error.code().to_owned(), error.message.clone())
}

#[test]
fn a_one_of_literal_gets_exactly_one_non_null_field() {
    assert!(AdminSchema::get().validate(&literal("{ all: ALL }")).is_ok(), "one field is the rule");
    let (code, message) =
        refusal(&literal(r#"{ all: ALL, customerSegments: { add: ["gid://shopify/Segment/1"] } }"#));
    assert_eq!(code, "argumentLiteralsIncompatible");
    assert_eq!(message, "OneOf Input Object \"DiscountContextInput\" must specify exactly one key.");
    let (_, message) = refusal(&literal("{ all: null }"));
    assert_eq!(message, "Field \"DiscountContextInput.all\" must be non-null.");
    let (_, message) = refusal(&literal("{}"));
    assert_eq!(message, "OneOf Input Object \"DiscountContextInput\" must specify exactly one key.");
}

#[test]
fn an_input_object_literal_names_each_field_once() {
    let twice = r#"mutation { discountAutomaticAppCreate(automaticAppDiscount: { title: "a", title: "b", functionHandle: "f", startsAt: "2026-01-01T00:00:00Z" }) { userErrors { message } } }"#;
    let (code, message) = refusal(twice);
    assert_eq!(code, "argumentLiteralsIncompatible");
    assert_eq!(message, "There can be only one input field named \"title\".");
}

fn api() -> (shopify_sim::AdminApi, String) {
    let now = Duration::from_secs(1_790_000_000);
    let shop = seed_shop(&SeedOptions { customers: 3, products: 2, orders: 0, ..SeedOptions::default() });
    crate::common::install(shop, "client-1", &["write_discounts", "read_customers"], Plan::Standard, now)
}

fn run(document: &str, variables: Value) -> Value {
    let (mut api, token) = api();
    api.graphql(
        &token,
        &json!({ "query": document, "variables": variables }),
        Duration::from_secs(1_790_000_001),
    )
    .body
}

#[test]
fn a_one_of_variable_gets_exactly_one_non_null_field_and_nothing_is_written() {
    let discount = |context: Value| json!({ "discount": { "title": "x", "functionHandle": "f", "startsAt": "2026-01-01T00:00:00Z", "discountClasses": ["ORDER"], "context": context } });
    for (context, problem) in [
        (
            json!({ "all": "ALL", "customerSegments": { "add": [] } }),
            "Exactly one key must be specified for OneOf type \"DiscountContextInput\".",
        ),
        (json!({ "all": null }), "Field \"all\" must be non-null."),
    ] {
        let body = run(CREATE, discount(context.clone()));
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "INVALID_VARIABLE", "{context}: {body}");
        assert!(error["message"].as_str().unwrap().ends_with(problem), "{body}");
        assert!(body.get("data").is_none(), "refused before anything runs: {body}");
    }
}

#[test]
fn variables_are_coerced_before_the_query_is_priced() {
    let document = "query Customers($first: Int!) { customers(first: $first) { nodes { id } } }";
    // Beyond a 32-bit Int: a variable error, not MAX_COST_EXCEEDED for a huge page.
    let body = run(document, json!({ "first": 5_000_000_000_u64 }));
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_VARIABLE", "{body}");
    let body = run(document, json!({ "first": "ten" }));
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_VARIABLE", "{body}");
    let body = run(document, json!({}));
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INVALID_VARIABLE",
        "a missing required variable: {body}"
    );
    let body = run(document, json!({ "first": 2 }));
    assert!(body.get("errors").is_none(), "{body}");
}
