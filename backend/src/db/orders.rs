//! Orders as webhooks and the backfill last reported them (never overwritten by an older
//! payload), guest orders for the guest-miss report, and the orders held for the upsell window.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// An order as last reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRow {
    /// Numeric id.
    pub order_id: String,
    /// Numeric id of its customer.
    pub customer_id: Option<String>,
    /// `#1001`.
    pub name: Option<String>,
    /// Decimal string in the shop's currency.
    pub total_price: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// Sales channel (`web`, `pos`, …).
    pub source_name: Option<String>,
    /// Comma separated.
    pub tags: String,
    /// 1 for a test order.
    pub test: bool,
    /// `paid`, `pending`, `refunded`, ….
    pub financial_status: Option<String>,
    /// `[{product_id, variant_id, quantity, price}]` as JSON.
    pub line_items: String,
    /// Unix seconds.
    pub cancelled_at: Option<UnixTime>,
    /// Unix seconds.
    pub created_at: Option<UnixTime>,
    /// Unix seconds; the guard.
    pub updated_at: UnixTime,
    /// The checkout it came from, which the storefront pixel also reports.
    pub checkout_token: Option<String>,
    /// A guest order's email, lower-cased; `None` for a customer's order.
    pub guest_email: Option<String>,
}

/// A guest order placed with a segment member's email.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GuestOrderRow {
    /// Numeric id.
    pub order_id: String,
    /// `#1001`.
    pub name: Option<String>,
    /// Unix seconds.
    pub placed_at: UnixTime,
    /// Decimal string in the shop's currency.
    pub total_price: Option<String>,
    /// `[{product_id, variant_id, quantity, price}]` as JSON; `[]` for a backfilled order.
    pub line_items: String,
    /// The member whose email it is.
    pub customer_id: String,
    /// Their email.
    pub email: Option<String>,
}

impl Store {
    /// Stores an order unless a newer version is stored; `true` when this one was kept.
    pub async fn upsert_order(&self, shop: &ShopDomain, order: &OrderRow) -> Result<bool, DbError> {
        let written = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO orders (shop, order_id, customer_id, name, total_price, currency, source_name, tags, test,
                                     financial_status, line_items, cancelled_at, created_at, updated_at, checkout_token,
                                     guest_email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (shop, order_id) DO UPDATE SET customer_id = excluded.customer_id, name = excluded.name,
                     total_price = excluded.total_price, currency = excluded.currency, source_name = excluded.source_name,
                     tags = excluded.tags, test = excluded.test, financial_status = excluded.financial_status,
                     line_items = excluded.line_items, cancelled_at = excluded.cancelled_at,
                     created_at = excluded.created_at, updated_at = excluded.updated_at,
                     checkout_token = COALESCE(excluded.checkout_token, orders.checkout_token),
                     guest_email = excluded.guest_email
                 WHERE orders.updated_at <= excluded.updated_at",
            )
            .bind(shop)
            .bind(&order.order_id)
            .bind(&order.customer_id)
            .bind(&order.name)
            .bind(&order.total_price)
            .bind(&order.currency)
            .bind(&order.source_name)
            .bind(&order.tags)
            .bind(order.test)
            .bind(&order.financial_status)
            .bind(&order.line_items)
            .bind(order.cancelled_at)
            .bind(order.created_at)
            .bind(order.updated_at)
            .bind(&order.checkout_token)
            .bind(&order.guest_email)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(written == 1)
    }

    /// An order as stored.
    pub async fn order(&self, shop: &ShopDomain, order_id: &str) -> Result<Option<OrderRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT order_id, customer_id, name, total_price, currency, source_name, tags, test, financial_status,
                        line_items, cancelled_at, created_at, updated_at, checkout_token, guest_email
                 FROM orders WHERE shop = $1 AND order_id = $2",
            )
            .bind(shop)
            .bind(order_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Guest orders since `since` (Unix seconds), newest first, placed with the email of a customer
    /// who is in a segment now: the order, its lines, and the customer.
    pub async fn guest_orders_of_members(
        &self,
        shop: &ShopDomain,
        since: UnixTime,
        limit: i64,
    ) -> Result<Vec<GuestOrderRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT o.order_id, o.name, COALESCE(o.created_at, o.updated_at) AS placed_at, o.total_price,
                        o.line_items, c.customer_id, c.email
                 FROM orders o
                 JOIN customers c ON c.shop = o.shop AND LOWER(c.email) = o.guest_email AND c.deleted = FALSE
                 WHERE o.shop = $1 AND o.guest_email IS NOT NULL AND o.customer_id IS NULL
                     AND o.cancelled_at IS NULL AND o.test = FALSE AND COALESCE(o.created_at, o.updated_at) >= $2
                     AND EXISTS (SELECT 1 FROM segment_members m WHERE m.shop = o.shop AND m.customer_id = c.customer_id)
                 ORDER BY placed_at DESC, o.order_id LIMIT $3",
            )
            .bind(shop)
            .bind(since)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Holds an order's events until `release_at`, or folds into the hold already there (a
    /// payment is remembered). `true` when this started the hold.
    pub async fn hold_order(
        &self,
        shop: &ShopDomain,
        order_id: &str,
        paid: bool,
        source_id: &str,
        release_at: UnixTime,
    ) -> Result<bool, DbError> {
        let existing: Option<bool> = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let existing = sqlx::query_scalar("SELECT paid FROM held_orders WHERE shop = $1 AND order_id = $2")
                .bind(shop)
                .bind(order_id)
                .fetch_optional(&mut *transaction)
                .await?;
            sqlx::query(
                "INSERT INTO held_orders (shop, order_id, paid, source_id, release_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (shop, order_id) DO UPDATE SET paid = CASE WHEN excluded.paid > held_orders.paid THEN excluded.paid ELSE held_orders.paid END",
            )
            .bind(shop)
            .bind(order_id)
            .bind(paid)
            .bind(source_id)
            .bind(release_at)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            existing
        });
        Ok(existing.is_none())
    }

    /// A hold: whether the order was paid, and the id its event is recorded under.
    pub async fn held_order(
        &self,
        shop: &ShopDomain,
        order_id: &str,
    ) -> Result<Option<(bool, String)>, DbError> {
        let row: Option<(bool, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT paid, source_id FROM held_orders WHERE shop = $1 AND order_id = $2")
                .bind(shop)
                .bind(order_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    /// Ends a hold, once its event is recorded.
    pub async fn end_hold(&self, shop: &ShopDomain, order_id: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM held_orders WHERE shop = $1 AND order_id = $2").bind(shop).bind(order_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Whether an order's events are being held.
    pub async fn is_held(&self, shop: &ShopDomain, order_id: &str) -> Result<bool, DbError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM held_orders WHERE shop = $1 AND order_id = $2")
                .bind(shop)
                .bind(order_id)
                .fetch_one(pool)
                .await?
        });
        Ok(count > 0)
    }
}
