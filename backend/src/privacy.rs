//! The mandatory compliance webhooks (docs/security.md): each request is recorded with its
//! 30-day due date, then carried out from what Seglink stores. A customer's redaction reaches
//! every table that can name them: their rows, the deliveries still waiting with their bodies,
//! running bulk pushes, and the record of privacy requests itself.

use serde_json::Value;

use crate::clock::UnixTime;
use crate::db::Store;
use crate::jobs::JobError;
use crate::webhooks::process::{Delivery, payload};

/// Carries out `customers/data_request`, `customers/redact` or `shop/redact`.
pub async fn process(store: &Store, delivery: &Delivery<'_>, now: UnixTime) -> Result<(), JobError> {
    let store = &store;
    let customer_id = delivery.body.get("customer").and_then(|customer| payload::id(customer, "id"));
    store
        .record_privacy_request(
            delivery.shop,
            delivery.topic,
            customer_id.as_deref(),
            delivery.event_id,
            delivery.received_at,
        )
        .await?;
    let export = match (delivery.topic, &customer_id) {
        ("customers/data_request", Some(customer_id)) => {
            Some(store.customer_export(delivery.shop, customer_id).await?.to_string())
        }
        ("customers/redact", Some(customer_id)) => {
            redact_customer(store, delivery, customer_id).await?;
            None
        }
        ("shop/redact", _) => {
            store.redact_shop(delivery.shop).await?;
            None
        }
        _ => return Err(JobError::Fatal(format!("{} without a customer id", delivery.topic))),
    };
    store.complete_privacy_request(delivery.shop, delivery.event_id, export.as_deref(), now).await?;
    Ok(())
}

async fn redact_customer(store: &Store, delivery: &Delivery<'_>, customer_id: &str) -> Result<(), JobError> {
    let store = &store;
    let orders: Vec<String> = delivery
        .body
        .get("orders_to_redact")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(payload::id_text).collect())
        .unwrap_or_default();
    // Who they are, from what is stored and from the request, before the rows go.
    let mut person =
        Person { customer_id: customer_id.to_owned(), orders: orders.clone(), texts: Vec::new() };
    if let Some(customer) = store.customer(delivery.shop, customer_id).await? {
        person.texts.extend([customer.email, customer.phone].into_iter().flatten());
    }
    let named = delivery.body.get("customer");
    for field in ["email", "phone"] {
        person.texts.extend(
            named.and_then(|customer| customer.get(field)).and_then(Value::as_str).map(str::to_owned),
        );
    }
    person.texts.retain(|text| !text.trim().is_empty());
    store.redact_customer(delivery.shop, customer_id, &orders).await?;
    for (event_id, topic, body) in store.kept_webhook_bodies(delivery.shop).await? {
        let mentions = serde_json::from_slice::<Value>(&body).is_ok_and(|body| person.is_in(&body, &topic));
        if mentions && event_id != delivery.event_id {
            store.prune_webhook_body(delivery.shop, &event_id, &topic).await?;
        }
    }
    crate::segments::push::forget_customer(store, delivery.shop, customer_id).await?;
    Ok(())
}

/// What names a customer in a webhook body.
struct Person {
    customer_id: String,
    orders: Vec<String>,
    /// Email and phone.
    texts: Vec<String>,
}

impl Person {
    /// Whether a delivery of `topic` is about this person or holds their contact details.
    fn is_in(&self, body: &Value, topic: &str) -> bool {
        let top_id = payload::id(body, "id");
        let about = match topic.split_once('/').map_or(topic, |(resource, _)| resource) {
            "customers" | "customers_marketing_consent" => top_id.as_deref() == Some(&self.customer_id),
            "orders" | "refunds" | "fulfillments" => {
                let order = payload::id(body, "order_id").or(top_id);
                order.is_some_and(|order| self.orders.contains(&order))
            }
            _ => false,
        };
        about || self.mentioned(body)
    }

    fn mentioned(&self, value: &Value) -> bool {
        match value {
            Value::String(text) => self.texts.iter().any(|known| known.eq_ignore_ascii_case(text.trim())),
            Value::Array(items) => items.iter().any(|item| self.mentioned(item)),
            Value::Object(fields) => fields.iter().any(|(name, field)| {
                let names_customer = match name.as_str() {
                    "customer_id" => payload::id_text(field).as_deref() == Some(self.customer_id.as_str()),
                    "customer" => payload::id(field, "id").as_deref() == Some(self.customer_id.as_str()),
                    _ => false,
                };
                names_customer || self.mentioned(field)
            }),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_body_names_the_customer_by_id_contact_or_order() {
        let person = Person {
            customer_id: "7".to_owned(),
            orders: vec!["1".to_owned()],
            texts: vec!["ada@example.com".to_owned(), "+4930123".to_owned()],
        };
        assert!(person.is_in(&json!({ "id": 7 }), "customers/update"));
        assert!(!person.is_in(&json!({ "id": 70 }), "customers/update"));
        assert!(person.is_in(&json!({ "id": 1, "total_price": "5.00" }), "orders/paid"));
        assert!(person.is_in(&json!({ "id": 2, "customer": { "id": 7 } }), "orders/paid"));
        assert!(person.is_in(&json!({ "id": 2, "customer_id": "7" }), "checkouts/create"));
        assert!(!person.is_in(&json!({ "id": 2, "customer_id": "8" }), "checkouts/create"));
        assert!(person.is_in(&json!({ "id": 3, "billing_address": { "phone": "+4930123" } }), "orders/paid"));
        assert!(person.is_in(&json!({ "id": 3, "email": "ADA@example.com" }), "orders/paid"));
        assert!(!person.is_in(&json!({ "id": 3, "customer": { "id": 8 } }), "orders/paid"));
        assert!(!person.is_in(&json!({ "id": 1 }), "products/update"), "product 1 is not order 1");
    }
}
