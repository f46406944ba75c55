//! The guest-miss report: orders placed as a guest (signed in as no customer) with the email of
//! a customer who is a segment member. Shopify's checkout knows a guest by no tag, so the
//! member's rules gave nothing; the report runs each such order through the Function as if the
//! member had signed in, and says what they missed. Membership and rules are today's.

use std::collections::{HashMap, HashSet};

use discount_rules::{Decimal, segment_tag};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::trial::{self, Cart, CartLine, Given};
use crate::app::App;
use crate::clock::UnixTime;
use crate::db::GuestOrderRow;
use crate::error::AppError;
use crate::shopify::ShopDomain;

/// How far back the report looks.
pub const DAYS: i64 = 90;
/// Most orders it reads.
const MAX_ORDERS: i64 = 200;

/// `GET /api/discount-rules/guest-misses`.
#[derive(Serialize, TS)]
pub struct GuestMisses {
    /// Orders that would have had a discount, newest first.
    pub orders: Vec<GuestMiss>,
    /// What those orders missed together, in the shop's currency.
    pub total_missed: String,
    /// Guest orders of members read, with or without a miss.
    pub orders_checked: usize,
    /// The report covers orders since then (Unix seconds).
    pub since: UnixTime,
}

/// A member's guest order and what it missed.
#[derive(Serialize, TS)]
pub struct GuestMiss {
    pub order_id: String,
    pub order_name: Option<String>,
    pub placed_at: UnixTime,
    pub customer_id: String,
    pub email: Option<String>,
    /// The member's segments now.
    pub segments: Vec<String>,
    /// What the discounts would have taken off.
    pub missed: String,
    pub discounts: Vec<Given>,
}

/// The report for `shop` at `now`.
pub async fn report(app: &App, shop: &ShopDomain, now: UnixTime) -> Result<GuestMisses, AppError> {
    let since = now - DAYS * 86_400;
    let rules = super::rules_of(&app.store, shop).await?;
    let rows = app.store.guest_orders_of_members(shop, since, MAX_ORDERS).await?;
    let orders_checked = rows.len();
    let mut collections = HashMap::new();
    let mut orders = Vec::new();
    let mut total = Decimal::ZERO;
    if rules.iter().any(|(_, rule)| rule.active) {
        for row in rows {
            let Some(cart) = cart_of(&row) else { continue };
            let segments = app.store.memberships(shop, &row.customer_id).await?;
            let tags: HashSet<String> = segments.iter().map(|slug| segment_tag(slug)).collect();
            trial::collections(&app.shopify, shop, &rules, &cart, &mut collections).await?;
            let outcome = trial::run(&rules, &tags, &cart, &collections)?;
            let missed: Decimal = outcome.total_off.parse().unwrap_or(Decimal::ZERO);
            if missed.is_zero() {
                continue;
            }
            total = total.saturating_add(missed);
            orders.push(GuestMiss {
                order_id: row.order_id,
                order_name: row.name,
                placed_at: row.placed_at,
                customer_id: row.customer_id,
                email: row.email,
                segments,
                missed: outcome.total_off,
                discounts: outcome.discounts,
            });
        }
    }
    Ok(GuestMisses { orders, total_missed: trial::money(total), orders_checked, since })
}

/// The order as the cart it was. A backfilled order has no lines, only its total: it is priced
/// as one line of that total, which order rules see and no product rule matches.
fn cart_of(row: &GuestOrderRow) -> Option<Cart> {
    let lines: Vec<Value> = serde_json::from_str(&row.line_items).unwrap_or_default();
    let mut cart: Vec<CartLine> = lines
        .iter()
        .filter_map(|line| {
            let product = line["product_id"].as_str()?;
            Some(CartLine {
                product_id: format!("gid://shopify/Product/{product}"),
                quantity: u32::try_from(line["quantity"].as_i64()?).ok().filter(|quantity| *quantity > 0)?,
                price: line["price"].as_str()?.parse().ok()?,
            })
        })
        .take(trial::MAX_LINES)
        .collect();
    if cart.is_empty() {
        let total: Decimal = row.total_price.as_deref()?.parse().ok()?;
        cart.push(CartLine { product_id: "gid://shopify/Product/0".to_owned(), quantity: 1, price: total });
    }
    Some(Cart { lines: cart, shipping: None })
}
