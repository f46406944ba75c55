//! `metafieldsSet` and metafield reads: the app namespace, all-or-nothing writes, at most 25,
//! compare-and-set, type checks and scopes.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);
const PRODUCT: &str = "gid://shopify/Product/8200000000";
const CUSTOMER: &str = "gid://shopify/Customer/7100000000";

fn installed(scopes: &[&str]) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 5, products: 3, orders: 5, ..SeedOptions::default() });
    crate::common::install(shop, "4242", scopes, Plan::Plus, NOW)
}

fn full() -> (AdminApi, String) {
    installed(&["read_products", "write_products", "write_customers"])
}

const SET: &str = "mutation ($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key type value compareDigest }
    userErrors { field message code elementIndex }
  }
}";

fn set(api: &mut AdminApi, token: &str, metafields: Value) -> Value {
    let body =
        api.graphql(token, &json!({ "query": SET, "variables": { "metafields": metafields } }), NOW).body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["metafieldsSet"].clone()
}

fn config(value: &str) -> Value {
    json!({ "ownerId": PRODUCT, "namespace": "$app:seglink", "key": "config", "type": "json", "value": value })
}

fn read_config(api: &mut AdminApi, token: &str) -> Value {
    let query = "{ product(id: \"gid://shopify/Product/8200000000\") { metafield(namespace: \"$app:seglink\", key: \"config\") { value jsonValue type compareDigest } } }";
    api.graphql(token, &json!({ "query": query }), NOW).body["data"]["product"]["metafield"].clone()
}

#[test]
fn an_app_metafield_is_written_and_read_back() {
    let (mut api, token) = full();
    let written = set(&mut api, &token, json!([config("{\"rules\":[1,2]}")]));
    assert_eq!(written["userErrors"], json!([]));
    assert_eq!(written["metafields"][0]["namespace"], "app--4242--seglink");
    let read = read_config(&mut api, &token);
    assert_eq!(read["jsonValue"], json!({ "rules": [1, 2] }));
    assert_eq!(read["type"], "json");
    assert_eq!(read["compareDigest"], written["metafields"][0]["compareDigest"]);

    let shop_field = json!([{ "ownerId": "gid://shopify/Shop/1", "namespace": "seglink", "key": "mode", "type": "single_line_text_field", "value": "live" }]);
    assert_eq!(set(&mut api, &token, shop_field)["userErrors"], json!([]));
    let shop = api
        .graphql(
            &token,
            &json!({ "query": "{ shop { metafield(namespace: \"seglink\", key: \"mode\") { value } } }" }),
            NOW,
        )
        .body;
    assert_eq!(shop["data"]["shop"]["metafield"]["value"], "live");
}

#[test]
fn a_set_is_all_or_nothing() {
    let (mut api, token) = full();
    let result = set(
        &mut api,
        &token,
        json!([config("{}"), { "ownerId": CUSTOMER, "key": "bad", "type": "json", "value": "{nope" }]),
    );
    assert_eq!(result["metafields"], Value::Null);
    assert_eq!(result["userErrors"][0]["code"], "INVALID_VALUE");
    assert_eq!(result["userErrors"][0]["elementIndex"], 1);
    assert_eq!(result["userErrors"][0]["field"], json!(["metafields", "1", "value"]));
    assert_eq!(read_config(&mut api, &token), Value::Null, "the valid first input was not written either");
}

#[test]
fn at_most_twenty_five_per_call() {
    let (mut api, token) = full();
    let many: Vec<Value> = (0..26).map(|index| json!({ "ownerId": CUSTOMER, "key": format!("k{index}"), "type": "number_integer", "value": "1" })).collect();
    let result = set(&mut api, &token, json!(many));
    assert_eq!(result["userErrors"][0]["code"], "LESS_THAN_OR_EQUAL_TO");
    assert!(api.shop().metafields.is_empty());
    assert_eq!(set(&mut api, &token, json!(many[..25]))["userErrors"], json!([]));
}

#[test]
fn compare_digest_guards_concurrent_writers() {
    let (mut api, token) = full();
    let create_only = |value: &str| {
        let mut input = config(value);
        input["compareDigest"] = Value::Null;
        input
    };
    let first = set(&mut api, &token, json!([create_only("{\"v\":1}")]));
    let digest = first["metafields"][0]["compareDigest"].as_str().unwrap().to_owned();
    let again = set(&mut api, &token, json!([create_only("{\"v\":2}")]));
    assert_eq!(again["userErrors"][0]["code"], "INVALID_COMPARE_DIGEST", "null means it must not exist yet");

    let mut update = config("{\"v\":3}");
    update["compareDigest"] = json!(digest);
    let updated = set(&mut api, &token, json!([update.clone()]));
    assert_eq!(updated["userErrors"], json!([]));
    assert_ne!(updated["metafields"][0]["compareDigest"], json!(digest));
    let stale = set(&mut api, &token, json!([update]));
    assert_eq!(stale["userErrors"][0]["code"], "INVALID_COMPARE_DIGEST", "the digest moved on");
    assert_eq!(read_config(&mut api, &token)["jsonValue"], json!({ "v": 3 }));
}

#[test]
fn values_are_checked_against_their_type() {
    let (mut api, token) = full();
    let input = |kind: Option<&str>, value: &str| {
        let mut input =
            json!({ "ownerId": CUSTOMER, "namespace": "seglink", "key": "field", "value": value });
        if let Some(kind) = kind {
            input["type"] = json!(kind);
        }
        json!([input])
    };
    let code = |result: Value| result["userErrors"][0]["code"].as_str().unwrap_or("none").to_owned();
    assert_eq!(code(set(&mut api, &token, input(None, "x"))), "BLANK");
    assert_eq!(code(set(&mut api, &token, input(Some("single_line_text_field"), "a\nb"))), "INVALID_VALUE");
    assert_eq!(code(set(&mut api, &token, input(Some("number_integer"), "1.5"))), "INVALID_VALUE");
    assert_eq!(code(set(&mut api, &token, input(Some("boolean"), "yes"))), "INVALID_VALUE");
    let huge = format!("\"{}\"", "x".repeat(131_072));
    assert_eq!(code(set(&mut api, &token, input(Some("json"), &huge))), "TOO_LONG");
    assert_eq!(
        code(set(&mut api, &token, input(Some("list.single_line_text_field"), "[\"a\",\"b\"]"))),
        "none"
    );
    assert_eq!(
        code(set(&mut api, &token, input(None, "[\"c\"]"))),
        "none",
        "an existing metafield keeps its type"
    );
}

#[test]
fn owners_must_exist_and_the_token_must_write_them() {
    let (mut api, token) = installed(&["read_products", "write_customers"]);
    let product = set(&mut api, &token, json!([config("{}")]));
    assert_eq!(product["userErrors"][0]["code"], "APP_NOT_AUTHORIZED");
    let customer = set(
        &mut api,
        &token,
        json!([{ "ownerId": CUSTOMER, "key": "ok", "type": "boolean", "value": "true" }]),
    );
    assert_eq!(customer["userErrors"], json!([]));
    let missing = set(
        &mut api,
        &token,
        json!([{ "ownerId": "gid://shopify/Customer/1", "key": "ok", "type": "boolean", "value": "true" }]),
    );
    assert_eq!(missing["userErrors"][0]["code"], "INVALID");

    let (mut api, token) = installed(&["write_customers"]);
    let body = api
        .graphql(
            &token,
            &json!({ "query": "{ product(id: \"gid://shopify/Product/8200000000\") { id } }" }),
            NOW,
        )
        .body;
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
}

const DEFINE: &str = "mutation ($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id namespace key ownerType }
    userErrors { field message code }
  }
}";

fn define(api: &mut AdminApi, token: &str, definition: Value) -> Value {
    api.graphql(token, &json!({ "query": DEFINE, "variables": { "definition": definition } }), NOW).body
}

#[test]
fn a_definition_fixes_the_type_of_later_writes() {
    let (mut api, token) = full();
    let definition = json!({ "name": "Segments", "namespace": "$app:seglink", "key": "segments", "type": "list.single_line_text_field", "ownerType": "PRODUCT" });
    let made = define(&mut api, &token, definition.clone());
    assert_eq!(
        made["data"]["metafieldDefinitionCreate"]["createdDefinition"]["namespace"],
        "app--4242--seglink"
    );
    let again = define(&mut api, &token, definition);
    assert_eq!(again["data"]["metafieldDefinitionCreate"]["userErrors"][0]["code"], "TAKEN");

    let untyped =
        json!([{ "ownerId": PRODUCT, "namespace": "$app:seglink", "key": "segments", "value": "[\"vip\"]" }]);
    assert_eq!(set(&mut api, &token, untyped)["userErrors"], json!([]), "the definition supplies the type");
    let wrong = json!([{ "ownerId": PRODUCT, "namespace": "$app:seglink", "key": "segments", "type": "json", "value": "{}" }]);
    assert_eq!(set(&mut api, &token, wrong)["userErrors"][0]["code"], "INVALID_TYPE");
}

#[test]
fn definitions_are_checked() {
    let (mut api, token) = full();
    let code = |body: Value| {
        body["data"]["metafieldDefinitionCreate"]["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    };
    let base =
        json!({ "name": "N", "namespace": "seglink", "key": "kk", "type": "json", "ownerType": "CUSTOMER" });
    let with = |field: &str, value: Value| {
        let mut definition = base.clone();
        definition[field] = value;
        definition
    };
    assert_eq!(code(define(&mut api, &token, with("key", json!("k")))), "TOO_SHORT");
    assert_eq!(code(define(&mut api, &token, with("key", json!("k".repeat(65))))), "TOO_LONG");
    assert_eq!(code(define(&mut api, &token, with("name", json!(" ")))), "BLANK");
    assert_eq!(code(define(&mut api, &token, with("type", json!("color")))), "INCLUSION");
    assert_eq!(code(define(&mut api, &token, with("namespace", json!("ab")))), "INVALID");
    assert_eq!(code(define(&mut api, &token, base.clone())), "none");

    let (mut api, token) = installed(&["write_customers"]);
    let denied = define(&mut api, &token, with("ownerType", json!("PRODUCT")));
    assert!(denied["errors"][0]["message"].as_str().unwrap().contains("write_products"), "{denied}");
}
