//! The canonical events (docs/pixel.md) from webhooks and the pixel, the links between storefront
//! clients and customers, and how much a store holds.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::segments::facts::subjects;
use crate::shop_domain::ShopDomain;

/// What the pixel's purchase is stored as: a storefront's claim to have finished checkout, keyed
/// by its checkout token. No segment counts it; the order's webhook is the purchase.
pub const CHECKOUT_COMPLETED: &str = "checkout_completed";

/// A canonical event (docs/pixel.md).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    /// `purchase`, `order_created`, ….
    pub kind: String,
    /// `webhook`, `pixel` or `backfill`.
    pub source: String,
    /// The id that makes it unique within its source (a webhook's event id).
    pub source_id: String,
    /// Numeric customer id, when known.
    pub customer_id: Option<String>,
    /// Numeric order id, for order events.
    pub order_id: Option<String>,
    /// Unix seconds.
    pub occurred_at: UnixTime,
    /// JSON object.
    pub properties: String,
    /// The storefront client, for pixel events.
    pub client_id: Option<String>,
}

impl Store {
    /// The event's subjects (`segments::facts::subjects`) where the evaluations read them: on
    /// PostgreSQL. SQLite's evaluations read the properties, which its index holds, so it stores
    /// none (NULL) and the pixel's ingest does not parse each event's properties a second time.
    fn subjects(&self, event: &EventRow) -> Option<String> {
        if self.is_postgres() { subjects(&event.properties) } else { None }
    }

    /// How many products, customers and orders of a shop are stored (and not deleted).
    pub async fn counts(&self, shop: &ShopDomain) -> Result<(i64, i64, i64), DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM products WHERE shop = $1 AND deleted = FALSE),
                        (SELECT COUNT(*) FROM customers WHERE shop = $1 AND deleted = FALSE),
                        (SELECT COUNT(*) FROM orders WHERE shop = $1)",
            )
            .bind(shop)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Records a canonical event once; `false` when it was recorded before. A purchase is one
    /// per order whichever verified source reports it first (webhook or backfill); later reports
    /// only add the customer the first lacked.
    pub async fn record_event(&self, shop: &ShopDomain, event: &EventRow) -> Result<bool, DbError> {
        let (source, source_id) = match (&event.order_id, event.kind.as_str()) {
            (Some(order_id), "purchase") => ("order", order_id.as_str()),
            _ => (event.source.as_str(), event.source_id.as_str()),
        };
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO events (shop, kind, source, source_id, customer_id, order_id, occurred_at, properties, client_id, subjects)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (shop, source, source_id, kind) DO UPDATE
                     SET customer_id = COALESCE(events.customer_id, excluded.customer_id),
                         client_id = COALESCE(events.client_id, excluded.client_id)
                     WHERE events.source = 'order'",
            )
            .bind(shop)
            .bind(&event.kind)
            .bind(source)
            .bind(source_id)
            .bind(&event.customer_id)
            .bind(&event.order_id)
            .bind(event.occurred_at)
            .bind(&event.properties)
            .bind(&event.client_id)
            .bind(self.subjects(event))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Records many shops' events in as few statements as the parameter limit allows, each
    /// without a customer given the customer its client is linked to; duplicates are skipped.
    pub async fn record_events(&self, events: &[(&ShopDomain, &EventRow)]) -> Result<(), DbError> {
        // SQLite takes at most 32,766 parameters, 10 per row.
        for chunk in events.chunks(3_000) {
            on_pool!(self, pool => {
                // Each event's customer is looked up inside the statement, so a link committed
                // before it is never missed. (`column1`… are how both engines name VALUES' columns.)
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO events (shop, kind, source, source_id, customer_id, order_id, occurred_at, properties, client_id, subjects)
                     SELECT v.column1, v.column2, v.column3, v.column4, COALESCE(v.column5, l.customer_id), v.column6,
                            v.column7, v.column8, v.column9, v.column10
                     FROM (",
                );
                insert.push_values(chunk, |mut row, (shop, event)| {
                    row.push_bind(*shop)
                        .push_bind(&event.kind)
                        .push_bind(&event.source)
                        .push_bind(&event.source_id)
                        .push_bind(&event.customer_id)
                        .push_bind(&event.order_id)
                        .push_bind(event.occurred_at)
                        .push_bind(&event.properties)
                        .push_bind(&event.client_id)
                        .push_bind(self.subjects(event));
                });
                // `WHERE TRUE` tells SQLite's parser that ON CONFLICT is the upsert, not a join's.
                insert.push(
                    ") AS v LEFT JOIN client_links l ON l.shop = v.column1 AND l.client_id = v.column9 WHERE TRUE",
                );
                insert.push(" ON CONFLICT (shop, source, source_id, kind) DO NOTHING");
                insert.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Links a storefront client to a customer, and gives the client's earlier events that
    /// customer.
    pub async fn link_client(
        &self,
        shop: &ShopDomain,
        client_id: &str,
        customer_id: &str,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query(
                "INSERT INTO client_links (shop, client_id, customer_id, linked_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shop, client_id) DO UPDATE SET customer_id = excluded.customer_id, linked_at = excluded.linked_at",
            )
            .bind(shop)
            .bind(client_id)
            .bind(customer_id)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            sqlx::query("UPDATE events SET customer_id = $3 WHERE shop = $1 AND client_id = $2 AND customer_id IS NULL")
                .bind(shop)
                .bind(client_id)
                .bind(customer_id)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
        });
        Ok(())
    }

    /// The customers the given storefront clients are linked to, as `(shop, client, customer)`;
    /// clients linked to no one are left out. One query for a whole group of pixel requests.
    pub async fn linked_customers(
        &self,
        clients: &[(&ShopDomain, &str)],
    ) -> Result<Vec<(ShopDomain, String, String)>, DbError> {
        let mut found = Vec::new();
        // Two parameters a client; SQLite takes at most 32,766.
        for chunk in clients.chunks(8_000) {
            on_pool!(self, pool => {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT shop, client_id, customer_id FROM client_links WHERE (shop, client_id) IN (VALUES ",
                );
                let mut pairs = query.separated(", ");
                for (shop, client) in chunk {
                    pairs.push("(").push_bind_unseparated(*shop).push_unseparated(", ");
                    pairs.push_bind_unseparated(*client).push_unseparated(")");
                }
                query.push(")");
                found.extend(query.build_query_as::<(ShopDomain, String, String)>().fetch_all(pool).await?);
            });
        }
        Ok(found)
    }

    /// The customer a storefront client is linked to.
    pub async fn linked_customer(
        &self,
        shop: &ShopDomain,
        client_id: &str,
    ) -> Result<Option<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT customer_id FROM client_links WHERE shop = $1 AND client_id = $2")
                .bind(shop)
                .bind(client_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The storefront client whose pixel reported finishing checkout `checkout_token`.
    pub async fn checkout_client(
        &self,
        shop: &ShopDomain,
        checkout_token: &str,
    ) -> Result<Option<String>, DbError> {
        let client: Option<Option<String>> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT client_id FROM events WHERE shop = $1 AND source = 'pixel' AND source_id = $2 AND kind = $3",
            )
            .bind(shop)
            .bind(checkout_token)
            .bind(CHECKOUT_COMPLETED)
            .fetch_optional(pool)
            .await?
        });
        Ok(client.flatten())
    }

    /// When the shop's pixel last sent an event (Unix seconds).
    pub async fn last_pixel_event_at(&self, shop: &ShopDomain) -> Result<Option<UnixTime>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(occurred_at) FROM events WHERE shop = $1 AND source = 'pixel'")
                .bind(shop)
                .fetch_one(pool)
                .await?
        }))
    }

    /// A shop's latest storefront events, newest first: kind, time, and whether the client behind
    /// each is linked to a customer.
    pub async fn recent_pixel_events(
        &self,
        shop: &ShopDomain,
        limit: i64,
    ) -> Result<Vec<(String, UnixTime, bool)>, DbError> {
        let rows: Vec<(String, UnixTime, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kind, occurred_at, customer_id FROM events WHERE shop = $1 AND source = 'pixel'
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(shop)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(kind, at, customer)| (kind, at, customer.is_some())).collect())
    }

    /// A shop's events, oldest first.
    pub async fn events(&self, shop: &ShopDomain) -> Result<Vec<EventRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kind, source, source_id, customer_id, order_id, occurred_at, properties, client_id FROM events
                 WHERE shop = $1 ORDER BY id",
            )
            .bind(shop)
            .fetch_all(pool)
            .await?
        }))
    }
}
