//! The lookup API for support tools (docs/api.md): orders by number, products by title, SKU or
//! barcode, customers by email with their segments and tags, across the stores of the workspace
//! whose server key the caller sends. JSON answers, paged where a search can find many.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::AppState;
use crate::checks::{ServerKeyCaller, ShopSession};
use crate::clock::UnixTime;
use crate::db::{DbError, PrefixedStore, VariantRow};
use crate::error::AppError;
use crate::input::{JsonBody, Path};
use crate::pixel::RateLimiter;
use crate::shop_domain::ShopDomain;

/// Requests a workspace may make at once, then per second.
const BURST: f64 = 30.0;
const PER_SECOND: f64 = 10.0;
/// A page of products holds this many unless the caller asks for fewer (at most `MAX_PER_PAGE`).
const PER_PAGE: i64 = 25;
const MAX_PER_PAGE: i64 = 100;

/// The lookup API's limiter: `BURST` requests, then `PER_SECOND`, per workspace.
pub fn rate_limiter() -> RateLimiter {
    RateLimiter::new(BURST, PER_SECOND)
}

/// An order as the lookup answers it.
#[derive(Serialize)]
pub struct OrderFound {
    pub shop: ShopDomain,
    pub order_id: String,
    pub name: Option<String>,
    pub customer_id: Option<String>,
    pub total_price: Option<String>,
    pub currency: Option<String>,
    pub financial_status: Option<String>,
    pub created_at: Option<UnixTime>,
    pub cancelled_at: Option<UnixTime>,
    /// `[{product_id, variant_id, quantity, price}]`.
    pub line_items: Value,
}

/// `GET /v1/lookup/orders/{number}`.
#[derive(Serialize)]
pub struct OrdersFound {
    pub orders: Vec<OrderFound>,
}

/// A variant as the lookup answers it.
#[derive(Serialize)]
pub struct VariantFound {
    pub variant_id: String,
    pub title: Option<String>,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub price: Option<String>,
    pub inventory_quantity: Option<i64>,
}

/// A product as the lookup answers it.
#[derive(Serialize)]
pub struct ProductFound {
    pub shop: ShopDomain,
    pub product_id: String,
    pub title: Option<String>,
    pub handle: Option<String>,
    pub status: Option<String>,
    pub vendor: Option<String>,
    pub product_type: Option<String>,
    pub variants: Vec<VariantFound>,
}

/// `GET /v1/lookup/products`: one page.
#[derive(Serialize)]
pub struct ProductsFound {
    pub products: Vec<ProductFound>,
    pub page: i64,
    pub per_page: i64,
    /// Another page follows.
    pub has_more: bool,
}

/// A customer as the lookup answers it.
#[derive(Serialize)]
pub struct CustomerFound {
    pub shop: ShopDomain,
    pub customer_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub tags: Vec<String>,
    /// The slugs of the Seglink segments they are in.
    pub segments: Vec<String>,
}

/// `GET /v1/lookup/customers`.
#[derive(Serialize)]
pub struct CustomersFound {
    pub customers: Vec<CustomerFound>,
}

/// `?q=…&page=…&per_page=…`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductQuery {
    q: String,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// `?email=…`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerQuery {
    email: String,
}

/// `{"prefix": "EU" | null}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixInput {
    prefix: Option<String>,
}

/// `PUT /api/order-prefix`: this store's order prefix.
#[derive(Serialize)]
pub struct PrefixView {
    pub prefix: Option<String>,
}

async fn stores(app: &AppState, caller: &ServerKeyCaller) -> Result<Vec<PrefixedStore>, DbError> {
    app.store.workspace_stores(&caller.workspace.id).await
}

/// An order number as support staff type it: `1001`, `#1001`, or `EU-1001` for the store whose
/// prefix is EU. The prefix (upper-cased) and the number.
fn order_number(text: &str) -> Result<(Option<String>, u64), AppError> {
    let refuse = || {
        AppError::invalid(
            "/number",
            "an order number: 1001, #1001, or a store prefix and the number (EU-1001)",
        )
    };
    let text = text.trim();
    let (prefix, digits) = match text.rsplit_once('-') {
        Some((prefix, digits)) => (Some(prefix), digits),
        None => (None, text.strip_prefix('#').unwrap_or(text)),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(refuse());
    }
    let prefix = match prefix {
        Some(prefix) => Some(valid_prefix(prefix).ok_or_else(refuse)?),
        None => None,
    };
    Ok((prefix, digits.parse().map_err(|_| refuse())?))
}

/// A prefix is 1 to 10 letters or digits, compared without case.
fn valid_prefix(text: &str) -> Option<String> {
    let text = text.trim();
    ((1..=10).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_alphanumeric()))
        .then(|| text.to_ascii_uppercase())
}

/// `GET /v1/lookup/orders/{number}`: the order of that number in every store of the workspace,
/// or, with a prefix, in the store that has it.
pub async fn orders(
    State(app): State<AppState>,
    caller: ServerKeyCaller,
    Path(number): Path<String>,
) -> Result<Json<OrdersFound>, AppError> {
    let (prefix, number) = order_number(&number)?;
    let stores = stores(&app, &caller).await?;
    let shops: Vec<ShopDomain> = match &prefix {
        Some(prefix) => {
            let shop = stores
                .into_iter()
                .find(|store| store.order_prefix.as_deref() == Some(prefix.as_str()))
                .ok_or_else(|| {
                    AppError::invalid(
                        "/number",
                        format!("no store of this workspace has the prefix {prefix}"),
                    )
                })?;
            vec![shop.shop]
        }
        None => stores.into_iter().map(|store| store.shop).collect(),
    };
    let orders = app
        .store
        .orders_named(&shops, &format!("#{number}"))
        .await?
        .into_iter()
        .map(|(shop, order)| OrderFound {
            shop,
            order_id: order.order_id,
            name: order.name,
            customer_id: order.customer_id,
            total_price: order.total_price,
            currency: order.currency,
            financial_status: order.financial_status,
            created_at: order.created_at,
            cancelled_at: order.cancelled_at,
            line_items: serde_json::from_str(&order.line_items).unwrap_or(Value::Array(Vec::new())),
        })
        .collect();
    Ok(Json(OrdersFound { orders }))
}

/// `GET /v1/lookup/products?q=…`: products whose title contains `q`, or with a variant whose SKU
/// or barcode is `q`; paged with `page` (from 1) and `per_page`.
pub async fn products(
    State(app): State<AppState>,
    caller: ServerKeyCaller,
    Query(query): Query<ProductQuery>,
) -> Result<Json<ProductsFound>, AppError> {
    let text = query.q.trim();
    if text.is_empty() || text.chars().count() > 100 {
        return Err(AppError::invalid("/q", "1 to 100 characters: part of a title, a SKU or a barcode"));
    }
    let page = query.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(AppError::invalid("/page", "a page number from 1"));
    }
    let per_page = query.per_page.unwrap_or(PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::invalid("/per_page", format!("1 to {MAX_PER_PAGE}")));
    }
    let shops: Vec<ShopDomain> = stores(&app, &caller).await?.into_iter().map(|store| store.shop).collect();
    let (found, has_more) = app.store.search_products(&shops, text, per_page, (page - 1) * per_page).await?;
    // The page's variants: one query per store on the page, not one per product.
    let mut variants: HashMap<(ShopDomain, String), Vec<VariantRow>> = HashMap::new();
    for shop in &shops {
        let ids: Vec<String> = found
            .iter()
            .filter(|(owner, _)| owner == shop)
            .map(|(_, product)| product.product_id.clone())
            .collect();
        if !ids.is_empty() {
            for (product, rows) in app.store.variants_of(shop, &ids).await? {
                variants.insert((shop.clone(), product), rows);
            }
        }
    }
    let mut products = Vec::with_capacity(found.len());
    for (shop, product) in found {
        let variants = variants
            .remove(&(shop.clone(), product.product_id.clone()))
            .unwrap_or_default()
            .into_iter()
            .map(variant)
            .collect();
        products.push(ProductFound {
            shop,
            product_id: product.product_id,
            title: product.title,
            handle: product.handle,
            status: product.status,
            vendor: product.vendor,
            product_type: product.product_type,
            variants,
        });
    }
    Ok(Json(ProductsFound { products, page, per_page, has_more }))
}

fn variant(row: VariantRow) -> VariantFound {
    VariantFound {
        variant_id: row.variant_id,
        title: row.title,
        sku: row.sku,
        barcode: row.barcode,
        price: row.price,
        inventory_quantity: row.inventory_quantity,
    }
}

/// `GET /v1/lookup/customers?email=…`: the customers with that email in every store of the
/// workspace, with their tags and Seglink segments.
pub async fn customers(
    State(app): State<AppState>,
    caller: ServerKeyCaller,
    Query(query): Query<CustomerQuery>,
) -> Result<Json<CustomersFound>, AppError> {
    let email = query.email.trim();
    if !(3..=254).contains(&email.len()) || !email.contains('@') {
        return Err(AppError::invalid("/email", "an email address"));
    }
    let shops: Vec<ShopDomain> = stores(&app, &caller).await?.into_iter().map(|store| store.shop).collect();
    let mut customers = Vec::new();
    for (shop, customer) in app.store.customers_by_email(&shops, email).await? {
        let segments = app.store.memberships(&shop, &customer.customer_id).await?;
        customers.push(CustomerFound {
            tags: customer
                .tags
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_owned)
                .collect(),
            segments,
            shop,
            customer_id: customer.customer_id,
            email: customer.email,
            first_name: customer.first_name,
            last_name: customer.last_name,
        });
    }
    Ok(Json(CustomersFound { customers }))
}

/// `PUT /api/order-prefix` with `{"prefix": "EU"}` (or `null` to clear): the calling store's
/// prefix for order lookups; 409 when another store of its workspace has it.
pub async fn set_prefix(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<PrefixInput>,
) -> Result<Json<PrefixView>, AppError> {
    let prefix = match input.prefix.as_deref() {
        None => None,
        Some(text) => Some(
            valid_prefix(text).ok_or_else(|| AppError::invalid("/prefix", "1 to 10 letters or digits"))?,
        ),
    };
    app.store.set_order_prefix(&session.claims.shop, prefix.as_deref()).await.map_err(
        |error| match error {
            DbError::Conflict => {
                AppError::Conflict("another store of this workspace has that prefix".to_owned())
            }
            other => other.into(),
        },
    )?;
    Ok(Json(PrefixView { prefix }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_read_as_staff_type_them() {
        assert_eq!(order_number("1001").unwrap(), (None, 1001));
        assert_eq!(order_number("#1001").unwrap(), (None, 1001));
        assert_eq!(order_number("eu-1001").unwrap(), (Some("EU".to_owned()), 1001));
        for refused in ["", "#", "abc", "EU-", "-1001", "EU!-1001", "1001x", "VERYLONGPREFIX-1"] {
            assert!(order_number(refused).is_err(), "{refused:?}");
        }
    }
}
