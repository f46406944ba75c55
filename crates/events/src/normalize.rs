//! From a Shopify web pixel standard event (`@shopify/web-pixels-extension` 2.18) to a canonical
//! event. Only what segments use is read; the customer's email, phone, addresses and ids are never
//! copied (a browser's claim about who it is proves nothing; the backend links a client to a
//! customer from an order webhook only).

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::json::{Json, SyntaxError};
use crate::model::{Event, Kind, Line, Money};

/// Longest text kept from a field (URLs, search terms); longer is cut at a character boundary.
pub const MAX_TEXT_CHARS: usize = 2_048;
/// Most lines kept from a cart or checkout.
pub const MAX_LINES: usize = 250;

/// What became of a pixel event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A canonical event, boxed: it is large, and most callers move it on at once.
    Event(Box<Event>),
    /// A standard event Seglink does not keep (`alert_displayed`, `ui_extension_errored`); why.
    Ignored(&'static str),
}

/// Why a pixel event could not be normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NormalizeError {
    /// The text is not JSON.
    NotJson(SyntaxError),
    /// The event is not a JSON object.
    NotAnObject,
    /// A required field is absent or null.
    Missing(&'static str),
    /// A field has the wrong type or an impossible value.
    Invalid(&'static str),
    /// Not one of the standard events.
    UnknownEvent(String),
}

impl NormalizeError {
    /// The reason in words, built without `core::fmt` (which would grow the Wasm build).
    pub fn message(&self) -> String {
        let mut out = String::new();
        match self {
            Self::NotJson(error) => {
                out.push_str("not JSON (at byte ");
                crate::json::write_uint(&mut out, error.offset as u64);
                out.push(')');
            }
            Self::NotAnObject => out.push_str("an event must be a JSON object"),
            Self::Missing(field) => {
                out.push_str(field);
                out.push_str(" is missing");
            }
            Self::Invalid(field) => {
                out.push_str(field);
                out.push_str(" is not valid");
            }
            Self::UnknownEvent(name) => {
                out.push('`');
                out.push_str(name);
                out.push_str("` is not a standard event");
            }
        }
        out
    }
}

impl fmt::Display for NormalizeError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message())
    }
}

impl core::error::Error for NormalizeError {}

/// The standard events a merchant may choose the pixel to send or not, in the pixel API's names.
/// `checkout_completed` is not among them: it always goes, since it is how a storefront visitor is
/// tied to the verified order (docs/security.md).
pub const TRACKABLE_EVENTS: [&str; 12] = [
    "page_viewed",
    "product_viewed",
    "collection_viewed",
    "search_submitted",
    "product_added_to_cart",
    "product_removed_from_cart",
    "cart_viewed",
    "checkout_started",
    "checkout_contact_info_submitted",
    "checkout_address_info_submitted",
    "checkout_shipping_info_submitted",
    "payment_info_submitted",
];

/// Normalises one event given as JSON text.
pub fn normalize_text(text: &str) -> Result<Outcome, NormalizeError> {
    normalize(&Json::parse(text).map_err(NormalizeError::NotJson)?)
}

/// Normalises one parsed event.
pub fn normalize(raw: &Json<'_>) -> Result<Outcome, NormalizeError> {
    if !matches!(raw, Json::Object(_)) {
        return Err(NormalizeError::NotAnObject);
    }
    let name = required_text(raw, "name")?;
    let kind = match name.as_str() {
        "page_viewed" => Kind::PageView,
        "product_viewed" => Kind::ProductView,
        "collection_viewed" => Kind::CollectionView,
        "search_submitted" => Kind::Search,
        "product_added_to_cart" => Kind::AddToCart,
        "product_removed_from_cart" => Kind::RemoveFromCart,
        "cart_viewed" => Kind::CartView,
        "checkout_started" => Kind::CheckoutStart,
        "checkout_contact_info_submitted" => Kind::CheckoutContactInfo,
        "checkout_address_info_submitted" => Kind::CheckoutAddressInfo,
        "checkout_shipping_info_submitted" => Kind::CheckoutShippingInfo,
        "payment_info_submitted" => Kind::PaymentInfo,
        "checkout_completed" => Kind::Purchase,
        "alert_displayed" => return Ok(Outcome::Ignored("an alert says nothing about intent")),
        "ui_extension_errored" => {
            return Ok(Outcome::Ignored("an extension error says nothing about intent"));
        }
        _ => return Err(NormalizeError::UnknownEvent(clip(&name))),
    };
    let mut event = Event::new(kind, required_text(raw, "id")?, required_text(raw, "timestamp")?);
    event.client_id = Some(required_text(raw, "clientId")?);
    let document = raw.at(&["context", "document"]);
    event.url = document.and_then(|document| document.at(&["location", "href"])).and_then(text_of);
    event.referrer = document
        .and_then(|document| document.get("referrer"))
        .and_then(text_of)
        .filter(|text| !text.is_empty());
    let data = raw.get("data").ok_or(NormalizeError::Missing("data"))?;
    match kind {
        // A page view is its page: nothing in `data`.
        Kind::PageView => {}
        Kind::ProductView => {
            let variant = data.get("productVariant").ok_or(NormalizeError::Missing("data.productVariant"))?;
            read_variant(&mut event, variant)?;
            event.value = money(variant.get("price"), "data.productVariant.price")?;
        }
        Kind::CollectionView => {
            let collection = data.get("collection").ok_or(NormalizeError::Missing("data.collection"))?;
            event.collection_id = Some(
                id(collection.get("id"), "data.collection.id")?
                    .ok_or(NormalizeError::Missing("data.collection.id"))?,
            );
        }
        Kind::Search => {
            let query = data
                .at(&["searchResult", "query"])
                .ok_or(NormalizeError::Missing("data.searchResult.query"))?;
            event.search_query =
                Some(text_of(query).ok_or(NormalizeError::Invalid("data.searchResult.query"))?);
        }
        Kind::AddToCart | Kind::RemoveFromCart => {
            let line = cart_line(data.get("cartLine").ok_or(NormalizeError::Missing("data.cartLine"))?)?;
            event.product_id = line.product_id;
            event.variant_id = line.variant_id;
            event.quantity = Some(line.quantity);
            event.value = line.price;
        }
        Kind::CartView => {
            // An empty cart is reported as null.
            if let Some(cart) = data.get("cart").filter(|cart| **cart != Json::Null) {
                event.lines = lines(cart.get("lines"), cart_line)?;
                event.value = money(cart.at(&["cost", "totalAmount"]), "data.cart.cost.totalAmount")?;
            }
        }
        Kind::CheckoutStart
        | Kind::CheckoutContactInfo
        | Kind::CheckoutAddressInfo
        | Kind::CheckoutShippingInfo
        | Kind::PaymentInfo
        | Kind::Purchase => {
            let checkout = data.get("checkout").ok_or(NormalizeError::Missing("data.checkout"))?;
            event.lines = lines(checkout.get("lineItems"), checkout_line)?;
            event.value = money(checkout.get("totalPrice"), "data.checkout.totalPrice")?;
            event.checkout_token = checkout.get("token").and_then(text_of);
            event.order_id = id(checkout.at(&["order", "id"]), "data.checkout.order.id")?;
            if kind == Kind::Purchase && event.order_id.is_none() {
                return Err(NormalizeError::Missing("data.checkout.order.id"));
            }
        }
        // Webhook-side kinds never come from the pixel.
        _ => {}
    }
    Ok(Outcome::Event(Box::new(event)))
}

fn clip(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS).collect()
}

fn text_of(value: &Json<'_>) -> Option<String> {
    value.as_str().map(clip)
}

fn required_text(raw: &Json<'_>, field: &'static str) -> Result<String, NormalizeError> {
    match raw.get(field) {
        None | Some(Json::Null) => Err(NormalizeError::Missing(field)),
        Some(value) => text_of(value).filter(|text| !text.is_empty()).ok_or(NormalizeError::Invalid(field)),
    }
}

/// An id given as a string or a whole number; `None` when absent or null.
fn id(value: Option<&Json<'_>>, field: &'static str) -> Result<Option<String>, NormalizeError> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(text)) if !text.is_empty() && text.len() <= 256 => Ok(Some(text.clone())),
        Some(Json::Number(digits)) if digits.bytes().all(|byte| byte.is_ascii_digit()) => {
            Ok(Some((*digits).to_owned()))
        }
        Some(_) => Err(NormalizeError::Invalid(field)),
    }
}

/// A `MoneyV2`; `None` when absent or null.
fn money(value: Option<&Json<'_>>, field: &'static str) -> Result<Option<Money>, NormalizeError> {
    let Some(value) = value.filter(|value| **value != Json::Null) else { return Ok(None) };
    let amount = match value.get("amount") {
        Some(Json::Number(text)) => decimal(text),
        Some(Json::String(text)) => decimal(text),
        _ => None,
    }
    .ok_or(NormalizeError::Invalid(field))?;
    let currency = value
        .get("currencyCode")
        .and_then(Json::as_str)
        .filter(|code| code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase()))
        .ok_or(NormalizeError::Invalid(field))?;
    Ok(Some(Money { amount, currency: currency.to_owned() }))
}

/// A plain decimal from a JSON number's text: `19.99`, `20`. Browsers write money without an
/// exponent (JavaScript uses one only past 10^21 or under 10^-6), so one is refused.
fn decimal(text: &str) -> Option<String> {
    let (negative, digits) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.bytes().chain(fraction.bytes()).all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if whole.len() > crate::model::MAX_WHOLE_DIGITS || fraction.len() > crate::model::MAX_FRACTION_DIGITS {
        return None;
    }
    let mut plain = String::with_capacity(text.len() + 1);
    if negative && !(whole.is_empty() && fraction.is_empty()) {
        plain.push('-');
    }
    plain.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        plain.push('.');
        plain.push_str(fraction);
    }
    Some(plain)
}

fn read_variant(event: &mut Event, variant: &Json<'_>) -> Result<(), NormalizeError> {
    event.variant_id = id(variant.get("id"), "productVariant.id")?;
    event.product_id = id(variant.at(&["product", "id"]), "productVariant.product.id")?;
    Ok(())
}

fn quantity(value: Option<&Json<'_>>, field: &'static str) -> Result<u32, NormalizeError> {
    match value {
        Some(Json::Number(text)) => text.parse::<u32>().map_err(|_| NormalizeError::Invalid(field)),
        _ => Err(NormalizeError::Invalid(field)),
    }
}

fn cart_line(line: &Json<'_>) -> Result<Line, NormalizeError> {
    let merchandise = line.get("merchandise").ok_or(NormalizeError::Missing("cartLine.merchandise"))?;
    Ok(Line {
        product_id: id(merchandise.at(&["product", "id"]), "cartLine.merchandise.product.id")?,
        variant_id: id(merchandise.get("id"), "cartLine.merchandise.id")?,
        quantity: quantity(line.get("quantity"), "cartLine.quantity")?,
        price: money(line.at(&["cost", "totalAmount"]), "cartLine.cost.totalAmount")?,
    })
}

fn checkout_line(line: &Json<'_>) -> Result<Line, NormalizeError> {
    let variant = line.get("variant").filter(|variant| **variant != Json::Null);
    Ok(Line {
        product_id: id(
            variant.and_then(|variant| variant.at(&["product", "id"])),
            "lineItem.variant.product.id",
        )?,
        variant_id: id(variant.and_then(|variant| variant.get("id")), "lineItem.variant.id")?,
        quantity: quantity(line.get("quantity"), "lineItem.quantity")?,
        price: money(line.get("finalLinePrice"), "lineItem.finalLinePrice")?,
    })
}

fn lines(
    value: Option<&Json<'_>>,
    read: fn(&Json<'_>) -> Result<Line, NormalizeError>,
) -> Result<Vec<Line>, NormalizeError> {
    match value {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items.iter().take(MAX_LINES).map(read).collect(),
        Some(_) => Err(NormalizeError::Invalid("lines")),
    }
}

#[cfg(test)]
mod tests {
    use std::assert_eq;

    use super::*;

    #[test]
    fn every_trackable_event_is_one_the_normaliser_knows_and_none_is_a_purchase() {
        for name in TRACKABLE_EVENTS {
            let raw = alloc::format!(
                r#"{{"name":"{name}","id":"e1","timestamp":"2026-12-01T10:00:00Z","clientId":"c1"}}"#
            );
            match normalize_text(&raw) {
                Ok(Outcome::Event(event)) => assert_ne!(event.kind, Kind::Purchase, "{name}"),
                Err(NormalizeError::UnknownEvent(_)) => panic!("{name} is not a standard event"),
                // Missing details (a product, a search) are the event's problem, not its name's.
                _ => {}
            }
        }
    }

    #[test]
    fn decimals_are_spelled_plainly() {
        for (text, plain) in [
            ("19.99", "19.99"),
            ("20", "20"),
            ("20.0", "20"),
            ("0.5", "0.5"),
            ("-5.50", "-5.5"),
            ("007", "7"),
            ("-0.0", "0"),
        ] {
            assert_eq!(decimal(text).as_deref(), Some(plain), "{text}");
        }
        for refused in ["1e2", "abc", "", "-", "1.2.3", ".5"] {
            assert_eq!(decimal(refused), None, "{refused}");
        }
    }
}
