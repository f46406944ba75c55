//! GDPR requests: recorded with their due date, answered from what is stored, and the erasures
//! they ask for.

use serde_json::{Value, json};

use super::{CustomerRow, DbError, EventRow, OrderRow, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A privacy request as the admin lists it (the API answers with it as it is).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, ts_rs::TS)]
pub struct PrivacyRequest {
    /// Its row.
    pub id: i64,
    /// `customers/data_request`, `customers/redact` or `shop/redact`.
    pub topic: String,
    /// The customer, for the customer topics.
    pub customer_id: Option<String>,
    /// Unix seconds.
    pub received_at: UnixTime,
    /// 30 days after it arrived.
    pub due_at: UnixTime,
    /// When Seglink carried it out.
    pub completed_at: Option<UnixTime>,
    /// Whether a data request's export waits to be downloaded.
    pub export_ready: bool,
    /// Until when it does.
    pub export_expires_at: Option<UnixTime>,
}

/// How long storefront events are kept when the merchant has not chosen.
pub const DEFAULT_STOREFRONT_EVENT_DAYS: i64 = 365;

/// Shopify expects a privacy request to be met within 30 days.
pub const PRIVACY_DUE_SECONDS: i64 = 30 * 86_400;
/// A data request's export is kept this long for the merchant to download, once.
pub const EXPORT_KEPT_SECONDS: i64 = 7 * 86_400;

/// Every table with a `shop` column that holds a store's data, in deletion order.
const SHOP_TABLES: [&str; 30] = [
    "events",
    "pixel_settings",
    "data_retention",
    "client_links",
    "held_orders",
    "orders",
    "customers",
    "products",
    "ingestion_policies",
    "setup_steps",
    "jobs",
    "webhook_inbox",
    "shops",
    "segments",
    "segment_members",
    "segment_changes",
    "segment_tagged",
    "segment_pushes",
    "flow_triggers",
    "flow_outbox",
    "flow_action_runs",
    "discount_rules",
    "discount_syncs",
    "shop_plans",
    "usage_months",
    "meta_settings",
    "meta_outbox",
    "meta_health",
    "meta_drops",
    "segment_includes",
];

impl Store {
    /// Records a request once per delivery (`source_id`); `false` when it was recorded before.
    pub async fn record_privacy_request(
        &self,
        shop: &ShopDomain,
        topic: &str,
        customer_id: Option<&str>,
        source_id: &str,
        received_at: UnixTime,
    ) -> Result<bool, DbError> {
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO privacy_requests (shop, topic, customer_id, received_at, due_at, source_id)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop, source_id) DO NOTHING",
            )
            .bind(shop)
            .bind(topic)
            .bind(customer_id)
            .bind(received_at)
            .bind(received_at + PRIVACY_DUE_SECONDS)
            .bind(source_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Marks a request done, with the export a data request produced.
    pub async fn complete_privacy_request(
        &self,
        shop: &ShopDomain,
        source_id: &str,
        export: Option<&str>,
        now: UnixTime,
    ) -> Result<(), DbError> {
        let expires_at = export.map(|_| now + EXPORT_KEPT_SECONDS);
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE privacy_requests SET completed_at = $3, export = $4, export_expires_at = $5
                 WHERE shop = $1 AND source_id = $2",
            )
            .bind(shop)
            .bind(source_id)
            .bind(now)
            .bind(export)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A shop's privacy requests, newest first; exports past their time are purged first.
    pub async fn privacy_requests(
        &self,
        shop: &ShopDomain,
        now: UnixTime,
    ) -> Result<Vec<PrivacyRequest>, DbError> {
        self.purge_expired_exports(now).await?;
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, topic, customer_id, received_at, due_at, completed_at, export IS NOT NULL AS export_ready,
                        export_expires_at
                 FROM privacy_requests WHERE shop = $1 ORDER BY id DESC",
            )
            .bind(shop)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A data request's export, handed out once: it is gone from the database after this.
    pub async fn take_export(
        &self,
        shop: &ShopDomain,
        id: i64,
        now: UnixTime,
    ) -> Result<Option<String>, DbError> {
        Ok(on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            // Clearing the row first makes this transaction its writer: a second download waits
            // for it, then finds nothing.
            let export: Option<Option<String>> = sqlx::query_scalar(
                "SELECT export FROM privacy_requests WHERE id = $1 AND shop = $2 AND export_expires_at > $3",
            )
            .bind(id)
            .bind(shop)
            .bind(now)
            .fetch_optional(&mut *transaction)
            .await?;
            let cleared = sqlx::query(
                "UPDATE privacy_requests SET export = NULL, export_expires_at = NULL
                 WHERE id = $1 AND shop = $2 AND export IS NOT NULL AND export_expires_at > $3",
            )
            .bind(id)
            .bind(shop)
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            transaction.commit().await?;
            if cleared == 1 { export.flatten() } else { None }
        }))
    }

    /// Deletes every export past its time.
    pub async fn purge_expired_exports(&self, now: UnixTime) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE privacy_requests SET export = NULL, export_expires_at = NULL WHERE export_expires_at <= $1",
            )
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// How many days the store keeps its storefront events.
    pub async fn storefront_event_days(&self, shop: &ShopDomain) -> Result<i64, DbError> {
        let days: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT storefront_event_days FROM data_retention WHERE shop = $1")
                .bind(shop)
                .fetch_optional(pool)
                .await?
        });
        Ok(days.unwrap_or(DEFAULT_STOREFRONT_EVENT_DAYS))
    }

    /// Sets how many days the store keeps its storefront events.
    pub async fn set_storefront_event_days(
        &self,
        shop: &ShopDomain,
        days: i64,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO data_retention (shop, storefront_event_days, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (shop) DO UPDATE SET storefront_event_days = excluded.storefront_event_days,
                     updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(days)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Deletes the store's storefront events that happened before `before` (Unix seconds); how
    /// many went.
    pub async fn prune_storefront_events(&self, shop: &ShopDomain, before: UnixTime) -> Result<u64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query("DELETE FROM events WHERE shop = $1 AND source = 'pixel' AND occurred_at < $2")
                .bind(shop)
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Everything stored about one customer, as JSON for the merchant.
    pub async fn customer_export(&self, shop: &ShopDomain, customer_id: &str) -> Result<Value, DbError> {
        let customer = self.customer(shop, customer_id).await?;
        let orders: Vec<OrderRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT order_id, customer_id, name, total_price, currency, source_name, tags, test, financial_status,
                        line_items, cancelled_at, created_at, updated_at, checkout_token, guest_email
                 FROM orders WHERE shop = $1 AND (customer_id = $2 OR guest_email =
                     (SELECT LOWER(email) FROM customers WHERE shop = $1 AND customer_id = $2))
                 ORDER BY order_id",
            )
            .bind(shop)
            .bind(customer_id)
            .fetch_all(pool)
            .await?
        });
        let events: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kind, source, source_id, customer_id, order_id, occurred_at, properties, client_id FROM events
                 WHERE shop = $1 AND customer_id = $2 ORDER BY id",
            )
            .bind(shop)
            .bind(customer_id)
            .fetch_all(pool)
            .await?
        });
        Ok(json!({
            "customer": customer.as_ref().map(customer_json),
            "orders": orders.iter().map(|order| json!({
                "id": order.order_id, "name": order.name, "total_price": order.total_price,
                "currency": order.currency, "created_at": order.created_at,
            })).collect::<Vec<_>>(),
            "events": events.iter().map(|event| json!({
                "kind": event.kind, "occurred_at": event.occurred_at, "order_id": event.order_id,
            })).collect::<Vec<_>>(),
        }))
    }

    /// Deletes one customer's personal data: the customer, their orders and those Shopify names,
    /// the email of guest orders placed with the customer's email,
    /// the events of the customer, of those orders and of the storefront clients linked to them,
    /// memberships and their history, holds and release jobs of those orders, and the customer's
    /// id and exports in the record of privacy requests.
    pub async fn redact_customer(
        &self,
        shop: &ShopDomain,
        customer_id: &str,
        order_ids: &[String],
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut orders: Vec<String> =
                sqlx::query_scalar("SELECT order_id FROM orders WHERE shop = $1 AND customer_id = $2")
                    .bind(shop)
                    .bind(customer_id)
                    .fetch_all(&mut *transaction)
                    .await?;
            orders.extend(order_ids.iter().cloned());
            sqlx::query(
                "UPDATE orders SET guest_email = NULL WHERE shop = $1 AND guest_email =
                     (SELECT LOWER(email) FROM customers WHERE shop = $1 AND customer_id = $2)",
            )
            .bind(shop)
            .bind(customer_id)
            .execute(&mut *transaction)
            .await?;
            sqlx::query(
                "DELETE FROM events WHERE shop = $1
                     AND client_id IN (SELECT client_id FROM client_links WHERE shop = $1 AND customer_id = $2)",
            )
            .bind(shop)
            .bind(customer_id)
            .execute(&mut *transaction)
            .await?;
            for table in
                ["events", "client_links", "segment_members", "segment_changes", "segment_tagged", "segment_includes", "flow_outbox", "orders"]
            {
                sqlx::query(&format!("DELETE FROM {table} WHERE shop = $1 AND customer_id = $2"))
                    .bind(shop)
                    .bind(customer_id)
                    .execute(&mut *transaction)
                    .await?;
            }
            for order_id in &orders {
                for table in ["events", "orders", "held_orders"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE shop = $1 AND order_id = $2"))
                        .bind(shop)
                        .bind(order_id)
                        .execute(&mut *transaction)
                        .await?;
                }
                // A purchase not yet sent to Meta carries the buyer's hashed email and phone.
                sqlx::query("DELETE FROM meta_outbox WHERE shop = $1 AND event_name = 'Purchase' AND event_id = $2")
                    .bind(shop)
                    .bind(order_id)
                    .execute(&mut *transaction)
                    .await?;
                sqlx::query("DELETE FROM jobs WHERE shop = $1 AND dedupe_key = $2")
                    .bind(shop)
                    .bind(format!("release:{shop}:{order_id}"))
                    .execute(&mut *transaction)
                    .await?;
            }
            sqlx::query("DELETE FROM customers WHERE shop = $1 AND customer_id = $2")
                .bind(shop)
                .bind(customer_id)
                .execute(&mut *transaction)
                .await?;
            // The requests stay on record, their dates and topics; whom they were about goes.
            sqlx::query(
                "UPDATE privacy_requests SET customer_id = NULL, export = NULL, export_expires_at = NULL
                 WHERE shop = $1 AND customer_id = $2",
            )
            .bind(shop)
            .bind(customer_id)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
        });
        Ok(())
    }

    /// Deletes everything of a shop but the record of the privacy requests themselves; the
    /// workspace goes too once it holds no other store.
    pub async fn redact_shop(&self, shop: &ShopDomain) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let workspace: Option<String> = sqlx::query_scalar("SELECT workspace_id FROM shops WHERE shop = $1")
                .bind(shop)
                .fetch_optional(&mut *transaction)
                .await?;
            for table in SHOP_TABLES {
                sqlx::query(&format!("DELETE FROM {table} WHERE shop = $1")).bind(shop).execute(&mut *transaction).await?;
            }
            sqlx::query(
                "UPDATE privacy_requests SET customer_id = NULL, export = NULL, export_expires_at = NULL WHERE shop = $1",
            )
            .bind(shop)
            .execute(&mut *transaction)
            .await?;
            if let Some(workspace) = workspace {
                sqlx::query("DELETE FROM workspaces WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM shops WHERE workspace_id = $1)")
                    .bind(workspace)
                    .execute(&mut *transaction)
                    .await?;
            }
            transaction.commit().await?;
        });
        Ok(())
    }
}

fn customer_json(customer: &CustomerRow) -> Value {
    json!({
        "id": customer.customer_id, "email": customer.email, "first_name": customer.first_name,
        "last_name": customer.last_name, "phone": customer.phone, "country": customer.country,
        "tags": customer.tags, "marketing_state": customer.marketing_state,
    })
}
