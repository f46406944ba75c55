//! Conversions API events from what Seglink knows: a storefront event with the browser's context,
//! or a verified order. Facts: Meta's "Server event parameters" and "Customer information
//! parameters" pages (hashed fields are lower-case hex SHA-256 of the normalised value; the
//! client's address, user agent and `_fbp`/`_fbc` go unhashed; a website event needs its page
//! and user agent) and "Deduplicate pixel and server events" (the browser pixel's `eventID` equals
//! `event_id`; for a purchase, the order id).

use serde_json::{Map, Value, json};

use crate::crypto::sha256_hex;

/// The Graph API version Seglink sends to; each Conversions API version lives at least two years.
pub const GRAPH_VERSION: &str = "v25.0";

/// What the browser's request says beside its events; present only with marketing consent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrowserContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub fbp: Option<String>,
    pub fbc: Option<String>,
}

/// A Conversions API event: its name, id and time (for the outbox) and its JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversionEvent {
    pub name: &'static str,
    pub id: String,
    pub time: i64,
    pub json: Value,
}

/// The event a storefront event is forwarded as, for the kinds Meta has a standard event for.
pub fn from_storefront(
    event: &events::Event,
    time: i64,
    browser: &BrowserContext,
) -> Option<ConversionEvent> {
    let name = match event.kind {
        events::Kind::ProductView => "ViewContent",
        events::Kind::AddToCart => "AddToCart",
        events::Kind::CheckoutStart => "InitiateCheckout",
        _ => return None,
    };
    // Meta refuses a website event without its page and user agent: such an event is not sent.
    let url = event.url.as_deref()?;
    let user_agent = browser.user_agent.as_deref()?;
    let mut user = Map::new();
    user.insert("client_user_agent".to_owned(), user_agent.into());
    for (key, value) in [("client_ip_address", &browser.ip), ("fbp", &browser.fbp), ("fbc", &browser.fbc)] {
        if let Some(value) = value {
            user.insert(key.to_owned(), value.as_str().into());
        }
    }
    let mut custom = Map::new();
    if let Some(money) = &event.value
        && let Ok(amount) = money.amount.parse::<f64>()
    {
        custom.insert("value".to_owned(), amount.into());
        custom.insert("currency".to_owned(), money.currency.as_str().into());
    }
    let contents: Vec<Value> = if event.lines.is_empty() {
        event
            .product_id
            .iter()
            .map(|id| json!({ "id": id, "quantity": event.quantity.unwrap_or(1) }))
            .collect()
    } else {
        event
            .lines
            .iter()
            .filter_map(|line| Some(json!({ "id": line.product_id.as_ref()?, "quantity": line.quantity })))
            .collect()
    };
    if !contents.is_empty() {
        let ids: Vec<Value> = contents.iter().map(|content| content["id"].clone()).collect();
        custom.insert("content_ids".to_owned(), ids.into());
        custom.insert("content_type".to_owned(), "product".into());
        if name == "InitiateCheckout" {
            let items: u64 = contents.iter().filter_map(|content| content["quantity"].as_u64()).sum();
            custom.insert("num_items".to_owned(), items.into());
        }
        custom.insert("contents".to_owned(), contents.into());
    }
    Some(ConversionEvent {
        name,
        id: event.id.clone(),
        time,
        json: json!({
            "event_name": name,
            "event_time": time,
            "event_id": event.id,
            "action_source": "website",
            "event_source_url": url,
            "user_data": user,
            "custom_data": custom,
        }),
    })
}

/// The `Purchase` an order webhook gives: its id is the order's (Meta's advice for dedup), value
/// and currency are the order's, and the buyer's email and phone go hashed only when the buyer
/// accepted marketing.
pub fn purchase(order: &Value, time: i64) -> Option<ConversionEvent> {
    let id = match order.get("id")? {
        Value::Number(number) => number.to_string(),
        Value::String(text) if !text.is_empty() => text.clone(),
        _ => return None,
    };
    let text = |pointer: &str| order.pointer(pointer).and_then(Value::as_str).filter(|text| !text.is_empty());
    let mut user = Map::new();
    let consented = order.get("buyer_accepts_marketing").and_then(Value::as_bool) == Some(true)
        || text("/customer/email_marketing_consent/state") == Some("subscribed");
    if consented {
        if let Some(email) = text("/email").or_else(|| text("/contact_email")).and_then(normalized_email) {
            user.insert("em".to_owned(), json!([sha256_hex(&email)]));
        }
        if let Some(phone) =
            text("/phone").or_else(|| text("/billing_address/phone")).and_then(normalized_phone)
        {
            user.insert("ph".to_owned(), json!([sha256_hex(&phone)]));
        }
        if let Some(customer) = order.pointer("/customer/id").and_then(|id| id.as_u64()) {
            user.insert("external_id".to_owned(), json!([sha256_hex(&customer.to_string())]));
        }
    }
    if let Some(agent) = text("/client_details/user_agent") {
        user.insert("client_user_agent".to_owned(), agent.into());
    }
    if let Some(ip) = text("/browser_ip").or_else(|| text("/client_details/browser_ip")) {
        user.insert("client_ip_address".to_owned(), ip.into());
    }
    let page = text("/order_status_url");
    // A web order names its browser and its page; anything else (a draft, a POS sale) is the
    // shop's system speaking.
    let website = page.is_some() && user.contains_key("client_user_agent");
    let value = text("/current_total_price")
        .or_else(|| text("/total_price"))
        .and_then(|amount| amount.parse::<f64>().ok());
    let contents: Vec<Value> = order
        .get("line_items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|line| {
            let product = line.get("product_id").filter(|id| !id.is_null())?;
            let id = product
                .as_u64()
                .map_or_else(|| product.as_str().map(str::to_owned), |id| Some(id.to_string()))?;
            let quantity = line.get("quantity").and_then(Value::as_u64).unwrap_or(1);
            let price = line.get("price").and_then(Value::as_str).and_then(|price| price.parse::<f64>().ok());
            Some(json!({ "id": id, "quantity": quantity, "item_price": price }))
        })
        .collect();
    let mut custom = json!({
        "currency": text("/currency").unwrap_or("USD"),
        "order_id": id,
        "content_type": "product",
        "content_ids": contents.iter().map(|content| content["id"].clone()).collect::<Vec<_>>(),
        "num_items": contents.iter().filter_map(|content| content["quantity"].as_u64()).sum::<u64>(),
        "contents": contents,
    });
    if let Some(value) = value {
        custom["value"] = value.into();
    }
    let mut event = json!({
        "event_name": "Purchase",
        "event_time": time,
        "event_id": id,
        "action_source": if website { "website" } else { "system_generated" },
        "user_data": user,
        "custom_data": custom,
    });
    if website && let Some(page) = page {
        event["event_source_url"] = page.into();
    }
    Some(ConversionEvent { name: "Purchase", id, time, json: event })
}

/// An email as Meta hashes it: trimmed and lower case; `None` unless it looks like one.
fn normalized_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)).then_some(email)
}

/// A phone number as Meta hashes it: digits only, with the country code and no leading zeros.
fn normalized_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    (digits.len() >= 7).then(|| digits.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(accepts_marketing: bool) -> Value {
        json!({
            "id": 820982911946154508_u64,
            "email": " Ada@Example.COM ",
            "phone": "+1 (613) 555-0135",
            "buyer_accepts_marketing": accepts_marketing,
            "currency": "EUR",
            "total_price": "59.90",
            "order_status_url": "https://ada.myshopify.com/orders/abc/authenticate",
            "browser_ip": "203.0.113.7",
            "client_details": { "user_agent": "Mozilla/5.0" },
            "customer": { "id": 115310627314723954_u64 },
            "line_items": [{ "product_id": 632910392, "quantity": 2, "price": "29.95" }],
        })
    }

    #[test]
    fn a_purchase_hashes_the_buyer_only_with_consent() {
        let event = purchase(&order(true), 1_800_000_000).unwrap();
        assert_eq!((event.name, event.id.as_str()), ("Purchase", "820982911946154508"));
        let json = &event.json;
        assert_eq!(json["action_source"], "website");
        assert_eq!(json["custom_data"]["value"], 59.9);
        assert_eq!(json["custom_data"]["currency"], "EUR");
        assert_eq!(json["custom_data"]["num_items"], 2);
        assert_eq!(json["user_data"]["em"][0], sha256_hex("ada@example.com"));
        assert_eq!(json["user_data"]["ph"][0], sha256_hex("16135550135"));
        assert_eq!(json["user_data"]["client_ip_address"], "203.0.113.7");

        let without = purchase(&order(false), 1_800_000_000).unwrap().json;
        for field in ["em", "ph", "external_id"] {
            assert!(without["user_data"].get(field).is_none(), "{field} without consent");
        }
    }

    #[test]
    fn normalising_follows_meta() {
        assert_eq!(normalized_email("  Ben@Example.org"), Some("ben@example.org".to_owned()));
        assert_eq!(normalized_email("not an email"), None);
        assert_eq!(normalized_phone("0044 20 7946 0958"), Some("442079460958".to_owned()));
        assert_eq!(normalized_phone("12"), None);
    }
}
