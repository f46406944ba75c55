//! The canonical event: what Seglink keeps of anything a shopper does, from the storefront pixel
//! or from a webhook. Only fields segments use; ids as strings; money as a decimal string with
//! its currency; nothing that identifies a person.

use alloc::string::String;
use alloc::vec::Vec;

use crate::json::{write_string, write_uint};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A storefront page was shown.
    PageView,
    /// A product page was shown.
    ProductView,
    /// A collection page was shown.
    CollectionView,
    /// A search was submitted.
    Search,
    /// A variant went into the cart.
    AddToCart,
    /// A variant left the cart.
    RemoveFromCart,
    /// The cart was shown.
    CartView,
    /// Checkout began.
    CheckoutStart,
    /// Contact details were submitted in checkout.
    CheckoutContactInfo,
    /// An address was submitted in checkout.
    CheckoutAddressInfo,
    /// A shipping rate was chosen in checkout.
    CheckoutShippingInfo,
    /// Payment details were submitted.
    PaymentInfo,
    /// An order was placed and paid (pixel `checkout_completed`, webhook `orders/paid`).
    Purchase,
    /// An order was created (webhook).
    OrderCreated,
    /// An order was edited (webhook).
    OrderModified,
    /// An order was cancelled (webhook).
    OrderCancelled,
    /// Money was refunded (webhook).
    Refund,
    /// A cart changed (webhook).
    CartUpdate,
    /// A customer account was made (webhook).
    CustomerCreated,
    /// Marketing consent changed (webhook).
    ConsentChange,
    /// An order was fulfilled (webhook).
    Fulfillment,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 21] = [
        Self::PageView,
        Self::ProductView,
        Self::CollectionView,
        Self::Search,
        Self::AddToCart,
        Self::RemoveFromCart,
        Self::CartView,
        Self::CheckoutStart,
        Self::CheckoutContactInfo,
        Self::CheckoutAddressInfo,
        Self::CheckoutShippingInfo,
        Self::PaymentInfo,
        Self::Purchase,
        Self::OrderCreated,
        Self::OrderModified,
        Self::OrderCancelled,
        Self::Refund,
        Self::CartUpdate,
        Self::CustomerCreated,
        Self::ConsentChange,
        Self::Fulfillment,
    ];

    /// The name stored and sent: `page_view`, `add_to_cart`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PageView => "page_view",
            Self::ProductView => "product_view",
            Self::CollectionView => "collection_view",
            Self::Search => "search",
            Self::AddToCart => "add_to_cart",
            Self::RemoveFromCart => "remove_from_cart",
            Self::CartView => "cart_view",
            Self::CheckoutStart => "checkout_start",
            Self::CheckoutContactInfo => "checkout_contact_info",
            Self::CheckoutAddressInfo => "checkout_address_info",
            Self::CheckoutShippingInfo => "checkout_shipping_info",
            Self::PaymentInfo => "payment_info",
            Self::Purchase => "purchase",
            Self::OrderCreated => "order_created",
            Self::OrderModified => "order_modified",
            Self::OrderCancelled => "order_cancelled",
            Self::Refund => "refund",
            Self::CartUpdate => "cart_update",
            Self::CustomerCreated => "customer_created",
            Self::ConsentChange => "consent_change",
            Self::Fulfillment => "fulfillment",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether only a storefront's word stands behind events of this kind: the pixel reports
    /// them from the shopper's browser, which can send anything. Shopify's signed webhooks
    /// report the rest (a pixel's purchase is kept only as a claim; the order's webhook is the
    /// purchase).
    pub fn is_storefront_signal(self) -> bool {
        matches!(
            self,
            Self::PageView
                | Self::ProductView
                | Self::CollectionView
                | Self::Search
                | Self::AddToCart
                | Self::RemoveFromCart
                | Self::CartView
                | Self::CheckoutStart
                | Self::CheckoutContactInfo
                | Self::CheckoutAddressInfo
                | Self::CheckoutShippingInfo
                | Self::PaymentInfo
        )
    }
}

/// Most digits before the decimal point of an amount (a quadrillion in any currency).
pub const MAX_WHOLE_DIGITS: usize = 15;
/// Most digits after it.
pub const MAX_FRACTION_DIGITS: usize = 6;

/// An amount of money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// A plain decimal: `19.99`, `20`, `-5.5`.
    pub amount: String,
    /// ISO 4217, upper case.
    pub currency: String,
}

/// One line of a cart or checkout.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The product.
    pub product_id: Option<String>,
    /// The variant.
    pub variant_id: Option<String>,
    /// How many.
    pub quantity: u32,
    /// What the line costs in all.
    pub price: Option<Money>,
}

/// A canonical event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: Kind,
    /// The source's id for it (a pixel event id), which makes it unique.
    pub id: String,
    /// The browser's Shopify client id (pixel events).
    pub client_id: Option<String>,
    /// When, as the source stated it (ISO 8601).
    pub occurred_at: String,
    /// The page's address.
    pub url: Option<String>,
    /// The referring page.
    pub referrer: Option<String>,
    /// The product viewed or added.
    pub product_id: Option<String>,
    /// Its variant.
    pub variant_id: Option<String>,
    /// The collection viewed.
    pub collection_id: Option<String>,
    /// The search terms.
    pub search_query: Option<String>,
    /// How many were added or removed.
    pub quantity: Option<u32>,
    /// The value: a variant's price, a cart line's or a checkout's total.
    pub value: Option<Money>,
    /// A cart's or checkout's lines.
    pub lines: Vec<Line>,
    /// The checkout.
    pub checkout_token: Option<String>,
    /// The order a completed checkout became.
    pub order_id: Option<String>,
}

impl Event {
    /// An event of `kind` with only its identity set.
    pub fn new(kind: Kind, id: String, occurred_at: String) -> Self {
        Self {
            kind,
            id,
            client_id: None,
            occurred_at,
            url: None,
            referrer: None,
            product_id: None,
            variant_id: None,
            collection_id: None,
            search_query: None,
            quantity: None,
            value: None,
            lines: Vec::new(),
            checkout_token: None,
            order_id: None,
        }
    }

    /// The event as a JSON object, leaving out what is absent.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("{\"kind\":");
        write_string(&mut out, self.kind.as_str());
        out.push_str(",\"id\":");
        write_string(&mut out, &self.id);
        out.push_str(",\"occurred_at\":");
        write_string(&mut out, &self.occurred_at);
        for (name, value) in [("client_id", &self.client_id), ("order_id", &self.order_id)] {
            if let Some(value) = value {
                write_key(&mut out, name);
                write_string(&mut out, value);
            }
        }
        self.write_details(&mut out);
        out.push('}');
        out
    }

    /// What the event says beyond its identity (kind, id, time, client, order), as a JSON object:
    /// what the backend stores beside the columns that hold the rest.
    pub fn details_json(&self) -> String {
        let mut out = String::with_capacity(192);
        out.push_str("{\"v\":1");
        self.write_details(&mut out);
        out.push('}');
        out
    }

    fn write_details(&self, out: &mut String) {
        let texts = [
            ("url", &self.url),
            ("referrer", &self.referrer),
            ("product_id", &self.product_id),
            ("variant_id", &self.variant_id),
            ("collection_id", &self.collection_id),
            ("search_query", &self.search_query),
            ("checkout_token", &self.checkout_token),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                write_key(out, name);
                write_string(out, value);
            }
        }
        if let Some(quantity) = self.quantity {
            write_key(out, "quantity");
            write_uint(out, u64::from(quantity));
        }
        if let Some(value) = &self.value {
            out.push_str(",\"value\":");
            write_money(out, value);
        }
        if !self.lines.is_empty() {
            out.push_str(",\"lines\":[");
            for (index, line) in self.lines.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str("{\"quantity\":");
                write_uint(out, u64::from(line.quantity));
                for (name, value) in [("product_id", &line.product_id), ("variant_id", &line.variant_id)] {
                    if let Some(value) = value {
                        write_key(out, name);
                        write_string(out, value);
                    }
                }
                if let Some(price) = &line.price {
                    out.push_str(",\"price\":");
                    write_money(out, price);
                }
                out.push('}');
            }
            out.push(']');
        }
    }
}

fn write_key(out: &mut String, name: &str) {
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
}

fn write_money(out: &mut String, money: &Money) {
    out.push_str("{\"amount\":");
    write_string(out, &money.amount);
    out.push_str(",\"currency\":");
    write_string(out, &money.currency);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;
    use std::{assert_eq, collections::BTreeSet};

    use super::*;

    #[test]
    fn every_kind_has_a_distinct_name_that_parses_back() {
        let names: BTreeSet<&str> = Kind::ALL.iter().map(|kind| kind.as_str()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("page_viewed"), None, "Shopify's names are not ours");
    }

    #[test]
    fn absent_fields_are_left_out_of_the_json() {
        let event = Event::new(Kind::PageView, "e\"1".to_owned(), "2026-11-20T10:00:00Z".to_owned());
        assert_eq!(
            event.to_json(),
            r#"{"kind":"page_view","id":"e\"1","occurred_at":"2026-11-20T10:00:00Z"}"#
        );
    }
}
