//! What webhooks tell us: the current state of customers, orders and products (never overwritten
//! by an older payload), the canonical events, each store's ingestion policy and the orders held
//! for the upsell window.

use super::{DbError, Store, on_pool};

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
    pub test: i64,
    /// `paid`, `pending`, `refunded`, ….
    pub financial_status: Option<String>,
    /// `[{product_id, variant_id, quantity, price}]` as JSON.
    pub line_items: String,
    /// Unix seconds.
    pub cancelled_at: Option<i64>,
    /// Unix seconds.
    pub created_at: Option<i64>,
    /// Unix seconds; the guard.
    pub updated_at: i64,
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
    pub placed_at: i64,
    /// Decimal string in the shop's currency.
    pub total_price: Option<String>,
    /// `[{product_id, variant_id, quantity, price}]` as JSON; `[]` for a backfilled order.
    pub line_items: String,
    /// The member whose email it is.
    pub customer_id: String,
    /// Their email.
    pub email: Option<String>,
}

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
    pub created_at: Option<i64>,
    /// Unix seconds; the guard.
    pub updated_at: i64,
}

/// A product as last reported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductRow {
    /// Numeric id.
    pub product_id: String,
    /// Title.
    pub title: Option<String>,
    /// Handle.
    pub handle: Option<String>,
    /// `active`, `draft`, `archived`.
    pub status: Option<String>,
    /// Comma separated.
    pub tags: String,
    /// Unix seconds; the guard.
    pub updated_at: i64,
    /// Deleted in Shopify.
    pub deleted: bool,
}

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
    pub occurred_at: i64,
    /// JSON object.
    pub properties: String,
    /// The storefront client, for pixel events.
    pub client_id: Option<String>,
}

/// What a store ingests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestionPolicy {
    /// Orders from these channels (`source_name`) are ignored.
    pub excluded_channels: Vec<String>,
    /// Orders with any of these tags are ignored (case-insensitive).
    pub excluded_tags: Vec<String>,
    /// Test orders are ignored.
    pub exclude_test_orders: bool,
    /// Order events are held this long, edits folded in, then released once; 0 releases at once.
    pub upsell_delay_minutes: i64,
}

impl Default for IngestionPolicy {
    fn default() -> Self {
        Self {
            excluded_channels: Vec::new(),
            excluded_tags: Vec::new(),
            exclude_test_orders: true,
            upsell_delay_minutes: 0,
        }
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

impl Store {
    /// Stores an order unless a newer version is stored; `true` when this one was kept.
    pub async fn upsert_order(&self, shop: &str, order: &OrderRow) -> Result<bool, DbError> {
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
    pub async fn order(&self, shop: &str, order_id: &str) -> Result<Option<OrderRow>, DbError> {
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

    /// Stores a customer unless a newer version is stored; `true` when this one was kept.
    pub async fn upsert_customer(&self, shop: &str, customer: &CustomerRow) -> Result<bool, DbError> {
        let written = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO customers (shop, customer_id, email, first_name, last_name, phone, country, tags,
                                        marketing_state, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (shop, customer_id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
                     last_name = excluded.last_name, phone = excluded.phone, country = excluded.country,
                     tags = excluded.tags, marketing_state = excluded.marketing_state,
                     created_at = excluded.created_at, updated_at = excluded.updated_at
                 WHERE customers.updated_at <= excluded.updated_at AND customers.deleted = 0",
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
    pub async fn customer(&self, shop: &str, customer_id: &str) -> Result<Option<CustomerRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, email, first_name, last_name, phone, country, tags, marketing_state, created_at, updated_at
                 FROM customers WHERE shop = $1 AND customer_id = $2 AND deleted = 0",
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
        shop: &str,
        text: &str,
        limit: i64,
    ) -> Result<Vec<(String, Option<String>, String)>, DbError> {
        let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, email, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) FROM customers
                 WHERE shop = $1 AND deleted = 0
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

    /// Guest orders since `since` (Unix seconds), newest first, placed with the email of a customer
    /// who is in a segment now: the order, its lines, and the customer.
    pub async fn guest_orders_of_members(
        &self,
        shop: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<GuestOrderRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT o.order_id, o.name, COALESCE(o.created_at, o.updated_at) AS placed_at, o.total_price,
                        o.line_items, c.customer_id, c.email
                 FROM orders o
                 JOIN customers c ON c.shop = o.shop AND LOWER(c.email) = o.guest_email AND c.deleted = 0
                 WHERE o.shop = $1 AND o.guest_email IS NOT NULL AND o.customer_id IS NULL
                     AND o.cancelled_at IS NULL AND o.test = 0 AND COALESCE(o.created_at, o.updated_at) >= $2
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

    /// A customer's id, email and name, as a search answers them; `None` when unknown or deleted.
    pub async fn customer_card(
        &self,
        shop: &str,
        customer_id: &str,
    ) -> Result<Option<(String, Option<String>, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, email, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) FROM customers
                 WHERE shop = $1 AND customer_id = $2 AND deleted = 0",
            )
            .bind(shop)
            .bind(customer_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Marks a customer deleted in Shopify and drops their personal data; a late update cannot
    /// bring them back.
    pub async fn delete_customer(&self, shop: &str, customer_id: &str, now: i64) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO customers (shop, customer_id, updated_at, deleted) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (shop, customer_id) DO UPDATE SET email = NULL, first_name = NULL, last_name = NULL,
                     phone = NULL, deleted = 1",
            )
            .bind(shop)
            .bind(customer_id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Stores a product unless a newer version is stored.
    pub async fn upsert_product(&self, shop: &str, product: &ProductRow) -> Result<bool, DbError> {
        let written = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO products (shop, product_id, title, handle, status, tags, updated_at, deleted)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (shop, product_id) DO UPDATE SET title = COALESCE(excluded.title, products.title),
                     handle = COALESCE(excluded.handle, products.handle), status = COALESCE(excluded.status, products.status),
                     tags = excluded.tags, updated_at = excluded.updated_at, deleted = excluded.deleted
                 WHERE products.updated_at <= excluded.updated_at",
            )
            .bind(shop)
            .bind(&product.product_id)
            .bind(&product.title)
            .bind(&product.handle)
            .bind(&product.status)
            .bind(&product.tags)
            .bind(product.updated_at)
            .bind(i64::from(product.deleted))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(written == 1)
    }

    /// How many products, customers and orders of a shop are stored (and not deleted).
    pub async fn counts(&self, shop: &str) -> Result<(i64, i64, i64), DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM products WHERE shop = $1 AND deleted = 0),
                        (SELECT COUNT(*) FROM customers WHERE shop = $1 AND deleted = 0),
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
    pub async fn record_event(&self, shop: &str, event: &EventRow) -> Result<bool, DbError> {
        let (source, source_id) = match (&event.order_id, event.kind.as_str()) {
            (Some(order_id), "purchase") => ("order", order_id.as_str()),
            _ => (event.source.as_str(), event.source_id.as_str()),
        };
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO events (shop, kind, source, source_id, customer_id, order_id, occurred_at, properties, client_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Records many shops' events in as few statements as the parameter limit allows;
    /// duplicates are skipped.
    pub async fn record_events(&self, events: &[(&str, &EventRow)]) -> Result<(), DbError> {
        // SQLite takes at most 32,766 parameters, 9 per row.
        for chunk in events.chunks(3_000) {
            let sql = format!(
                "INSERT INTO events (shop, kind, source, source_id, customer_id, order_id, occurred_at, properties, client_id)
                 VALUES {} ON CONFLICT (shop, source, source_id, kind) DO NOTHING",
                self.placeholder_rows(chunk.len(), 9)
            );
            on_pool!(self, pool => {
                let mut query = sqlx::query(&sql);
                for (shop, event) in chunk {
                    query = query
                        .bind(*shop)
                        .bind(&event.kind)
                        .bind(&event.source)
                        .bind(&event.source_id)
                        .bind(&event.customer_id)
                        .bind(&event.order_id)
                        .bind(event.occurred_at)
                        .bind(&event.properties)
                        .bind(&event.client_id);
                }
                query.execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Links a storefront client to a customer, and gives the client's earlier events that
    /// customer.
    pub async fn link_client(
        &self,
        shop: &str,
        client_id: &str,
        customer_id: &str,
        now: i64,
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

    /// The customer a storefront client is linked to.
    pub async fn linked_customer(&self, shop: &str, client_id: &str) -> Result<Option<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT customer_id FROM client_links WHERE shop = $1 AND client_id = $2")
                .bind(shop)
                .bind(client_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The storefront client whose pixel reported finishing checkout `checkout_token`.
    pub async fn checkout_client(&self, shop: &str, checkout_token: &str) -> Result<Option<String>, DbError> {
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
    pub async fn last_pixel_event_at(&self, shop: &str) -> Result<Option<i64>, DbError> {
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
        shop: &str,
        limit: i64,
    ) -> Result<Vec<(String, i64, bool)>, DbError> {
        let rows: Vec<(String, i64, Option<String>)> = on_pool!(self, pool => {
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
    pub async fn events(&self, shop: &str) -> Result<Vec<EventRow>, DbError> {
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

    /// A store's ingestion policy (the default when none was saved).
    pub async fn ingestion_policy(&self, shop: &str) -> Result<IngestionPolicy, DbError> {
        let row: Option<(String, String, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT excluded_channels, excluded_tags, exclude_test_orders, upsell_delay_minutes
                 FROM ingestion_policies WHERE shop = $1",
            )
            .bind(shop)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map_or_else(IngestionPolicy::default, |(channels, tags, exclude_test, delay)| {
            IngestionPolicy {
                excluded_channels: split_list(&channels),
                excluded_tags: split_list(&tags),
                exclude_test_orders: exclude_test != 0,
                upsell_delay_minutes: delay,
            }
        }))
    }

    /// Saves a store's ingestion policy.
    pub async fn set_ingestion_policy(
        &self,
        shop: &str,
        policy: &IngestionPolicy,
        now: i64,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO ingestion_policies (shop, excluded_channels, excluded_tags, exclude_test_orders,
                                                 upsell_delay_minutes, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (shop) DO UPDATE SET excluded_channels = excluded.excluded_channels,
                     excluded_tags = excluded.excluded_tags, exclude_test_orders = excluded.exclude_test_orders,
                     upsell_delay_minutes = excluded.upsell_delay_minutes, updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(policy.excluded_channels.join(","))
            .bind(policy.excluded_tags.join(","))
            .bind(i64::from(policy.exclude_test_orders))
            .bind(policy.upsell_delay_minutes)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Holds an order's events until `release_at`, or folds into the hold already there (a
    /// payment is remembered). `true` when this started the hold.
    pub async fn hold_order(
        &self,
        shop: &str,
        order_id: &str,
        paid: bool,
        source_id: &str,
        release_at: i64,
    ) -> Result<bool, DbError> {
        let existing: Option<i64> = on_pool!(self, pool => {
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
            .bind(i64::from(paid))
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
    pub async fn held_order(&self, shop: &str, order_id: &str) -> Result<Option<(bool, String)>, DbError> {
        let row: Option<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT paid, source_id FROM held_orders WHERE shop = $1 AND order_id = $2")
                .bind(shop)
                .bind(order_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(paid, source_id)| (paid != 0, source_id)))
    }

    /// Ends a hold, once its event is recorded.
    pub async fn end_hold(&self, shop: &str, order_id: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM held_orders WHERE shop = $1 AND order_id = $2").bind(shop).bind(order_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Whether an order's events are being held.
    pub async fn is_held(&self, shop: &str, order_id: &str) -> Result<bool, DbError> {
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
