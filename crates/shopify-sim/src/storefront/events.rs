//! The `data` of the standard events a storefront page publishes to web pixels, in the shapes of
//! Shopify's Web Pixels API (shopify.dev "Standard events": `ProductVariant`, `CartLine`,
//! `Checkout`, `MoneyV2` with a number `amount`).

use serde_json::{Value, json};

use crate::shop::{Product, Shop, Variant};

/// An event a page publishes: its name and `data`; `id` when a reload must not make it twice.
pub struct PageEvent {
    pub name: &'static str,
    pub data: Value,
    pub id: Option<String>,
}

impl PageEvent {
    pub fn new(name: &'static str, data: Value) -> Self {
        Self { name, data, id: None }
    }

    pub fn to_json(&self) -> Value {
        json!({ "name": self.name, "data": self.data, "id": self.id })
    }
}

/// A `MoneyV2` as the pixel API gives it: the amount a number.
fn money(cents: u64, currency: &str) -> Value {
    // Minor units to a number with two decimals; f64 holds every cent up to 2^53.
    json!({ "amount": cents as f64 / 100.0, "currencyCode": currency })
}

pub fn variant(shop: &Shop, product: &Product, variant: &Variant) -> Value {
    json!({
        "id": variant.id.to_string(),
        "price": money(variant.price_cents, &shop.currency),
        "sku": variant.sku,
        "title": variant.title,
        "untranslatedTitle": variant.title,
        "image": null,
        "product": {
            "id": product.id.to_string(),
            "title": product.title,
            "untranslatedTitle": product.title,
            "type": product.product_type,
            "url": format!("/products/{}", product.handle),
            "vendor": shop.handle(),
        },
    })
}

/// Lines of the cart that name a variant the shop has, with the variant.
pub fn lines<'a>(shop: &'a Shop, cart: &[(u64, u32)]) -> Vec<(&'a Product, &'a Variant, u32)> {
    cart.iter()
        .filter_map(|(variant_id, quantity)| {
            let (product, variant) = crate::checkout_page::find_variant(shop, *variant_id)?;
            Some((product, variant, *quantity))
        })
        .collect()
}

pub fn cart_line(shop: &Shop, product: &Product, chosen: &Variant, quantity: u32) -> Value {
    json!({
        "cost": { "totalAmount": money(chosen.price_cents * u64::from(quantity), &shop.currency) },
        "merchandise": variant(shop, product, chosen),
        "quantity": quantity,
    })
}

/// `cart_viewed`'s `cart`; null when it is empty, as Shopify reports it.
pub fn cart(shop: &Shop, cart: &[(u64, u32)]) -> Value {
    let lines = lines(shop, cart);
    if lines.is_empty() {
        return Value::Null;
    }
    let total: u64 =
        lines.iter().map(|(_, variant, quantity)| variant.price_cents * u64::from(*quantity)).sum();
    json!({
        "id": "cart",
        "attributes": [],
        "cost": { "totalAmount": money(total, &shop.currency) },
        "lines": lines.iter().map(|(product, variant, quantity)| cart_line(shop, product, variant, *quantity)).collect::<Vec<_>>(),
    })
}

/// A checkout's `checkout`: its token and lines, the buyer's email, the total after discounts,
/// and the order once placed.
pub struct CheckoutFacts<'a> {
    pub token: &'a str,
    pub email: Option<&'a str>,
    pub cart: &'a [(u64, u32)],
    pub subtotal_cents: u64,
    pub total_cents: u64,
    /// The order and its customer, once placed.
    pub order: Option<(u64, Option<u64>)>,
}

pub fn checkout(shop: &Shop, facts: &CheckoutFacts<'_>) -> Value {
    let items: Vec<Value> = lines(shop, facts.cart)
        .iter()
        .enumerate()
        .map(|(index, (product, chosen, quantity))| {
            json!({
                "id": format!("li-{}", index + 1),
                "quantity": quantity,
                "title": product.title,
                "finalLinePrice": money(chosen.price_cents * u64::from(*quantity), &shop.currency),
                "variant": variant(shop, product, chosen),
                "discountAllocations": [],
                "properties": [],
                "sellingPlanAllocation": null,
            })
        })
        .collect();
    let order = facts.order.map(|(id, customer)| {
        json!({ "id": id.to_string(), "customer": customer.map(|id| json!({ "id": id.to_string() })) })
    });
    json!({
        "token": facts.token,
        "currencyCode": shop.currency,
        "email": facts.email,
        "lineItems": items,
        "subtotalPrice": money(facts.subtotal_cents, &shop.currency),
        "totalPrice": money(facts.total_cents, &shop.currency),
        "discountsAmount": money(facts.subtotal_cents.saturating_sub(facts.total_cents), &shop.currency),
        "order": order,
    })
}
