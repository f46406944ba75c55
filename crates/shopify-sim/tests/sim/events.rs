//! State changes in the shop emit the webhooks Shopify would, to the subscriptions the app made
//! through `webhookSubscriptionCreate`.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::signing::webhook_hmac;
use shopify_sim::webhooks::Delivery;
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

use crate::common::SECRET;
const NOW: Duration = Duration::from_secs(1_790_812_800);
const HOOKS: &str = "https://app.example/webhooks";

fn installed(scopes: &[&str]) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 10, products: 3, orders: 30, ..SeedOptions::default() });
    crate::common::install(shop, "client", scopes, Plan::Plus, NOW)
}

fn all_scopes() -> (AdminApi, String) {
    installed(&["write_customers", "read_orders"])
}

const SUBSCRIBE: &str = "mutation ($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}";

fn subscribe(api: &mut AdminApi, token: &str, topic: &str) -> Value {
    let body = api
        .graphql(token, &json!({ "query": SUBSCRIBE, "variables": { "topic": topic, "uri": HOOKS } }), NOW)
        .body;
    body["data"]["webhookSubscriptionCreate"].clone()
}

fn delivered(api: &mut AdminApi) -> Vec<(String, Value)> {
    let mut sent: Vec<Delivery> = Vec::new();
    api.webhooks_mut().deliver_due(NOW, |delivery| {
        sent.push(delivery.clone());
        Some(200)
    });
    sent.iter()
        .map(|delivery| {
            assert_eq!(
                delivery.header("X-Shopify-Hmac-Sha256"),
                Some(webhook_hmac(SECRET, &delivery.body).as_str())
            );
            let topic = delivery.header("X-Shopify-Topic").unwrap().to_owned();
            (topic, serde_json::from_slice(&delivery.body).unwrap())
        })
        .collect()
}

fn topics(deliveries: &[(String, Value)]) -> Vec<&str> {
    deliveries.iter().map(|(topic, _)| topic.as_str()).collect()
}

#[test]
fn subscriptions_are_made_through_graphql_and_need_the_topic_scope() {
    let (mut api, token) = installed(&["write_customers"]);
    let made = subscribe(&mut api, &token, "CUSTOMERS_UPDATE");
    assert_eq!(made["userErrors"], json!([]));
    assert_eq!(made["webhookSubscription"]["topic"], "CUSTOMERS_UPDATE");
    assert_eq!(made["webhookSubscription"]["uri"], HOOKS);
    assert!(
        made["webhookSubscription"]["id"].as_str().unwrap().starts_with("gid://shopify/WebhookSubscription/")
    );

    let again = subscribe(&mut api, &token, "CUSTOMERS_UPDATE");
    assert_eq!(again["webhookSubscription"], Value::Null);
    assert_eq!(again["userErrors"][0]["field"], json!(["webhookSubscription", "address"]));

    let orders = subscribe(&mut api, &token, "ORDERS_CREATE");
    assert!(orders["userErrors"][0]["message"].as_str().unwrap().contains("read_orders"));

    let compliance = api.graphql(
        &token,
        &json!({ "query": SUBSCRIBE, "variables": { "topic": "CUSTOMERS_REDACT", "uri": HOOKS } }),
        NOW,
    );
    assert!(
        compliance.body["errors"].is_array(),
        "compliance topics are not in the API: {}",
        compliance.body
    );
    assert_eq!(api.webhooks_mut().subscriptions().len(), 1);
}

#[test]
fn a_tag_change_emits_customers_update_once() {
    let (mut api, token) = all_scopes();
    subscribe(&mut api, &token, "CUSTOMERS_UPDATE");
    let add = "mutation ($id: ID!) { tagsAdd(id: $id, tags: [\"seglink:vip\"]) { userErrors { message } } }";
    let id = api.shop().customers[0].id;
    let variables = json!({ "id": format!("gid://shopify/Customer/{id}") });
    api.graphql(&token, &json!({ "query": add, "variables": variables }), NOW);
    api.graphql(&token, &json!({ "query": add, "variables": variables }), NOW);
    let sent = delivered(&mut api);
    assert_eq!(topics(&sent), ["customers/update"], "adding a tag already held changes nothing");
    assert_eq!(sent[0].1["id"], id);
    assert!(sent[0].1["tags"].as_str().unwrap().split(", ").any(|tag| tag == "seglink:vip"));
}

#[test]
fn an_order_is_created_paid_cancelled_and_refunded() {
    let (mut api, token) = all_scopes();
    for topic in ["ORDERS_CREATE", "ORDERS_PAID", "ORDERS_CANCELLED", "REFUNDS_CREATE"] {
        assert_eq!(subscribe(&mut api, &token, topic)["userErrors"], json!([]));
    }
    let (buyer, variant, price) = {
        let shop = api.shop();
        let variant = &shop.products[0].variants[0];
        (shop.customers[1].id, variant.id, variant.price_cents)
    };
    let order_id = api.place_order(Some(buyer), &[(variant, 2)], NOW).unwrap();
    let sent = delivered(&mut api);
    assert_eq!(topics(&sent), ["orders/create", "orders/paid"]);
    assert_eq!(sent[0].1["id"], order_id);
    assert_eq!(sent[0].1["customer"]["id"], buyer);
    assert_eq!(sent[0].1["line_items"][0]["quantity"], 2);
    assert_eq!(sent[0].1["total_price"], format!("{}.{:02}", 2 * price / 100, 2 * price % 100));

    let refund_id = api.refund_order(order_id, 100, NOW).unwrap();
    assert!(api.refund_order(order_id, 2 * price, NOW).is_err(), "more than is left");
    api.cancel_order(order_id, NOW).unwrap();
    assert!(api.cancel_order(order_id, NOW).is_err(), "already cancelled");
    let sent = delivered(&mut api);
    assert_eq!(topics(&sent), ["refunds/create", "orders/cancelled", "refunds/create"]);
    assert_eq!(sent[0].1["id"], refund_id);
    assert_eq!(sent[0].1["transactions"][0]["amount"], "1.00");
    assert_eq!(sent[1].1["financial_status"], "refunded");
    let order = api.shop().orders.iter().find(|order| order.id == order_id).cloned().unwrap();
    assert_eq!(order.refunded_cents(), order.subtotal_cents);

    assert!(api.place_order(Some(1), &[(variant, 1)], NOW).is_err(), "unknown customer");
    assert!(api.place_order(None, &[(1, 1)], NOW).is_err(), "unknown variant");
    assert!(api.place_order(None, &[], NOW).is_err(), "no lines");
}

#[test]
fn customers_are_created_and_deleted() {
    let (mut api, token) = all_scopes();
    subscribe(&mut api, &token, "CUSTOMERS_CREATE");
    subscribe(&mut api, &token, "CUSTOMERS_DELETE");
    let id = api.create_customer("new@example.com", "DE", NOW).unwrap();
    assert!(api.create_customer("NEW@example.com", "DE", NOW).is_err(), "emails are unique");
    api.delete_customer(id, NOW).unwrap();
    assert!(api.delete_customer(id, NOW).is_err());
    let sent = delivered(&mut api);
    assert_eq!(topics(&sent), ["customers/create", "customers/delete"]);
    assert_eq!(sent[0].1["email"], "new@example.com");
    assert_eq!(
        sent[1].1,
        json!({ "id": id, "admin_graphql_api_id": format!("gid://shopify/Customer/{id}") })
    );
}

#[test]
fn uninstalling_revokes_tokens_and_the_compliance_requests_arrive() {
    let (mut api, token) = all_scopes();
    subscribe(&mut api, &token, "APP_UNINSTALLED");
    for topic in ["customers/data_request", "customers/redact", "shop/redact"] {
        api.webhooks_mut().subscribe(topic, HOOKS).unwrap();
    }
    let (customer, orders): (u64, Vec<u64>) = {
        let shop = api.shop();
        let buyer = shop.orders.iter().find_map(|order| order.customer_id).unwrap();
        (
            buyer,
            shop.orders
                .iter()
                .filter(|order| order.customer_id == Some(buyer))
                .map(|order| order.id)
                .collect(),
        )
    };
    api.request_customer_data(customer, NOW).unwrap();
    api.redact_customer(customer, NOW).unwrap();
    api.uninstall(NOW);
    api.redact_shop(NOW);
    assert_eq!(api.graphql(&token, &json!({ "query": "{ shop { name } }" }), NOW).status, 401);
    let sent = delivered(&mut api);
    assert_eq!(
        topics(&sent),
        ["customers/data_request", "customers/redact", "app/uninstalled", "shop/redact"]
    );
    assert_eq!(sent[0].1["orders_requested"], json!(orders));
    assert_eq!(sent[1].1["orders_to_redact"], json!(orders));
    assert_eq!(sent[1].1["customer"]["id"], customer);
    assert_eq!(sent[2].1["myshopify_domain"], "seglink-demo-1.myshopify.com");
    assert_eq!(sent[3].1["shop_domain"], "seglink-demo-1.myshopify.com");
    assert!(api.request_customer_data(1, NOW).is_err());
}

#[test]
fn orders_are_edited_and_products_created_and_updated() {
    let (mut api, token) = installed(&["read_orders", "read_products"]);
    for topic in ["ORDERS_EDITED", "PRODUCTS_CREATE", "PRODUCTS_UPDATE"] {
        assert_eq!(subscribe(&mut api, &token, topic)["userErrors"], json!([]));
    }
    let (order, variant, price, before) = {
        let shop = api.shop();
        let order = shop.orders.iter().find(|order| order.cancelled_at.is_none()).unwrap();
        let variant = &shop.products[1].variants[0];
        (order.id, variant.id, variant.price_cents, order.subtotal_cents)
    };
    api.edit_order(order, variant, 2, NOW).unwrap();
    assert!(api.edit_order(order, 1, 1, NOW).is_err(), "unknown variant");
    assert!(api.edit_order(order, variant, 0, NOW).is_err(), "no quantity");
    let after = api.shop().orders.iter().find(|o| o.id == order).unwrap().subtotal_cents;
    assert_eq!(after, before + 2 * price);

    let product = api.create_product("Linen Scarf", 2_500, NOW).unwrap();
    assert!(api.create_product(" ", 1, NOW).is_err());
    api.update_product(product, Some("Linen Scarf II"), Some(&["sale"]), NOW).unwrap();
    assert!(api.update_product(1, Some("x"), None, NOW).is_err());

    let sent = delivered(&mut api);
    assert_eq!(topics(&sent), ["orders/edited", "products/create", "products/update"]);
    assert_eq!(sent[0].1["order_edit"]["order_id"], order);
    assert_eq!(sent[0].1["order_edit"]["line_items"]["additions"][0]["delta"], 2);
    assert_eq!(sent[1].1["variants"][0]["price"], "25.00");
    assert_eq!(sent[2].1["title"], "Linen Scarf II");
    assert_eq!(sent[2].1["tags"], "sale");
}
