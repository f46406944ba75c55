//! Customers as webhooks and the backfill last reported them (never overwritten by an older
//! payload; a deleted one stays deleted), found by email or name for the admin.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A customer as last reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerRow {
    /// Numeric id.
    pub customer_id: String,
    /// Personal data, deleted on `customers/redact`.
    pub email: Option<String>,
    /// Personal data.
    pub first_name: Option<String>,
    /// Personal data.
    pub last_name: Option<String>,
    /// Personal data.
    pub phone: Option<String>,
    /// ISO country of the default address.
    pub country: Option<String>,
    /// Comma separated.
    pub tags: String,
    /// `SUBSCRIBED`, `UNSUBSCRIBED`, ….
    pub marketing_state: Option<String>,
    /// Unix seconds.
    pub created_at: Option<UnixTime>,
    /// Unix seconds; the guard.
    pub updated_at: UnixTime,
}

impl Store {
    /// Stores a customer unless a newer version is stored; `true` when this one was kept.
    pub async fn upsert_customer(&self, shop: &ShopDomain, customer: &CustomerRow) -> Result<bool, DbError> {
        let written = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO customers (shop, customer_id, email, first_name, last_name, phone, country, tags,
                                        marketing_state, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (shop, customer_id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
                     last_name = excluded.last_name, phone = excluded.phone, country = excluded.country,
                     tags = excluded.tags, marketing_state = excluded.marketing_state,
                     created_at = excluded.created_at, updated_at = excluded.updated_at
                 WHERE customers.updated_at <= excluded.updated_at AND customers.deleted = FALSE",
            )
            .bind(shop)
            .bind(&customer.customer_id)
            .bind(&customer.email)
            .bind(&customer.first_name)
            .bind(&customer.last_name)
            .bind(&customer.phone)
            .bind(&customer.country)
            .bind(&customer.tags)
            .bind(&customer.marketing_state)
            .bind(customer.created_at)
            .bind(customer.updated_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(written == 1)
    }

    /// A customer as stored.
    pub async fn customer(
        &self,
        shop: &ShopDomain,
        customer_id: &str,
    ) -> Result<Option<CustomerRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, email, first_name, last_name, phone, country, tags, marketing_state, created_at, updated_at
                 FROM customers WHERE shop = $1 AND customer_id = $2 AND deleted = FALSE",
            )
            .bind(shop)
            .bind(customer_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Up to `limit` live customers whose email or name contains `text` (any case): id, email and
    /// name.
    pub async fn search_customers(
        &self,
        shop: &ShopDomain,
        text: &str,
        limit: i64,
    ) -> Result<Vec<(String, Option<String>, String)>, DbError> {
        let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, email, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) FROM customers
                 WHERE shop = $1 AND deleted = FALSE
                     AND (LOWER(COALESCE(email, '')) LIKE $2 ESCAPE '\\'
                          OR LOWER(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) LIKE $2 ESCAPE '\\')
                 ORDER BY customer_id LIMIT $3",
            )
            .bind(shop)
            .bind(format!("%{escaped}%"))
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A customer's id, email and name, as a search answers them; `None` when unknown or deleted.
    pub async fn customer_card(
        &self,
        shop: &ShopDomain,
        customer_id: &str,
    ) -> Result<Option<(String, Option<String>, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, email, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) FROM customers
                 WHERE shop = $1 AND customer_id = $2 AND deleted = FALSE",
            )
            .bind(shop)
            .bind(customer_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// How many live (not deleted) customers the store has.
    pub async fn customer_count(&self, shop: &ShopDomain) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE shop = $1 AND deleted = FALSE")
                .bind(shop)
                .fetch_one(pool)
                .await?
        }))
    }

    /// The id of the `count`th live customer after `after`, in the text order ids are stored in:
    /// where a page of that many ends. `None` when fewer remain.
    pub async fn customer_after(
        &self,
        shop: &ShopDomain,
        after: &str,
        count: i64,
    ) -> Result<Option<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT customer_id FROM customers WHERE shop = $1 AND customer_id > $2 AND deleted = FALSE
                 ORDER BY customer_id LIMIT 1 OFFSET $3",
            )
            .bind(shop)
            .bind(after)
            .bind(count.max(1) - 1)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Marks a customer deleted in Shopify and drops their personal data; a late update cannot
    /// bring them back.
    pub async fn delete_customer(
        &self,
        shop: &ShopDomain,
        customer_id: &str,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO customers (shop, customer_id, updated_at, deleted) VALUES ($1, $2, $3, TRUE)
                 ON CONFLICT (shop, customer_id) DO UPDATE SET email = NULL, first_name = NULL, last_name = NULL,
                     phone = NULL, deleted = TRUE",
            )
            .bind(shop)
            .bind(customer_id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
