//! Reading Shopify's REST-shaped webhook payloads into rows. Ids arrive as numbers; times as
//! ISO 8601 with an offset, kept as Unix seconds so they compare correctly across time zones.

use serde_json::{Value, json};

use crate::clock::UnixTime;
use crate::db::{CustomerRow, OrderRow, ProductRow, VariantRow};

/// A field holding a Shopify id as text.
pub fn id(value: &Value, field: &str) -> Option<String> {
    value.get(field).and_then(id_text)
}

/// A Shopify id (a number, or a string in some payloads) as text.
pub fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        _ => None,
    }
}

fn text(value: &Value, field: &str) -> Option<String> {
    value.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn time_field(value: &Value, field: &str) -> Option<UnixTime> {
    value.get(field).and_then(Value::as_str).and_then(UnixTime::parse_rfc3339)
}

/// `updated_at`, or the delivery's trigger time when a payload lacks it.
pub fn updated_at(value: &Value, fallback: UnixTime) -> UnixTime {
    time_field(value, "updated_at").unwrap_or(fallback)
}

/// An order payload as a row.
pub fn order(value: &Value, fallback_time: UnixTime) -> Option<OrderRow> {
    let line_items: Vec<Value> = value
        .get("line_items")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .map(|line| {
                    json!({
                        "product_id": id(line, "product_id"), "variant_id": id(line, "variant_id"),
                        "quantity": line.get("quantity").and_then(Value::as_i64).unwrap_or(1),
                        "price": text(line, "price"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let customer_id = value.get("customer").and_then(|customer| id(customer, "id"));
    // Only a guest's email is kept: a customer's order is theirs by id.
    let guest_email = match customer_id {
        None => {
            text(value, "email").map(|email| email.trim().to_lowercase()).filter(|email| !email.is_empty())
        }
        Some(_) => None,
    };
    Some(OrderRow {
        order_id: id(value, "id")?,
        customer_id,
        guest_email,
        name: text(value, "name"),
        total_price: text(value, "current_total_price").or_else(|| text(value, "total_price")),
        currency: text(value, "currency"),
        source_name: text(value, "source_name"),
        tags: text(value, "tags").unwrap_or_default(),
        test: value.get("test").and_then(Value::as_bool).unwrap_or(false),
        financial_status: text(value, "financial_status"),
        line_items: Value::from(line_items).to_string(),
        cancelled_at: time_field(value, "cancelled_at"),
        created_at: time_field(value, "created_at"),
        updated_at: updated_at(value, fallback_time),
        checkout_token: text(value, "checkout_token").filter(|token| !token.is_empty()),
    })
}

/// A customer payload as a row.
pub fn customer(value: &Value, fallback_time: UnixTime) -> Option<CustomerRow> {
    let consent = value.get("email_marketing_consent");
    Some(CustomerRow {
        customer_id: id(value, "id")?,
        email: text(value, "email"),
        first_name: text(value, "first_name"),
        last_name: text(value, "last_name"),
        phone: text(value, "phone"),
        country: value.get("default_address").and_then(|address| text(address, "country_code")),
        tags: text(value, "tags").unwrap_or_default(),
        marketing_state: consent.and_then(|consent| text(consent, "state")),
        created_at: time_field(value, "created_at"),
        updated_at: updated_at(value, fallback_time),
    })
}

/// A product payload as a row. `products/delete` carries the id alone. The REST payload has no
/// SEO fields or collections; those stay as the backfill stored them.
pub fn product(value: &Value, fallback_time: UnixTime, deleted: bool) -> Option<ProductRow> {
    let variants = value.get("variants").and_then(Value::as_array).map(|variants| {
        variants
            .iter()
            .filter_map(|variant| {
                Some(VariantRow {
                    variant_id: id(variant, "id")?,
                    title: text(variant, "title"),
                    sku: text(variant, "sku").filter(|sku| !sku.trim().is_empty()),
                    barcode: text(variant, "barcode").filter(|barcode| !barcode.trim().is_empty()),
                    price: text(variant, "price"),
                    compare_at_price: text(variant, "compare_at_price"),
                    inventory_quantity: variant.get("inventory_quantity").and_then(Value::as_i64),
                })
            })
            .collect()
    });
    let image_alts = value.get("images").and_then(Value::as_array).map(|images| {
        images.iter().map(|image| text(image, "alt").filter(|alt| !alt.trim().is_empty())).collect()
    });
    Some(ProductRow {
        product_id: id(value, "id")?,
        title: text(value, "title"),
        handle: text(value, "handle"),
        status: text(value, "status"),
        tags: text(value, "tags").unwrap_or_default(),
        description_html: text(value, "body_html"),
        product_type: text(value, "product_type"),
        vendor: text(value, "vendor"),
        seo: None,
        image_alts,
        collections: None,
        variants,
        updated_at: updated_at(value, fallback_time),
        deleted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_payload_becomes_a_row() {
        let payload = json!({
            "id": 450789469, "name": "#1001", "total_price": "10.00", "current_total_price": "7.50",
            "currency": "EUR", "source_name": "pos", "tags": "Exclude, vip", "test": true,
            "customer": { "id": 207119551 }, "updated_at": "2026-11-20T10:00:00Z",
            "line_items": [{ "product_id": 632910392, "variant_id": 808950810, "quantity": 2, "price": "5.00" }],
        });
        let order = order(&payload, UnixTime::EPOCH).unwrap();
        assert_eq!(order.order_id, "450789469");
        assert_eq!(order.customer_id.as_deref(), Some("207119551"));
        assert_eq!(order.total_price.as_deref(), Some("7.50"), "what is left after refunds");
        assert!(order.test);
        assert!(order.line_items.contains("\"632910392\""));
        assert_eq!(order.updated_at, UnixTime::from_secs(1_795_168_800));
        assert_eq!(super::order(&json!({ "name": "#1" }), UnixTime::EPOCH), None, "no id, no row");
    }
}
