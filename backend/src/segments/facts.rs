//! A customer as segment rules see them, assembled from the stored customers, orders and events.

use segments::{Customer, PlacedOrder, Reads, SeenEvent};
use serde_json::Value;

use crate::db::{CustomerFacts, DbError, EventFacts, OrderFacts, Scope, Store};

const DAY: i64 = 86_400;

/// One customer, ready for evaluation.
pub struct Profile {
    /// Numeric id.
    pub id: String,
    /// Attributes and orders.
    pub customer: Customer,
    /// The events the rules read.
    pub events: Vec<SeenEvent>,
}

/// Every profile in scope, in customer id order, with the events `reads` asks for.
pub async fn profiles(
    store: &Store,
    shop: &str,
    scope: Scope<'_>,
    reads: &Reads,
    now: i64,
) -> Result<Vec<Profile>, DbError> {
    let kinds: Vec<String> = reads.kinds.iter().cloned().collect();
    let (customers, orders, events) = tokio::try_join!(
        store.customer_facts(shop, scope),
        store.order_facts(shop, scope),
        store.event_facts(shop, scope, &kinds, now - reads.days * DAY, reads.inside),
    )?;
    Ok(assemble(customers, orders, events, reads.inside))
}

/// Joins the three lists, each sorted by customer id, in one pass.
fn assemble(
    customers: Vec<CustomerFacts>,
    orders: Vec<OrderFacts>,
    events: Vec<EventFacts>,
    inside: bool,
) -> Vec<Profile> {
    let mut orders = orders.into_iter().peekable();
    let mut events = events.into_iter().peekable();
    let mut profiles = Vec::with_capacity(customers.len());
    for facts in customers {
        let id = facts.customer_id;
        // Rows of customers Seglink has no record of (deleted, or not yet received) are skipped.
        while orders.next_if(|order| order.customer_id < id).is_some() {}
        while events.next_if(|event| event.customer_id < id).is_some() {}
        let mut customer = Customer {
            country: facts.country,
            tags: facts
                .tags
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_owned)
                .collect(),
            email_marketing: facts.marketing_state,
            created_at: facts.created_at,
            ..Customer::default()
        };
        while let Some(order) = orders.next_if(|order| order.customer_id == id) {
            let cents = order.total_price.as_deref().map_or(0, cents);
            let at = order.created_at.unwrap_or_default();
            customer.amount_spent_cents += cents;
            customer.orders_count += 1;
            customer.last_order_at = customer.last_order_at.max(order.created_at);
            customer.orders.push(PlacedOrder { at, cents });
        }
        let mut seen = Vec::new();
        while let Some(event) = events.next_if(|event| event.customer_id == id) {
            seen.push(seen_event(event, inside));
        }
        profiles.push(Profile { id, customer, events: seen });
    }
    profiles
}

/// A decimal amount as cents, rounded down past two places; 0 when it is not a number.
pub fn cents(text: &str) -> i64 {
    let text = text.trim();
    let (negative, text) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || whole.len() > 15 {
        return 0;
    }
    let whole: i64 = whole.parse().unwrap_or_default();
    let mut fraction: String = fraction.chars().take(2).collect();
    while fraction.len() < 2 {
        fraction.push('0');
    }
    let value = whole * 100 + fraction.parse::<i64>().unwrap_or_default();
    if negative { -value } else { value }
}

fn seen_event(event: EventFacts, inside: bool) -> SeenEvent {
    let mut seen =
        SeenEvent { kind: event.kind, at: event.occurred_at, products: Vec::new(), collection_id: None };
    if inside && let Ok(properties) = serde_json::from_str::<Value>(&event.properties) {
        let id_text = |value: &Value| match value {
            Value::String(text) => Some(text.rsplit('/').next().unwrap_or(text).to_owned()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        };
        seen.products.extend(properties.get("product_id").and_then(id_text));
        for lines in ["lines", "line_items"] {
            let listed = properties.get(lines).and_then(Value::as_array).into_iter().flatten();
            seen.products.extend(listed.filter_map(|line| line.get("product_id").and_then(id_text)));
        }
        seen.collection_id = properties.get("collection_id").and_then(id_text);
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_cents() {
        assert_eq!(cents("420.5"), 42_050);
        assert_eq!(cents("420.509"), 42_050);
        assert_eq!(cents("7"), 700);
        assert_eq!(cents("-1.25"), -125);
        assert_eq!(cents("abc"), 0);
        assert_eq!(cents("1e9"), 0);
    }

    #[test]
    fn a_purchase_is_about_every_product_on_it() {
        let event = EventFacts {
            customer_id: "1".to_owned(),
            kind: "purchase".to_owned(),
            occurred_at: 5,
            properties: r#"{"line_items":[{"product_id":7},{"product_id":"gid://shopify/Product/8"}]}"#
                .to_owned(),
        };
        assert_eq!(seen_event(event, true).products, ["7", "8"]);
    }
}
