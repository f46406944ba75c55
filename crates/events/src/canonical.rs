//! Reading a canonical event back from its JSON, as the backend does with what a pixel sends:
//! every field checked as the normaliser would have made it, unknown fields dropped, and only the
//! kinds a browser can report accepted. A browser's word is never taken for more than that.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::json::Json;
use crate::model::{Event, Kind, Line, Money};
use crate::normalize::{MAX_LINES, MAX_TEXT_CHARS, NormalizeError};

/// The kinds the storefront pixel produces.
pub const PIXEL_KINDS: [Kind; 13] = [
    Kind::PageView,
    Kind::ProductView,
    Kind::CollectionView,
    Kind::Search,
    Kind::AddToCart,
    Kind::RemoveFromCart,
    Kind::CartView,
    Kind::CheckoutStart,
    Kind::CheckoutContactInfo,
    Kind::CheckoutAddressInfo,
    Kind::CheckoutShippingInfo,
    Kind::PaymentInfo,
    Kind::Purchase,
];

/// A canonical event sent by a pixel, checked.
pub fn from_json(raw: &Json<'_>) -> Result<Event, NormalizeError> {
    if !matches!(raw, Json::Object(_)) {
        return Err(NormalizeError::NotAnObject);
    }
    let kind = raw
        .get("kind")
        .and_then(Json::as_str)
        .and_then(Kind::parse)
        .filter(|kind| PIXEL_KINDS.contains(kind))
        .ok_or(NormalizeError::Invalid("kind"))?;
    let mut event = Event::new(kind, required(raw, "id")?, required(raw, "occurred_at")?);
    event.client_id = Some(required(raw, "client_id")?);
    event.url = optional(raw, "url")?;
    event.referrer = optional(raw, "referrer")?;
    event.product_id = optional(raw, "product_id")?;
    event.variant_id = optional(raw, "variant_id")?;
    event.collection_id = optional(raw, "collection_id")?;
    event.search_query = optional(raw, "search_query")?;
    event.checkout_token = optional(raw, "checkout_token")?;
    event.order_id = optional(raw, "order_id")?;
    event.quantity = match raw.get("quantity") {
        None | Some(Json::Null) => None,
        Some(Json::Number(text)) => Some(text.parse().map_err(|_| NormalizeError::Invalid("quantity"))?),
        Some(_) => return Err(NormalizeError::Invalid("quantity")),
    };
    event.value = money(raw.get("value"))?;
    event.lines = match raw.get("lines") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(lines)) if lines.len() <= MAX_LINES => {
            lines.iter().map(line).collect::<Result<_, _>>()?
        }
        Some(_) => return Err(NormalizeError::Invalid("lines")),
    };
    if kind == Kind::Purchase && event.order_id.is_none() {
        return Err(NormalizeError::Missing("order_id"));
    }
    Ok(event)
}

fn optional(raw: &Json<'_>, field: &'static str) -> Result<Option<String>, NormalizeError> {
    match raw.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(text)) if text.chars().count() <= MAX_TEXT_CHARS => Ok(Some(text.clone())),
        Some(_) => Err(NormalizeError::Invalid(field)),
    }
}

fn required(raw: &Json<'_>, field: &'static str) -> Result<String, NormalizeError> {
    optional(raw, field)?.filter(|text| !text.is_empty()).ok_or(NormalizeError::Missing(field))
}

fn money(value: Option<&Json<'_>>) -> Result<Option<Money>, NormalizeError> {
    let Some(value) = value.filter(|value| **value != Json::Null) else { return Ok(None) };
    let amount = value.get("amount").and_then(Json::as_str).ok_or(NormalizeError::Invalid("value.amount"))?;
    let currency =
        value.get("currency").and_then(Json::as_str).ok_or(NormalizeError::Invalid("value.currency"))?;
    let plain = amount.strip_prefix('-').unwrap_or(amount);
    let (whole, fraction) = plain.split_once('.').unwrap_or((plain, ""));
    let decimal = !whole.is_empty()
        && whole.len() <= crate::model::MAX_WHOLE_DIGITS
        && fraction.len() <= crate::model::MAX_FRACTION_DIGITS
        && whole.bytes().chain(fraction.bytes()).all(|byte| byte.is_ascii_digit());
    if !decimal {
        return Err(NormalizeError::Invalid("value.amount"));
    }
    if currency.len() != 3 || !currency.bytes().all(|byte| byte.is_ascii_uppercase()) {
        return Err(NormalizeError::Invalid("value.currency"));
    }
    Ok(Some(Money { amount: amount.to_owned(), currency: currency.to_owned() }))
}

fn line(raw: &Json<'_>) -> Result<Line, NormalizeError> {
    Ok(Line {
        product_id: optional(raw, "product_id")?,
        variant_id: optional(raw, "variant_id")?,
        quantity: match raw.get("quantity") {
            Some(Json::Number(text)) => {
                text.parse().map_err(|_| NormalizeError::Invalid("lines.quantity"))?
            }
            _ => return Err(NormalizeError::Invalid("lines.quantity")),
        },
        price: money(raw.get("price"))?,
    })
}
