//! Requested query cost and the per-shop leaky bucket, against shopify.dev's rules ("GraphQL
//! Admin API rate limits"): the numbers here are the ones Shopify reports for the same documents.

use std::time::Duration;

use serde_json::{Map, Value, json};
use shopify_sim::{AdminSchema, Bucket, MAX_QUERY_COST, Plan, Refusal, requested_cost};

fn cost_with(document: &str, variables: Value) -> u64 {
    let valid = AdminSchema::get().validate(document).unwrap_or_else(|errors| panic!("{}", errors.to_json()));
    let operation = valid.operations.get(None).expect("one operation");
    let variables: Map<String, Value> = serde_json::from_value(variables).expect("an object");
    requested_cost(&valid, operation, &variables)
}

fn cost(document: &str) -> u64 {
    cost_with(document, json!({}))
}

const fn at_ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

#[test]
fn objects_cost_one_and_scalars_nothing() {
    assert_eq!(cost("{ shop { name currencyCode } }"), 1);
    assert_eq!(cost("{ shop { name } currentAppInstallation { id accessScopes { handle } } }"), 3);
}

#[test]
fn a_connection_costs_two_plus_each_object_it_asks_for() {
    assert_eq!(
        cost("{ products(first: 10) { edges { cursor node { id title } } pageInfo { hasNextPage } } }"),
        12
    );
    assert_eq!(cost("{ customers(last: 3) { nodes { id } } }"), 5);
    assert_eq!(cost("{ orders(first: 10) { nodes { id customer { id } } } }"), 22);
}

#[test]
fn nested_connections_multiply() {
    let document = "{ products(first: 10) { nodes { id variants(first: 5) { nodes { id } } } } }";
    assert_eq!(cost(document), 2 + 10 * (1 + 2 + 5));
}

#[test]
fn page_sizes_come_from_variables_or_their_defaults() {
    let document = "query ($n: Int = 20) { customers(first: $n) { nodes { id } } }";
    assert_eq!(cost(document), 22);
    assert_eq!(cost_with(document, json!({ "n": 50 })), 52);
    assert_eq!(cost("query ($n: Int) { customers(first: $n) { nodes { id } } }"), 2);
}

#[test]
fn an_interface_costs_its_most_expensive_branch() {
    let document = "
        query { node(id: \"gid://shopify/Product/1\") {
          id
          ... on Product { collections(first: 5) { nodes { id } } }
          ...CustomerBits
        } }
        fragment CustomerBits on Customer { defaultAddress { city } }";
    assert_eq!(cost(document), 1 + (2 + 5));
}

#[test]
fn a_mutation_costs_ten() {
    let document = "mutation { tagsAdd(id: \"gid://shopify/Customer/1\", tags: [\"vip\"]) { node { id } userErrors { message } } }";
    assert_eq!(cost(document), 10);
}

#[test]
fn a_query_over_the_single_query_limit_is_refused_on_every_plan() {
    let document = "{ customers(first: 250) { nodes { orders(first: 250) { nodes { id } } } } }";
    let requested = cost(document);
    assert!(requested > MAX_QUERY_COST);
    let mut bucket = Bucket::new(Plan::Enterprise, at_ms(0));
    let refusal = bucket.charge(requested, at_ms(0)).unwrap_err();
    assert!(matches!(refusal, Refusal::TooCostly { .. }));
    let error = serde_json::to_value(refusal.error()).unwrap();
    assert_eq!(error["extensions"]["code"], "MAX_COST_EXCEEDED");
    assert_eq!(error["extensions"]["cost"], requested);
    assert_eq!(error["extensions"]["maxCost"], 1000);
    assert_eq!(bucket.status_at(at_ms(0)).currently_available, 40_000, "a refused query costs nothing");
    assert!(bucket.charge(MAX_QUERY_COST, at_ms(0)).is_ok());
}

#[test]
fn plans_set_the_rate_and_a_bucket_twenty_times_it() {
    let expected = [
        (Plan::Standard, 100, 2_000),
        (Plan::Advanced, 200, 4_000),
        (Plan::Plus, 1_000, 20_000),
        (Plan::Enterprise, 2_000, 40_000),
    ];
    for (plan, rate, maximum) in expected {
        let status = Bucket::new(plan, at_ms(0)).status_at(at_ms(0));
        assert_eq!(
            (status.restore_rate, status.maximum_available, status.currently_available),
            (rate, maximum, maximum)
        );
    }
}

#[test]
fn the_bucket_empties_then_throttles_then_restores_at_the_plan_rate() {
    let mut bucket = Bucket::new(Plan::Standard, at_ms(0));
    for charged in 1..=20 {
        let status = bucket.charge(100, at_ms(0)).expect("the bucket holds 2000 points");
        assert_eq!(status.currently_available, 2_000 - charged * 100);
    }
    let Err(Refusal::Throttled { retry_after_secs, status, .. }) = bucket.charge(150, at_ms(0)) else {
        panic!("an empty bucket throttles");
    };
    assert_eq!((retry_after_secs, status.currently_available), (2, 0));
    assert!(bucket.charge(150, at_ms(1_499)).is_err(), "149.9 points are not enough");
    let status = bucket.charge(150, at_ms(1_500)).expect("150 points restored after 1.5 s");
    assert_eq!(status.currently_available, 0);
    assert_eq!(bucket.status_at(at_ms(3_600_000)).currently_available, 2_000, "never above the maximum");
}

#[test]
fn the_difference_between_requested_and_actual_is_refunded() {
    let mut bucket = Bucket::new(Plan::Plus, at_ms(0));
    bucket.charge(1_000, at_ms(0)).unwrap();
    let status = bucket.refund(1_000, 12, at_ms(0));
    assert_eq!(status.currently_available, 20_000 - 12);
    assert_eq!(bucket.refund(50, 10, at_ms(0)).currently_available, 20_000, "a refund never overfills");
}

#[test]
fn a_clock_that_goes_back_restores_nothing_and_drains_nothing() {
    let mut bucket = Bucket::new(Plan::Standard, at_ms(10_000));
    bucket.drain(at_ms(10_000));
    assert_eq!(bucket.status_at(at_ms(5_000)).currently_available, 0);
    assert_eq!(bucket.status_at(at_ms(10_010)).currently_available, 1);
}

#[test]
fn throttled_responses_carry_the_bucket_in_extensions_cost() {
    let mut bucket = Bucket::new(Plan::Standard, at_ms(0));
    bucket.drain(at_ms(0));
    let refusal = bucket.charge(12, at_ms(50)).unwrap_err();
    assert_eq!(
        serde_json::to_value(refusal.error()).unwrap(),
        json!({ "message": "Throttled", "extensions": { "code": "THROTTLED" } })
    );
    assert_eq!(
        refusal.cost_extension(),
        json!({
            "requestedQueryCost": 12,
            "actualQueryCost": null,
            "throttleStatus": { "maximumAvailable": 2000, "currentlyAvailable": 5, "restoreRate": 100 },
        })
    );
}
