//! The app's Functions and automatic app discounts: created with their config metafield in one
//! step, read back, updated, and handed to the checkout as the Function will see them.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::{AdminApi, Checkout, Plan, SeedOptions, function_input, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);

fn installed(scopes: &[&str]) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 3, products: 2, orders: 3, ..SeedOptions::default() });
    let (mut api, token) = crate::common::install(shop, "77", scopes, Plan::Plus, NOW);
    api.deploy_function("segment-discount", "discount", "Segment discount");
    (api, token)
}

fn run(api: &mut AdminApi, token: &str, query: &str, variables: Value) -> Value {
    let body = api.graphql(token, &json!({ "query": query, "variables": variables }), NOW).body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

const CREATE: &str = "mutation ($discount: DiscountAutomaticAppInput!) {
  discountAutomaticAppCreate(automaticAppDiscount: $discount) {
    automaticAppDiscount { discountId title discountClasses status startsAt combinesWith { orderDiscounts productDiscounts shippingDiscounts } }
    userErrors { field message code }
  }
}";

const UPDATE: &str = "mutation ($id: ID!, $discount: DiscountAutomaticAppInput!) {
  discountAutomaticAppUpdate(id: $id, automaticAppDiscount: $discount) {
    automaticAppDiscount { discountId title }
    userErrors { field message code }
  }
}";

const NODE: &str = "query ($id: ID!) {
  discountNode(id: $id) {
    id
    discount { ... on DiscountAutomaticApp { title status } }
    metafield(namespace: \"$app:seglink\", key: \"config\") { jsonValue }
  }
}";

fn discount_input(title: &str, config: &str) -> Value {
    json!({
        "title": title,
        "functionHandle": "segment-discount",
        "discountClasses": ["ORDER", "PRODUCT"],
        "combinesWith": { "shippingDiscounts": true },
        "metafields": [{ "namespace": "$app:seglink", "key": "config", "type": "json", "value": config }],
    })
}

#[test]
fn the_app_finds_its_function_and_creates_its_discount_with_config() {
    let (mut api, token) = installed(&["write_discounts"]);
    let functions = run(
        &mut api,
        &token,
        "{ shopifyFunctions(first: 25, apiType: \"discount\") { nodes { id handle apiType } } }",
        json!({}),
    );
    assert_eq!(functions["shopifyFunctions"]["nodes"][0]["handle"], "segment-discount");

    let created =
        run(&mut api, &token, CREATE, json!({ "discount": discount_input("Seglink rewards", "{\"v\":1}") }));
    let payload = &created["discountAutomaticAppCreate"];
    assert_eq!(payload["userErrors"], json!([]));
    let discount = &payload["automaticAppDiscount"];
    assert_eq!(discount["status"], "ACTIVE");
    assert_eq!(discount["startsAt"], "2026-10-01T00:00:00Z");
    assert_eq!(
        discount["combinesWith"],
        json!({ "orderDiscounts": false, "productDiscounts": false, "shippingDiscounts": true })
    );
    let id = discount["discountId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("gid://shopify/DiscountAutomaticNode/"));

    let node = run(&mut api, &token, NODE, json!({ "id": id }));
    assert_eq!(node["discountNode"]["discount"]["title"], "Seglink rewards");
    assert_eq!(node["discountNode"]["metafield"]["jsonValue"], json!({ "v": 1 }));

    let updated = run(
        &mut api,
        &token,
        UPDATE,
        json!({ "id": id, "discount": { "title": "Seglink VIP", "metafields": [{ "namespace": "$app:seglink", "key": "config", "type": "json", "value": "{\"v\":2}" }] } }),
    );
    assert_eq!(updated["discountAutomaticAppUpdate"]["userErrors"], json!([]));
    let node = run(&mut api, &token, NODE, json!({ "id": id }));
    assert_eq!(node["discountNode"]["discount"]["title"], "Seglink VIP");
    assert_eq!(node["discountNode"]["metafield"]["jsonValue"], json!({ "v": 2 }));
    assert_eq!(api.automatic_discounts().len(), 1);
}

#[test]
fn a_refused_discount_leaves_nothing_behind() {
    let (mut api, token) = installed(&["write_discounts"]);
    let code = |result: &Value| result["discountAutomaticAppCreate"]["userErrors"][0]["code"].clone();
    let mut unknown = discount_input("x", "{}");
    unknown["functionHandle"] = json!("nope");
    assert_eq!(code(&run(&mut api, &token, CREATE, json!({ "discount": unknown }))), "INVALID");
    assert_eq!(
        code(&run(&mut api, &token, CREATE, json!({ "discount": discount_input(" ", "{}") }))),
        "BLANK"
    );
    let mut classless = discount_input("x", "{}");
    classless["discountClasses"] = json!([]);
    assert_eq!(code(&run(&mut api, &token, CREATE, json!({ "discount": classless }))), "BLANK");
    let bad_config = run(&mut api, &token, CREATE, json!({ "discount": discount_input("x", "{oops") }));
    assert_eq!(bad_config["discountAutomaticAppCreate"]["automaticAppDiscount"], Value::Null);
    let mut backwards = discount_input("x", "{}");
    backwards["endsAt"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(code(&run(&mut api, &token, CREATE, json!({ "discount": backwards }))), "INVALID");
    assert!(api.automatic_discounts().is_empty());
    assert!(api.shop().metafields.is_empty(), "no config was written for a discount that does not exist");

    let missing = run(
        &mut api,
        &token,
        UPDATE,
        json!({ "id": "gid://shopify/DiscountAutomaticNode/99", "discount": { "title": "y" } }),
    );
    assert_eq!(
        missing["discountAutomaticAppUpdate"]["userErrors"][0]["field"],
        json!(["automaticAppDiscount", "id"])
    );
}

#[test]
fn discounts_need_their_scope() {
    let (mut api, token) = installed(&["read_customers"]);
    let body = api
        .graphql(
            &token,
            &json!({ "query": CREATE, "variables": { "discount": discount_input("x", "{}") } }),
            NOW,
        )
        .body;
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
    assert!(api.automatic_discounts().is_empty());
}

#[test]
fn the_checkout_hands_the_function_what_the_app_wrote() {
    let (mut api, token) = installed(&["write_discounts"]);
    let created = run(
        &mut api,
        &token,
        CREATE,
        json!({ "discount": discount_input("Seglink", "{\"ruleTags\":[\"seglink:vip\"]}") }),
    );
    let id = created["discountAutomaticAppCreate"]["automaticAppDiscount"]["discountId"]
        .as_str()
        .unwrap()
        .to_owned();
    let discount = api.checkout_discount(&id, Some(("$app:seglink", "config"))).expect("the discount exists");
    let checkout = Checkout {
        customer: None,
        lines: Vec::new(),
        delivery_groups: Vec::new(),
        currency: "USD".to_owned(),
        presentment_currency_rate: "1.0".to_owned(),
        discount,
    };
    let query = "query ($ruleTags: [String!]) { discount { discountClasses metafield(namespace: \"$app:seglink\", key: \"config\") { jsonValue } } cart { buyerIdentity { customer { hasAnyTag(tags: $ruleTags) } } } }";
    let input = function_input(query, &checkout).unwrap();
    assert_eq!(input["discount"]["discountClasses"], json!(["ORDER", "PRODUCT"]));
    assert_eq!(input["discount"]["metafield"]["jsonValue"], json!({ "ruleTags": ["seglink:vip"] }));
    assert!(api.checkout_discount("gid://shopify/DiscountAutomaticNode/404", None).is_none());
}
