//! Segment queries, native segments and their members against a seeded shop.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::segment_query::Query;
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);

fn installed() -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 80, products: 6, orders: 600, ..SeedOptions::default() });
    crate::common::install(shop, "5", &["write_customers"], Plan::Plus, NOW)
}

fn data(api: &mut AdminApi, token: &str, query: &str, variables: Value) -> Value {
    let body = api.graphql(token, &json!({ "query": query, "variables": variables }), NOW).body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

const MEMBERS: &str = "query ($q: String, $segment: ID, $after: String) {
  customerSegmentMembers(first: 250, query: $q, segmentId: $segment, after: $after) {
    totalCount
    edges { node { id } }
  }
}";

fn member_ids(api: &mut AdminApi, token: &str, query: &str) -> Vec<u64> {
    let result = data(api, token, MEMBERS, json!({ "q": query }));
    let edges = result["customerSegmentMembers"]["edges"].as_array().unwrap().clone();
    assert_eq!(result["customerSegmentMembers"]["totalCount"], edges.len());
    edges
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn queries_parse_or_say_where_they_break() {
    for valid in [
        "customer_tags CONTAINS 'seglink:vip'",
        "customer_tags NOT CONTAINS 'it\\'s'",
        "(customer_countries CONTAINS 'US' OR customer_countries CONTAINS 'CA') AND amount_spent >= 100",
        "number_of_orders BETWEEN 2 AND 5",
        "last_order_date >= -30d AND first_order_date < 2026-01-01",
        "last_order_date IS NULL OR customer_tags IS NOT NULL",
        "email_subscription_status = 'SUBSCRIBED'",
    ] {
        assert!(Query::parse(valid).is_ok(), "{valid}: {:?}", Query::parse(valid));
    }
    let error = |query: &str| Query::parse(query).unwrap_err();
    assert_eq!(
        error("customer_tagz CONTAINS 'x'"),
        "Query Line 1 Column 1: 'customer_tagz' filter cannot be found."
    );
    assert_eq!(error("customer_tags CONTAINS valid"), "Query Line 1 Column 24: 'valid' is unexpected.");
    assert_eq!(
        error("amount_spent >= 10 AND\n  nonsense = 1"),
        "Query Line 2 Column 3: 'nonsense' filter cannot be found."
    );
    assert_eq!(error("amount_spent >= 10 10"), "Query Line 1 Column 20: '10' is unexpected.");
    let eleven = ["amount_spent > 1"; 11].join(" OR ");
    assert_eq!(error(&eleven), "Invalid query: Too many clauses (>10)");
    assert!(Query::parse(&["amount_spent > 1"; 10].join(" OR ")).is_ok());
    assert!(error("products_purchased MATCHES (id = 1)").contains("does not simulate"));
    assert!(error("customer_tags CONTAINS 'open").contains("not closed"));
    assert!(error("email_subscription_status = 'MAYBE'").contains("MAYBE"));
    assert!(error("(amount_spent > 1").contains("incomplete"));
}

#[test]
fn members_follow_tags_countries_and_order_history() {
    let (mut api, token) = installed();
    let (tagged, us, frequent, recent, stats) = {
        let shop = api.shop();
        let ids = |keep: &dyn Fn(&shopify_sim::shop::Customer) -> bool| -> Vec<u64> {
            shop.customers.iter().filter(|customer| keep(customer)).map(|customer| customer.id).collect()
        };
        let mut stats: HashMap<u64, (u64, u64)> = HashMap::new();
        for order in &shop.orders {
            if let Some(customer) = order.customer_id {
                let entry = stats.entry(customer).or_default();
                entry.0 += 1;
                entry.1 = entry.1.max(order.created_at);
            }
        }
        let tagged = ids(&|customer| customer.tags.iter().any(|tag| tag == "newsletter"));
        let us = ids(&|customer| customer.country_code == "US");
        let frequent = ids(&|customer| stats.get(&customer.id).is_some_and(|(count, _)| *count >= 10));
        let today = NOW.as_secs() / 86_400;
        let recent =
            ids(&|customer| stats.get(&customer.id).is_some_and(|(_, last)| last / 86_400 >= today - 7));
        (tagged, us, frequent, recent, stats)
    };
    assert!(!tagged.is_empty() && !us.is_empty() && !frequent.is_empty() && !recent.is_empty());
    assert_eq!(
        member_ids(&mut api, &token, "customer_tags CONTAINS 'NEWSLETTER'"),
        tagged,
        "tags match in any case"
    );
    assert_eq!(member_ids(&mut api, &token, "customer_countries CONTAINS 'US'"), us);
    assert_eq!(member_ids(&mut api, &token, "number_of_orders >= 10"), frequent);
    assert_eq!(member_ids(&mut api, &token, "last_order_date >= -7d"), recent);
    let never = member_ids(&mut api, &token, "last_order_date IS NULL");
    assert!(never.iter().all(|id| !stats.contains_key(id)));

    let both = member_ids(
        &mut api,
        &token,
        "customer_tags CONTAINS 'newsletter' AND customer_countries CONTAINS 'US'",
    );
    assert_eq!(both, tagged.iter().copied().filter(|id| us.contains(id)).collect::<Vec<_>>());
    let precedence = member_ids(
        &mut api,
        &token,
        "number_of_orders >= 10 OR customer_tags CONTAINS 'newsletter' AND customer_countries CONTAINS 'US'",
    );
    let mut expected: Vec<u64> = frequent.iter().chain(both.iter()).copied().collect();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(precedence, expected, "AND binds tighter than OR");
}

#[test]
fn a_native_segment_is_saved_and_its_members_listed_in_pages() {
    let (mut api, token) = installed();
    let create = "mutation ($name: String!, $query: String!) { segmentCreate(name: $name, query: $query) { segment { id name query } userErrors { field message } } }";
    let made = data(
        &mut api,
        &token,
        create,
        json!({ "name": "Seglink: newsletter", "query": "customer_tags CONTAINS 'newsletter'" }),
    );
    assert_eq!(made["segmentCreate"]["userErrors"], json!([]));
    let id = made["segmentCreate"]["segment"]["id"].as_str().unwrap().to_owned();

    let duplicate =
        data(&mut api, &token, create, json!({ "name": "Seglink: newsletter", "query": "amount_spent > 1" }));
    assert_eq!(duplicate["segmentCreate"]["userErrors"][0]["field"], json!(["name"]));
    let broken =
        data(&mut api, &token, create, json!({ "name": "Broken", "query": "customer_tags CONTAINS valid" }));
    assert_eq!(
        broken["segmentCreate"]["userErrors"][0],
        json!({ "field": ["query"], "message": "Query Line 1 Column 24: 'valid' is unexpected." })
    );

    let all = member_ids(&mut api, &token, "customer_tags CONTAINS 'newsletter'");
    let page_query = "query ($segment: ID, $after: String) { customerSegmentMembers(first: 5, segmentId: $segment, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = data(&mut api, &token, page_query, json!({ "segment": id, "after": after }))["customerSegmentMembers"].clone();
        for edge in page["edges"].as_array().unwrap() {
            seen.push(
                edge["node"]["id"].as_str().unwrap().rsplit('/').next().unwrap().parse::<u64>().unwrap(),
            );
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, all);

    let update = "mutation ($id: ID!, $query: String) { segmentUpdate(id: $id, query: $query) { segment { query } userErrors { message } } }";
    let updated =
        data(&mut api, &token, update, json!({ "id": id, "query": "customer_tags CONTAINS 'vip'" }));
    assert_eq!(updated["segmentUpdate"]["segment"]["query"], "customer_tags CONTAINS 'vip'");
    let read =
        data(&mut api, &token, "query ($id: ID!) { segment(id: $id) { name query } }", json!({ "id": id }));
    assert_eq!(read["segment"]["name"], "Seglink: newsletter");

    let body = api.graphql(&token, &json!({ "query": MEMBERS, "variables": { "q": "bogus = 1" } }), NOW).body;
    assert_eq!(body["errors"][0]["message"], "Query Line 1 Column 1: 'bogus' filter cannot be found.");
}
