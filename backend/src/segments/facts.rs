//! A customer as segment rules see them, assembled from the stored customer, orders and events.

use segment_rules::{Customer, PlacedOrder, Reads, SeenEvent};
use serde_json::Value;

use crate::clock::UnixTime;
use crate::db::{DbError, FactsRow, Scope, Store};
use crate::shop_domain::ShopDomain;

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

/// Every profile in scope, with the events `reads` asks for.
pub async fn profiles(
    store: &Store,
    shop: &ShopDomain,
    scope: Scope<'_>,
    reads: &Reads,
    now: UnixTime,
) -> Result<Vec<Profile>, DbError> {
    let kinds: Vec<String> = reads.kinds.iter().cloned().collect();
    let inside: Vec<String> = reads.inside.iter().cloned().collect();
    let rows = store.facts(shop, scope, &kinds, now - reads.days * DAY, &inside).await?;
    Ok(rows.into_iter().map(profile).collect())
}

fn profile(row: FactsRow) -> Profile {
    let mut customer = Customer {
        country: row.country,
        tags: row.tags.split(',').map(str::trim).filter(|tag| !tag.is_empty()).map(str::to_owned).collect(),
        email_marketing: row.marketing_state,
        created_at: row.created_at.map(UnixTime::secs),
        ..Customer::default()
    };
    for line in row.orders.as_deref().unwrap_or_default().lines() {
        let (at, total) = line.split_once(' ').unwrap_or((line, "0"));
        let at: i64 = at.parse().unwrap_or_default();
        let cents = cents(total);
        // Saturating: a store's orders may add up past i64 (one test payload can say a
        // quadrillion); the sum then stays at the largest amount rather than wrapping negative.
        customer.amount_spent_cents = customer.amount_spent_cents.saturating_add(cents);
        customer.orders_count = customer.orders_count.saturating_add(1);
        customer.last_order_at = customer.last_order_at.max(Some(at));
        customer.orders.push(PlacedOrder { at, cents });
    }
    let events = row.events.as_deref().unwrap_or_default().lines().filter_map(seen_event).collect();
    Profile { id: row.customer_id, customer, events }
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
    // At most 15 whole digits, so this cannot overflow; checked all the same.
    let value = whole
        .checked_mul(100)
        .and_then(|cents| cents.checked_add(fraction.parse::<i64>().unwrap_or_default()))
        .unwrap_or(0);
    if negative { -value } else { value }
}

/// An event from its line, `<kind> <occurred_at> <subjects or properties>`; the products and
/// collection it is about, when they were read.
fn seen_event(line: &str) -> Option<SeenEvent> {
    let mut parts = line.splitn(3, ' ');
    let kind = parts.next()?.to_owned();
    let at = parts.next()?.parse().ok()?;
    let mut seen = SeenEvent { kind, at, products: Vec::new(), collection_id: None };
    let properties = parts.next().unwrap_or_default();
    if !properties.is_empty()
        && let Ok(properties) = serde_json::from_str::<Value>(properties)
    {
        (seen.products, seen.collection_id) = about(&properties);
    }
    Some(seen)
}

/// The products and the collection an event's properties (or its subjects) name.
fn about(properties: &Value) -> (Vec<String>, Option<String>) {
    let id_text = |value: &Value| match value {
        Value::String(text) => Some(crate::shopify::gid::numeric(text).to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    let mut products: Vec<String> = properties.get("product_id").and_then(id_text).into_iter().collect();
    for lines in ["lines", "line_items"] {
        let listed = properties.get(lines).and_then(Value::as_array).into_iter().flatten();
        products.extend(listed.filter_map(|line| line.get("product_id").and_then(id_text)));
    }
    let listed = properties.get("products").and_then(Value::as_array).into_iter().flatten();
    products.extend(listed.filter_map(id_text));
    (products, properties.get("collection_id").and_then(id_text))
}

/// Subjects longer than this are not kept: PostgreSQL's index entry holding them has room for
/// 2,704 bytes in all, and such an event's rules read its properties instead.
const MAX_SUBJECTS: usize = 1_000;

/// What segment rules read of an event's properties (its products and collection), as the short
/// JSON stored beside them in `events.subjects`: `""` when they name none, `None` when that
/// would be too long to keep. An index holds the subjects, so a full evaluation reads an event
/// without fetching its row (docs/benchmarks.md, "A million customers").
pub fn subjects(properties: &str) -> Option<String> {
    let Ok(properties) = serde_json::from_str::<Value>(properties) else { return Some(String::new()) };
    let (mut products, collection_id) = about(&properties);
    if products.is_empty() && collection_id.is_none() {
        return Some(String::new());
    }
    let mut seen = std::collections::HashSet::new();
    products.retain(|product| seen.insert(product.clone()));
    let mut subjects = serde_json::Map::new();
    if !products.is_empty() {
        subjects.insert("products".to_owned(), products.into());
    }
    if let Some(collection_id) = collection_id {
        subjects.insert("collection_id".to_owned(), collection_id.into());
    }
    let text = Value::Object(subjects).to_string();
    (text.len() <= MAX_SUBJECTS).then_some(text)
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
    fn huge_orders_saturate_rather_than_wrap() {
        let order = "100 999999999999999.99";
        let row = FactsRow {
            customer_id: "1".to_owned(),
            country: None,
            tags: String::new(),
            marketing_state: None,
            created_at: None,
            orders: Some(vec![order; 200].join("\n")),
            events: None,
        };
        let profile = profile(row);
        assert_eq!(profile.customer.amount_spent_cents, i64::MAX, "no wrap to a negative spend");
        assert_eq!(profile.customer.orders_count, 200);
    }

    #[test]
    fn a_purchase_is_about_every_product_on_it() {
        let line = r#"purchase 5 {"line_items":[{"product_id":7},{"product_id":"gid://shopify/Product/8"}]}"#;
        let seen = seen_event(line).unwrap();
        assert_eq!((seen.kind.as_str(), seen.at), ("purchase", 5));
        assert_eq!(seen.products, ["7", "8"]);
        assert_eq!(seen_event("page_view 9 ").unwrap().products, Vec::<String>::new());
    }

    #[test]
    fn subjects_keep_what_rules_read_and_read_back_the_same() {
        let purchase = r#"{"line_items":[{"product_id":7,"price":"1.00"},{"product_id":"gid://shopify/Product/8"},{"product_id":7}],"total":"9.00"}"#;
        assert_eq!(subjects(purchase).as_deref(), Some(r#"{"products":["7","8"]}"#));
        let view = r#"{"product_id":"42","variant_id":"5","collection_id":"gid://shopify/Collection/3"}"#;
        let kept = subjects(view).unwrap();
        assert_eq!(kept, r#"{"products":["42"],"collection_id":"3"}"#);
        let (from_properties, from_subjects) = (
            seen_event(&format!("product_view 1 {view}")).unwrap(),
            seen_event(&format!("product_view 1 {kept}")).unwrap(),
        );
        assert_eq!(
            (from_properties.products, from_properties.collection_id),
            (from_subjects.products, from_subjects.collection_id)
        );
        assert_eq!(subjects(r#"{"query":"shoes"}"#).as_deref(), Some(""), "names nothing");
        assert_eq!(subjects("not json").as_deref(), Some(""), "rules read nothing from it either");
    }

    #[test]
    fn subjects_too_long_for_the_index_are_not_kept() {
        let lines: Vec<String> =
            (0..200).map(|n| format!(r#"{{"product_id":"{}"}}"#, 1_000_000_000 + n)).collect();
        assert_eq!(subjects(&format!(r#"{{"lines":[{}]}}"#, lines.join(","))), None);
    }

    #[test]
    fn orders_fold_into_spending() {
        let row = FactsRow {
            customer_id: "1".to_owned(),
            country: None,
            tags: " vip , ".to_owned(),
            marketing_state: None,
            created_at: None,
            orders: Some("100 10.00\n300 5.5".to_owned()),
            events: None,
        };
        let profile = profile(row);
        assert_eq!(profile.customer.amount_spent_cents, 1_550);
        assert_eq!(profile.customer.orders_count, 2);
        assert_eq!(profile.customer.last_order_at, Some(300));
        assert_eq!(profile.customer.tags, ["vip"]);
    }
}
