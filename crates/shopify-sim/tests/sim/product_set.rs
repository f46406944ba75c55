//! `productSet`: a product created from its whole description reads back as sent, and the same
//! identifier replaces it; what Shopify refuses is refused with its code.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::product_set::{MAX_OPTIONS, MAX_TITLE_CHARS, MAX_VARIANTS};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);

const SET: &str = "mutation ($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id title vendor productType variants(first: 10) { nodes { title sku barcode price } } }
    userErrors { field message code }
  }
}";

fn installed(scopes: &[&str]) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 2, products: 2, orders: 0, ..SeedOptions::default() });
    crate::common::install(shop, "4242", scopes, Plan::Plus, NOW)
}

fn set(api: &mut AdminApi, token: &str, input: Value, identifier: Option<Value>) -> Value {
    let variables = json!({ "input": input, "identifier": identifier });
    let body = api.graphql(token, &json!({ "query": SET, "variables": variables }), NOW).body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["productSet"].clone()
}

fn shirt(title: &str) -> Value {
    json!({
        "title": title, "vendor": "Northfield", "productType": "Tops",
        "productOptions": [{ "name": "Size", "values": [{ "name": "S" }, { "name": "M" }] }],
        "variants": [
            { "optionValues": [{ "optionName": "Size", "name": "S" }], "price": "29.95", "sku": "SHIRT-S", "barcode": "0400001" },
            { "optionValues": [{ "optionName": "Size", "name": "M" }], "price": "31", "sku": "SHIRT-M" },
        ],
    })
}

#[test]
fn a_product_set_reads_back_as_sent_and_its_identifier_replaces_it() {
    let (mut api, token) = installed(&["read_products", "write_products"]);
    let created = set(&mut api, &token, shirt("Linen Shirt"), None);
    assert_eq!(created["userErrors"], json!([]));
    let product = &created["product"];
    assert_eq!(
        (product["title"].as_str(), product["vendor"].as_str()),
        (Some("Linen Shirt"), Some("Northfield"))
    );
    assert_eq!(
        product["variants"]["nodes"],
        json!([
            { "title": "S", "sku": "SHIRT-S", "barcode": "0400001", "price": "29.95" },
            { "title": "M", "sku": "SHIRT-M", "barcode": null, "price": "31.00" },
        ])
    );
    let id = product["id"].as_str().unwrap().to_owned();
    let read = api
        .graphql(&token, &json!({ "query": format!("{{ product(id: \"{id}\") {{ title }} }}") }), NOW)
        .body;
    assert_eq!(read["data"]["product"]["title"], "Linen Shirt");
    // The same identifier replaces it.
    let renamed = set(&mut api, &token, shirt("Linen Shirt, Relaxed"), Some(json!({ "id": id })));
    assert_eq!(
        (renamed["product"]["id"].as_str(), renamed["product"]["title"].as_str()),
        (Some(id.as_str()), Some("Linen Shirt, Relaxed"))
    );
}

#[test]
fn a_handle_identifier_upserts_so_sending_again_makes_no_second_product() {
    let (mut api, token) = installed(&["read_products", "write_products"]);
    let before = api.shop().products.len();
    let handle = json!({ "handle": "seglink-42" });
    let first = set(&mut api, &token, shirt("Linen Shirt"), Some(handle.clone()));
    let again = set(&mut api, &token, shirt("Linen Shirt"), Some(handle));
    assert_eq!(first["product"]["id"], again["product"]["id"], "the same product");
    assert_eq!(api.shop().products.len(), before + 1);
    assert!(api.shop().products.iter().any(|product| product.handle == "seglink-42"));
}

#[test]
fn what_shopify_refuses_is_refused_with_its_code() {
    let (mut api, token) = installed(&["read_products", "write_products"]);
    let code = |answer: Value| answer["userErrors"][0]["code"].as_str().unwrap().to_owned();
    assert_eq!(set(&mut api, &token, shirt(&"t".repeat(MAX_TITLE_CHARS)), None)["userErrors"], json!([]));
    assert_eq!(code(set(&mut api, &token, shirt(&"t".repeat(MAX_TITLE_CHARS + 1)), None)), "INVALID_INPUT");
    assert_eq!(code(set(&mut api, &token, shirt("  "), None)), "INVALID_INPUT");
    let options: Vec<Value> = (0..=MAX_OPTIONS)
        .map(|index| json!({ "name": format!("O{index}"), "values": [{ "name": "x" }] }))
        .collect();
    assert_eq!(
        code(set(&mut api, &token, json!({ "title": "Many", "productOptions": options }), None)),
        "OPTIONS_OVER_LIMIT"
    );
    let variants: Vec<Value> =
        (0..=MAX_VARIANTS).map(|_| json!({ "price": "1", "optionValues": [] })).collect();
    assert_eq!(
        code(set(&mut api, &token, json!({ "title": "Many", "variants": variants }), None)),
        "VARIANTS_OVER_LIMIT"
    );
    let mut unknown = shirt("Shirt");
    unknown["variants"][0]["optionValues"][0]["name"] = json!("XXL");
    assert_eq!(code(set(&mut api, &token, unknown, None)), "OPTION_VALUE_DOES_NOT_EXIST");
    assert_eq!(
        code(set(&mut api, &token, shirt("Gone"), Some(json!({ "id": "gid://shopify/Product/1" })))),
        "PRODUCT_DOES_NOT_EXIST"
    );
}

#[test]
fn product_set_needs_the_write_products_scope() {
    let (mut api, token) = installed(&["read_products"]);
    let body =
        api.graphql(&token, &json!({ "query": SET, "variables": { "input": shirt("Shirt") } }), NOW).body;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("productSet"), "{body}");
}
