//! Rules parse with the path to any bad node, evaluate each condition kind at its edges, and
//! explain every verdict with the values compared.

use segment_rules::{Customer, PlacedOrder, SeenEvent, evaluate, parse};
use serde_json::json;

const NOW: i64 = 1_795_000_000;
const DAY: i64 = 86_400;

fn vip() -> Customer {
    Customer {
        country: Some("DE".to_owned()),
        tags: vec!["vip".to_owned(), " wholesale".to_owned()],
        amount_spent_cents: 42_000,
        orders_count: 3,
        orders: vec![
            PlacedOrder { at: NOW - 10 * DAY, cents: 30_000 },
            PlacedOrder { at: NOW - 90 * DAY, cents: 2_000 },
            PlacedOrder { at: NOW - 91 * DAY, cents: 10_000 },
        ],
        last_order_at: Some(NOW - 10 * DAY),
        email_marketing: Some("SUBSCRIBED".to_owned()),
        created_at: Some(NOW - 400 * DAY),
    }
}

/// The verdict, checked to be the same with and without the explanation.
fn held(rule: serde_json::Value, customer: &Customer, events: &[SeenEvent]) -> bool {
    let rule = parse(&rule).unwrap();
    let member = evaluate(&rule, customer, events, NOW).member;
    assert_eq!(segment_rules::matches(&rule, customer, events, NOW), member);
    member
}

#[test]
fn each_condition_kind_holds_at_its_edge() {
    let customer = vip();
    assert!(held(json!({ "if": "country", "in": ["de", "AT"] }), &customer, &[]));
    assert!(!held(json!({ "if": "country", "in": ["FR"] }), &customer, &[]));
    assert!(held(json!({ "if": "tag", "is": "WHOLESALE" }), &customer, &[]));
    assert!(held(json!({ "if": "amount_spent", "op": ">=", "cents": 42_000 }), &customer, &[]));
    assert!(!held(json!({ "if": "amount_spent", "op": ">", "cents": 42_000 }), &customer, &[]));
    assert!(held(json!({ "if": "orders_count", "op": "<=", "value": 3 }), &customer, &[]));
    assert!(held(json!({ "if": "last_order_within_days", "days": 10 }), &customer, &[]));
    assert!(!held(json!({ "if": "last_order_within_days", "days": 9 }), &customer, &[]));
    assert!(held(json!({ "if": "email_marketing", "is": "subscribed" }), &customer, &[]));
    assert!(!held(json!({ "if": "created_within_days", "days": 399 }), &customer, &[]));
    let view = |days_ago: i64, product: &str| SeenEvent {
        kind: "product_view".to_owned(),
        at: NOW - days_ago * DAY,
        products: vec![product.to_owned()],
        collection_id: None,
    };
    let events = [view(0, "7"), view(30, "7"), view(31, "7"), view(1, "8")];
    let did = |times: i64, days: i64| json!({ "if": "did", "event": "product_view", "product_id": "7", "times": times, "days": days });
    assert!(held(did(2, 30), &customer, &events), "the window includes its edge");
    assert!(!held(did(3, 30), &customer, &events));
    assert!(held(did(3, 31), &customer, &events));
    assert!(!held(json!({ "if": "last_order_within_days", "days": 30 }), &Customer::default(), &[]));
}

#[test]
fn spending_and_orders_count_over_a_window_of_days() {
    let customer = vip();
    let spent =
        |cents: i64, days: i64| json!({ "if": "amount_spent", "op": ">=", "cents": cents, "days": days });
    assert!(held(spent(32_000, 90), &customer, &[]), "the window includes its edge");
    assert!(!held(spent(32_001, 90), &customer, &[]));
    assert!(held(spent(42_000, 91), &customer, &[]));
    let orders = json!({ "if": "orders_count", "op": ">=", "value": 2, "days": 90 });
    assert!(held(orders, &customer, &[]));
    let outcome = evaluate(&parse(&spent(50_000, 90)).unwrap(), &customer, &[], NOW);
    assert_eq!(outcome.explanations[0].detail, "amount spent in 90 days 320.00 < 500.00");
    let windowed = parse(&spent(50_000, 90)).unwrap();
    assert!(segment_rules::native::translate(&windowed).unwrap_err().0.contains("window of days"));
}

#[test]
fn groups_nest_and_every_condition_is_explained() {
    let rule = json!({ "all": [
        { "if": "country", "in": ["DE"] },
        { "any": [ { "if": "amount_spent", "op": ">=", "cents": 50_000 }, { "if": "tag", "is": "vip" } ] },
    ] });
    let outcome = evaluate(&parse(&rule).unwrap(), &vip(), &[], NOW);
    assert!(outcome.member);
    let details: Vec<(&str, bool, &str)> = outcome
        .explanations
        .iter()
        .map(|line| (line.path.as_str(), line.held, line.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            ("/all/0", true, "country DE in DE"),
            ("/all/1/any/0", false, "amount spent 420.00 < 500.00"),
            ("/all/1/any/1", true, "has tag vip"),
        ]
    );
}

#[test]
fn bad_rules_name_the_path_to_the_bad_node() {
    let cases = [
        (json!([]), "/", "must be an object"),
        (json!({ "all": [] }), "/all", "must hold at least one rule"),
        (
            json!({ "all": [{ "if": "tag", "is": "vip" }, { "if": "amount_spent", "op": "=", "cents": 1 }] }),
            "/all/1/op",
            "must be one of >=, <=, >, <",
        ),
        (
            json!({ "any": [{ "if": "country", "in": ["DEU"] }] }),
            "/any/0/in/0",
            "must be a two-letter country code",
        ),
        (
            json!({ "if": "did", "event": "purchase", "times": 1, "days": 0 }),
            "/days",
            "must be a whole number from 1 to 3650",
        ),
        (json!({ "if": "moon_phase" }), "/if", "is not a condition Seglink knows"),
    ];
    for (rule, path, message) in cases {
        let error = parse(&rule).unwrap_err();
        assert_eq!((error.path.as_str(), error.message.as_str()), (path, message), "{rule}");
    }
    // An event kind nothing records would match nobody, silently: refused, with the kinds named.
    let typo = json!({ "any": [{ "if": "did", "event": "purchased", "times": 1, "days": 30 }] });
    let error = parse(&typo).unwrap_err();
    assert_eq!(error.path, "/any/0/event");
    assert!(
        error.message.starts_with("is not an event Seglink records; one of page_view,"),
        "{}",
        error.message
    );
    assert!(error.message.contains("purchase,"));
    let mut deep = json!({ "if": "tag", "is": "x" });
    for _ in 0..10 {
        deep = json!({ "all": [deep] });
    }
    assert!(parse(&deep).unwrap_err().message.contains("too deep"));
}

#[test]
fn attribute_rules_become_shopify_queries_the_simulator_accepts() {
    use segment_rules::native::{tag_query, translate};
    let rule = parse(&json!({ "all": [
        { "if": "country", "in": ["DE", "AT"] },
        { "any": [ { "if": "amount_spent", "op": ">=", "cents": 50_000 }, { "if": "orders_count", "op": ">", "value": 3 } ] },
        { "if": "last_order_within_days", "days": 90 },
        { "if": "email_marketing", "is": "subscribed" },
    ] }))
    .unwrap();
    let query = translate(&rule).unwrap();
    assert_eq!(
        query,
        "(customer_countries CONTAINS 'DE' OR customer_countries CONTAINS 'AT') AND (amount_spent >= 500.00 OR \
         number_of_orders > 3) AND last_order_date >= -90d AND email_subscription_status = 'SUBSCRIBED'"
    );
    for text in [
        query.as_str(),
        &tag_query("vip"),
        &translate(&parse(&json!({ "if": "tag", "is": "vip" })).unwrap()).unwrap(),
    ] {
        assert!(shopify_sim::segment_query::Query::parse(text).is_ok(), "{text}");
    }
}

#[test]
fn what_shopify_cannot_express_is_said_in_words() {
    use segment_rules::native::translate;
    let behaviour = json!({ "all": [ { "if": "tag", "is": "vip" }, { "if": "did", "event": "purchase", "times": 2, "days": 30 } ] });
    assert!(translate(&parse(&behaviour).unwrap()).unwrap_err().0.contains("behavioural conditions"));
    let many = json!({ "any": (0..11).map(|index| json!({ "if": "tag", "is": format!("t{index}") })).collect::<Vec<_>>() });
    assert!(translate(&parse(&many).unwrap()).unwrap_err().0.contains("at most 10"));
    let quote = json!({ "if": "tag", "is": "o'brien" });
    assert!(translate(&parse(&quote).unwrap()).unwrap_err().0.contains("quote"));
}

#[test]
fn conditions_on_storefront_signals_are_named() {
    let rule = parse(&json!({ "all": [
        { "if": "did", "event": "product_view", "times": 2, "days": 7 },
        { "any": [
            { "if": "did", "event": "add_to_cart", "times": 1, "days": 7 },
            { "if": "did", "event": "purchase", "times": 1, "days": 7 },
            { "if": "did", "event": "product_view", "product_id": "7", "times": 1, "days": 7 },
        ] },
        { "if": "amount_spent", "op": ">", "cents": 100 },
    ] }))
    .unwrap();
    let signals = segment_rules::storefront_signals(&rule);
    assert_eq!(signals.len(), 2, "product_view once, add_to_cart once: {signals:?}");
    assert!(signals[0].starts_with("`did product_view` counts events the storefront pixel reports"));
    assert!(signals[1].starts_with("`did add_to_cart`"));
    let verified = parse(&json!({ "if": "did", "event": "purchase", "times": 1, "days": 7 })).unwrap();
    assert!(
        segment_rules::storefront_signals(&verified).is_empty(),
        "purchases come from Shopify's webhooks"
    );
}
