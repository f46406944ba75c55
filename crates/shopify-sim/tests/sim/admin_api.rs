//! The Admin GraphQL endpoint end to end: token, validation, cost, scopes and execution against
//! a seeded shop. Each supported operation runs here through the whole pipeline.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::shop::Shop;
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);

fn installed(scopes: &[&str]) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 50, products: 6, orders: 300, ..SeedOptions::default() });
    crate::common::install(shop, "client", scopes, Plan::Standard, NOW)
}

fn full_api() -> (AdminApi, String) {
    installed(&["read_customers", "write_customers"])
}

fn run(api: &mut AdminApi, token: &str, query: &str, variables: Value) -> Value {
    let response = api.graphql(token, &json!({ "query": query, "variables": variables }), NOW);
    assert_eq!(response.status, 200, "{}", response.body);
    response.body
}

fn data(api: &mut AdminApi, token: &str, query: &str, variables: Value) -> Value {
    let body = run(api, token, query, variables);
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn first_error(body: &Value) -> &Value {
    &body["errors"][0]
}

fn tags_of(shop: &Shop, id: u64) -> Vec<String> {
    shop.customers
        .iter()
        .find(|customer| customer.id == id)
        .map(|customer| customer.tags.clone())
        .unwrap_or_default()
}

#[test]
fn a_bad_token_is_refused_with_401() {
    let (mut api, _) = full_api();
    let response = api.graphql("shpat_nope", &json!({ "query": "{ shop { name } }" }), NOW);
    assert_eq!(response.status, 401);
    assert_eq!(
        response.body["errors"],
        "[API] Invalid API key or access token (unrecognized login or wrong password)"
    );
}

#[test]
fn shop_and_installation_answer_with_their_cost() {
    let (mut api, token) = full_api();
    let body = run(
        &mut api,
        &token,
        "{ shop { name myshopifyDomain currencyCode } currentAppInstallation { accessScopes { handle } } }",
        json!({}),
    );
    assert_eq!(body["data"]["shop"]["myshopifyDomain"], "seglink-demo-1.myshopify.com");
    assert_eq!(body["data"]["shop"]["currencyCode"], "USD");
    assert_eq!(
        body["data"]["currentAppInstallation"]["accessScopes"],
        json!([{ "handle": "read_customers" }, { "handle": "write_customers" }])
    );
    assert_eq!(
        body["extensions"]["cost"],
        json!({
            "requestedQueryCost": 3, "actualQueryCost": 3,
            "throttleStatus": { "maximumAvailable": 2000, "currentlyAvailable": 1997, "restoreRate": 100 },
        })
    );
}

#[test]
fn an_invalid_document_gets_shopify_errors_and_costs_nothing() {
    let (mut api, token) = full_api();
    let body = run(&mut api, &token, "{ shop { name nam } }", json!({}));
    assert_eq!(first_error(&body)["extensions"]["code"], "undefinedField", "{body}");
    assert_eq!(first_error(&body)["message"], "Field 'nam' doesn't exist on type 'Shop'");
    assert_eq!(api.bucket_mut().status_at(NOW).currently_available, 2000);
}

#[test]
fn a_valid_field_the_simulator_lacks_is_named() {
    let (mut api, token) = full_api();
    let body = run(&mut api, &token, "{ collections(first: 1) { nodes { id } } }", json!({}));
    assert_eq!(first_error(&body)["extensions"]["code"], "NOT_SIMULATED");
    assert!(first_error(&body)["message"].as_str().unwrap().contains("`collections`"));
    let body = run(&mut api, &token, "{ shop { email } }", json!({}));
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("email"), "{body}");
}

#[test]
fn a_field_needs_its_scope() {
    let (mut api, token) = installed(&["read_customers"]);
    let mutation = "mutation { tagsAdd(id: \"gid://shopify/Customer/7100000000\", tags: [\"x\"]) { userErrors { message } } }";
    let body = run(&mut api, &token, mutation, json!({}));
    assert_eq!(first_error(&body)["extensions"]["code"], "ACCESS_DENIED");
    assert_eq!(
        first_error(&body)["message"],
        "Access denied for tagsAdd field. Required access: `write_customers` access scope."
    );
    assert!(tags_of(&api.shop(), 7_100_000_000).iter().all(|tag| tag != "x"));

    let (mut api, token) = installed(&["write_customers"]);
    data(&mut api, &token, "{ customers(first: 1) { nodes { id } } }", json!({}));
    let (mut api, token) = installed(&["read_products"]);
    let body = run(&mut api, &token, "{ customers(first: 1) { nodes { id } } }", json!({}));
    assert_eq!(first_error(&body)["extensions"]["code"], "ACCESS_DENIED");
}

#[test]
fn customers_page_forwards_and_backwards_by_cursor() {
    let (mut api, token) = full_api();
    let query = "query ($after: String) { customers(first: 20, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = data(&mut api, &token, query, json!({ "after": after }))["customers"].clone();
        let edges = page["edges"].as_array().unwrap();
        seen.extend(edges.iter().map(|edge| edge["node"]["id"].as_str().unwrap().to_owned()));
        assert_eq!(page["pageInfo"]["endCursor"], edges.last().unwrap()["cursor"]);
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<String> = api
        .shop()
        .customers
        .iter()
        .map(|customer| format!("gid://shopify/Customer/{}", customer.id))
        .collect();
    assert_eq!(seen, expected);

    let last = data(
        &mut api,
        &token,
        "{ customers(last: 3) { nodes { id } pageInfo { hasPreviousPage } } }",
        json!({}),
    );
    assert_eq!(last["customers"]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(last["customers"]["nodes"][2]["id"], *expected.last().unwrap());
    assert_eq!(last["customers"]["pageInfo"]["hasPreviousPage"], true);
}

#[test]
fn customers_filter_by_tag_email_and_country() {
    let (mut api, token) = full_api();
    let query = "query ($q: String) { customers(first: 250, query: $q) { nodes { id email tags } } }";
    let ids = |result: &Value| -> Vec<String> {
        result["customers"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let newsletter = ids(&data(&mut api, &token, query, json!({ "q": "tag:newsletter" })));
    let expected: Vec<String> = api
        .shop()
        .customers
        .iter()
        .filter(|customer| customer.tags.iter().any(|tag| tag == "newsletter"))
        .map(|customer| format!("gid://shopify/Customer/{}", customer.id))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(newsletter, expected);

    let email = api.shop().customers[4].email.clone();
    let by_email = ids(&data(&mut api, &token, query, json!({ "q": format!("email:'{email}'") })));
    assert_eq!(by_email.len(), 1);

    let us_not_newsletter =
        ids(&data(&mut api, &token, query, json!({ "q": "country:US tag_not:newsletter" })));
    let expected = api
        .shop()
        .customers
        .iter()
        .filter(|c| c.country_code == "US" && !c.tags.iter().any(|t| t == "newsletter"))
        .count();
    assert_eq!(us_not_newsletter.len(), expected);

    let body = run(&mut api, &token, query, json!({ "q": "orders_count:>3" }));
    assert!(first_error(&body)["message"].as_str().unwrap().contains("`orders_count`"), "{body}");
}

#[test]
fn customers_need_a_page_size_within_bounds() {
    let (mut api, token) = full_api();
    let body = run(&mut api, &token, "{ customers(first: 251) { nodes { id } } }", json!({}));
    assert!(first_error(&body)["message"].as_str().unwrap().contains("250"), "{body}");
    let body = run(&mut api, &token, "{ customers { nodes { id } } }", json!({}));
    assert_eq!(first_error(&body)["message"], "you must provide one of first or last");
}

#[test]
fn order_totals_come_from_the_shop_orders() {
    let (mut api, token) = full_api();
    let (id, count, spent) = {
        let shop = api.shop();
        let buyer = shop.orders.iter().find_map(|order| order.customer_id).unwrap();
        let orders: Vec<_> = shop.orders.iter().filter(|order| order.customer_id == Some(buyer)).collect();
        let spent: u64 = orders
            .iter()
            .filter(|o| o.cancelled_at.is_none())
            .map(|o| o.subtotal_cents - o.refunded_cents())
            .sum();
        (buyer, orders.len(), spent)
    };
    let result = data(
        &mut api,
        &token,
        "query ($id: ID!) { customer(id: $id) { numberOfOrders amountSpent { amount currencyCode } defaultAddress { countryCodeV2 } } }",
        json!({ "id": format!("gid://shopify/Customer/{id}") }),
    );
    assert_eq!(result["customer"]["numberOfOrders"], count.to_string());
    assert_eq!(result["customer"]["amountSpent"]["amount"], format!("{}.{:02}", spent / 100, spent % 100));
    let missing = data(&mut api, &token, "{ customer(id: \"gid://shopify/Customer/1\") { id } }", json!({}));
    assert_eq!(missing["customer"], Value::Null);
}

#[test]
fn tags_are_added_and_removed_without_duplicates() {
    let (mut api, token) = full_api();
    let id = 7_100_000_003;
    let gid = format!("gid://shopify/Customer/{id}");
    let before = tags_of(&api.shop(), id);
    let add = "mutation ($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id ... on Customer { tags } } userErrors { field message } } }";
    let result = data(
        &mut api,
        &token,
        add,
        json!({ "id": gid, "tags": ["seglink:vip", "seglink:new, seglink:VIP"] }),
    );
    assert_eq!(result["tagsAdd"]["userErrors"], json!([]));
    let mut expected = before.clone();
    expected.extend(["seglink:vip".to_owned(), "seglink:new".to_owned()]);
    assert_eq!(result["tagsAdd"]["node"]["tags"], json!(expected));
    assert_eq!(tags_of(&api.shop(), id), expected);

    let remove = "mutation ($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }";
    data(
        &mut api,
        &token,
        remove,
        json!({ "id": gid, "tags": ["SEGLINK:VIP", "seglink:new", "never-there"] }),
    );
    assert_eq!(tags_of(&api.shop(), id), before);

    let cost = run(&mut api, &token, remove, json!({ "id": gid, "tags": ["x"] }))["extensions"]["cost"]["requestedQueryCost"].clone();
    assert_eq!(cost, 10);
}

#[test]
fn bad_tag_requests_get_user_errors_and_change_nothing() {
    let (mut api, token) = full_api();
    let add = "mutation ($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }";
    let missing = data(&mut api, &token, add, json!({ "id": "gid://shopify/Customer/1", "tags": ["a"] }));
    assert_eq!(missing["tagsAdd"]["userErrors"][0]["field"], json!(["id"]));
    assert_eq!(missing["tagsAdd"]["node"], Value::Null);

    let id = 7_100_000_001;
    let before = tags_of(&api.shop(), id);
    let long = "x".repeat(256);
    let result = data(
        &mut api,
        &token,
        add,
        json!({ "id": format!("gid://shopify/Customer/{id}"), "tags": ["ok", long] }),
    );
    assert_eq!(result["tagsAdd"]["userErrors"][0]["field"], json!(["tags"]));
    assert_eq!(tags_of(&api.shop(), id), before, "all or nothing");
}

#[test]
fn an_empty_bucket_throttles_until_it_restores() {
    let (mut api, token) = full_api();
    api.bucket_mut().drain(NOW);
    let request = json!({ "query": "{ customers(first: 10) { nodes { id } } }" });
    let throttled = api.graphql(&token, &request, NOW);
    assert_eq!(throttled.status, 200);
    assert_eq!(throttled.body["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(throttled.body["extensions"]["cost"]["requestedQueryCost"], 12);
    assert_eq!(throttled.body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"], 0);
    let later = api.graphql(&token, &request, NOW + Duration::from_millis(120));
    assert!(later.body.get("errors").is_none(), "{}", later.body);
    assert_eq!(later.body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"], 0);
}

#[test]
fn malformed_requests_get_a_reason() {
    let (mut api, token) = full_api();
    let no_query = api.graphql(&token, &json!({ "variables": {} }), NOW);
    assert_eq!(no_query.body["errors"][0]["message"], "Parameter Missing or Invalid: query");
    let bad_variables = api.graphql(&token, &json!({ "query": "{ shop { name } }", "variables": [1] }), NOW);
    assert!(bad_variables.body["errors"][0]["message"].is_string());
    let wrong_type = run(
        &mut api,
        &token,
        "query ($n: Int!) { customers(first: $n) { nodes { id } } }",
        json!({ "n": "ten" }),
    );
    assert!(wrong_type["errors"][0]["message"].is_string(), "{wrong_type}");
}
