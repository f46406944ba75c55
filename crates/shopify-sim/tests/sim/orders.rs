//! Orders and products read through the Admin API: pages, filters, the 60-day window without
//! `read_all_orders`, and bulk reads of orders with their line items.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::orders::RECENT_ORDER_DAYS;
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);

fn installed(scopes: &[&str]) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 40, products: 8, orders: 400, ..SeedOptions::default() });
    crate::common::install(shop, "8", scopes, Plan::Plus, NOW)
}

fn data(api: &mut AdminApi, token: &str, query: &str, variables: Value) -> Value {
    let body = api.graphql(token, &json!({ "query": query, "variables": variables }), NOW).body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

const PAGE: &str = "query ($after: String, $q: String) { orders(first: 100, after: $after, query: $q) { nodes { id } pageInfo { hasNextPage endCursor } } }";

fn all_order_ids(api: &mut AdminApi, token: &str, query: Option<&str>) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = data(api, token, PAGE, json!({ "after": after, "q": query }))["orders"].clone();
        ids.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|node| node["id"].as_str().unwrap().rsplit('/').next().unwrap().parse::<u64>().unwrap()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            return ids;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[test]
fn an_app_without_read_all_orders_sees_sixty_days() {
    let (mut api, token) = installed(&["read_orders"]);
    let cutoff = NOW.as_secs() - RECENT_ORDER_DAYS * 86_400;
    let recent: Vec<u64> =
        api.shop().orders.iter().filter(|order| order.created_at >= cutoff).map(|order| order.id).collect();
    assert!(recent.len() < api.shop().orders.len(), "the seed spans 90 days");
    assert_eq!(all_order_ids(&mut api, &token, None), recent);

    let (mut api, token) = installed(&["read_orders", "read_all_orders"]);
    let every: Vec<u64> = api.shop().orders.iter().map(|order| order.id).collect();
    assert_eq!(all_order_ids(&mut api, &token, None), every);
}

#[test]
fn orders_filter_by_customer_date_and_status() {
    let (mut api, token) = installed(&["read_orders", "read_all_orders"]);
    let (buyer, expected_buyer, refunded) = {
        let shop = api.shop();
        let buyer = shop.orders.iter().find_map(|order| order.customer_id).unwrap();
        let of_buyer: Vec<u64> = shop
            .orders
            .iter()
            .filter(|order| order.customer_id == Some(buyer))
            .map(|order| order.id)
            .collect();
        let refunded: Vec<u64> = shop
            .orders
            .iter()
            .filter(|order| order.financial_status == shopify_sim::shop::FinancialStatus::Refunded)
            .map(|order| order.id)
            .collect();
        (buyer, of_buyer, refunded)
    };
    assert_eq!(all_order_ids(&mut api, &token, Some(&format!("customer_id:{buyer}"))), expected_buyer);
    assert_eq!(all_order_ids(&mut api, &token, Some("financial_status:refunded")), refunded);
    let september: Vec<u64> = api
        .shop()
        .orders
        .iter()
        .filter(|order| (1_788_220_800..1_790_812_800).contains(&order.created_at))
        .map(|order| order.id)
        .collect();
    assert_eq!(
        all_order_ids(&mut api, &token, Some("created_at:>=2026-09-01 created_at:<2026-10-01")),
        september
    );
    let body = api.graphql(&token, &json!({ "query": PAGE, "variables": { "q": "tag:gift" } }), NOW).body;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("tag:gift"));
}

#[test]
fn an_order_reads_with_its_lines_money_and_refunds() {
    let (mut api, token) = installed(&["read_orders", "read_all_orders", "read_products"]);
    let order = api
        .shop()
        .orders
        .iter()
        .find(|order| !order.refunds.is_empty() && order.customer_id.is_some())
        .cloned()
        .unwrap();
    let query = "query ($id: ID!) { order(id: $id) {
        name displayFinancialStatus customer { id }
        totalPriceSet { shopMoney { amount currencyCode } }
        currentTotalPriceSet { shopMoney { amount } }
        lineItems(first: 10) { nodes { quantity variant { id } product { id title } originalUnitPriceSet { shopMoney { amount } } } }
        refunds { totalRefundedSet { shopMoney { amount } } }
    } }";
    let read =
        data(&mut api, &token, query, json!({ "id": format!("gid://shopify/Order/{}", order.id) }))["order"]
            .clone();
    assert_eq!(read["name"], order.name);
    assert_eq!(read["customer"]["id"], format!("gid://shopify/Customer/{}", order.customer_id.unwrap()));
    let amount = |cents: u64| format!("{}.{:02}", cents / 100, cents % 100);
    assert_eq!(
        read["totalPriceSet"]["shopMoney"],
        json!({ "amount": amount(order.subtotal_cents), "currencyCode": "USD" })
    );
    assert_eq!(
        read["currentTotalPriceSet"]["shopMoney"]["amount"],
        amount(order.subtotal_cents - order.refunded_cents())
    );
    let lines = read["lineItems"]["nodes"].as_array().unwrap();
    assert_eq!(lines.len(), order.lines.len());
    assert_eq!(lines[0]["quantity"], order.lines[0].quantity);
    assert_eq!(
        lines[0]["variant"]["id"],
        format!("gid://shopify/ProductVariant/{}", order.lines[0].variant_id)
    );
    assert_eq!(
        read["refunds"][0]["totalRefundedSet"]["shopMoney"]["amount"],
        amount(order.refunds[0].amount_cents)
    );
    assert_eq!(read["displayFinancialStatus"], serde_json::to_value(order.financial_status).unwrap());
}

#[test]
fn products_page_and_orders_read_in_bulk() {
    let (mut api, token) = installed(&["read_orders", "read_all_orders", "read_products"]);
    let first = data(
        &mut api,
        &token,
        "{ products(first: 5) { nodes { id } pageInfo { hasNextPage endCursor } } }",
        json!({}),
    );
    assert_eq!(first["products"]["nodes"].as_array().unwrap().len(), 5);
    let rest = data(
        &mut api,
        &token,
        "query ($after: String) { products(first: 5, after: $after) { nodes { id } pageInfo { hasNextPage } } }",
        json!({ "after": first["products"]["pageInfo"]["endCursor"] }),
    );
    assert_eq!(rest["products"]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(rest["products"]["pageInfo"]["hasNextPage"], false);

    let run = "mutation ($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }";
    let bulk = data(
        &mut api,
        &token,
        run,
        json!({ "q": "{ orders { edges { node { id lineItems { edges { node { quantity } } } } } } }" }),
    );
    assert_eq!(bulk["bulkOperationRunQuery"]["userErrors"], json!([]));
    let jsonl = api.bulk_result(1).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let (orders, items): (Vec<&Value>, Vec<&Value>) =
        lines.iter().partition(|line| line.get("__parentId").is_none());
    assert_eq!(orders.len(), api.shop().orders.len());
    let line_count: usize = api.shop().orders.iter().map(|order| order.lines.len()).sum();
    assert_eq!(items.len(), line_count);
}
