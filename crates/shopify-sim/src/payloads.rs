//! Webhook bodies in the JSON shape Shopify sends: REST resource fields in snake case, money as
//! decimal strings, tags as one comma-separated string, and `admin_graphql_api_id` beside each id.

use serde_json::{Value, json};

use crate::money::amount as money;
use crate::shop::{Customer, Order, Product, Refund, Shop, gid, iso8601};

pub(crate) fn customer(customer: &Customer, shop: &Shop, now: u64) -> Value {
    json!({
        "id": customer.id,
        "admin_graphql_api_id": gid("Customer", customer.id),
        "email": customer.email,
        "created_at": iso8601(customer.created_at),
        "updated_at": iso8601(now),
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "state": "enabled",
        "tags": customer.tags.join(", "),
        "currency": shop.currency,
        "default_address": { "country_code": customer.country_code },
    })
}

pub(crate) fn order(order: &Order, shop: &Shop) -> Value {
    let buyer = order.customer_id.and_then(|id| shop.customers.iter().find(|customer| customer.id == id));
    let line_items: Vec<Value> = order
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let id = order.id * 10 + index as u64;
            json!({
                "id": id,
                "admin_graphql_api_id": gid("LineItem", id),
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "quantity": line.quantity,
                "price": money(line.price_cents),
            })
        })
        .collect();
    let refunded = order.refunded_cents();
    let online = !order.checkout_token.is_empty();
    json!({
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "email": buyer.map(|customer| customer.email.as_str()).or(order.guest_email.as_deref()),
        "checkout_token": order.checkout_token,
        "buyer_accepts_marketing": buyer.is_some_and(|customer| customer.accepts_marketing),
        // An online order carries the buyer's browser and its status page; others carry none.
        "browser_ip": online.then_some("203.0.113.7"),
        "client_details": online.then(|| json!({
            "browser_ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        })),
        "order_status_url": online.then(|| format!("https://{}/1/orders/{}/authenticate", shop.domain, order.checkout_token)),
        "created_at": iso8601(order.created_at),
        "cancelled_at": order.cancelled_at.map(iso8601),
        "currency": shop.currency,
        "financial_status": serde_json::to_value(order.financial_status)
            .ok()
            .and_then(|status| status.as_str().map(str::to_lowercase)),
        // Shopify's subtotal is after discounts; the lines' own sum is `total_line_items_price`.
        "total_line_items_price": money(order.subtotal_cents),
        "total_discounts": money(order.discount_cents),
        "subtotal_price": money(order.total_cents()),
        "total_price": money(order.total_cents()),
        "current_total_price": money(order.total_cents().saturating_sub(refunded)),
        "customer": buyer.map(|customer| json!({
            "id": customer.id,
            "admin_graphql_api_id": gid("Customer", customer.id),
            "email": customer.email,
            "tags": customer.tags.join(", "),
            "email_marketing_consent": {
                "state": if customer.accepts_marketing { "subscribed" } else { "not_subscribed" },
            },
        })),
        "line_items": line_items,
        "refunds": order.refunds.iter().map(|refund_record| refund(refund_record, order.id)).collect::<Vec<_>>(),
    })
}

pub(crate) fn refund(refund: &Refund, order_id: u64) -> Value {
    json!({
        "id": refund.id,
        "admin_graphql_api_id": gid("Refund", refund.id),
        "order_id": order_id,
        "created_at": iso8601(refund.created_at),
        "transactions": [{ "amount": money(refund.amount_cents), "kind": "refund", "status": "success" }],
    })
}

pub(crate) fn product(product: &Product, now: u64) -> Value {
    json!({
        "id": product.id,
        "admin_graphql_api_id": gid("Product", product.id),
        "title": product.title,
        "handle": product.handle,
        "product_type": product.product_type,
        "body_html": product.listing.description_html,
        "vendor": product.listing.vendor,
        "status": "active",
        "tags": product.tags.join(", "),
        "updated_at": iso8601(now),
        "variants": product.variants.iter().map(|variant| json!({
            "id": variant.id,
            "admin_graphql_api_id": gid("ProductVariant", variant.id),
            "product_id": product.id,
            "title": variant.title,
            "sku": variant.sku,
            "barcode": variant.barcode,
            "price": money(variant.price_cents),
            "compare_at_price": variant.compare_at_price_cents.map(money),
            "inventory_quantity": variant.inventory_quantity,
        })).collect::<Vec<_>>(),
        "images": product.listing.images.iter().enumerate().map(|(position, image)| json!({
            "id": image.id,
            "admin_graphql_api_id": gid("ProductImage", image.id),
            "product_id": product.id,
            "position": position + 1,
            "alt": image.alt,
            "src": format!("https://cdn.shopify.com/s/files/1/sim/products/{}.jpg", image.id),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn shop(shop: &Shop) -> Value {
    json!({
        "id": 1,
        "name": shop.handle(),
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "currency": shop.currency,
    })
}

/// The customer as the compliance topics name them.
pub(crate) fn compliance_customer(customer: &Customer) -> Value {
    json!({ "id": customer.id, "email": customer.email, "phone": null })
}

pub(crate) fn orders_of(shop: &Shop, customer_id: u64) -> Vec<u64> {
    shop.orders.iter().filter(|order| order.customer_id == Some(customer_id)).map(|order| order.id).collect()
}
