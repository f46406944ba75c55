//! What segment rules look at, read for one customer or for the whole store, ordered by
//! customer so a full evaluation can walk the three lists side by side.

use super::{DbError, Store, on_pool};

/// A customer's attributes.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerFacts {
    /// Numeric id.
    pub customer_id: String,
    /// ISO country.
    pub country: Option<String>,
    /// Comma separated.
    pub tags: String,
    /// Email marketing state.
    pub marketing_state: Option<String>,
    /// Unix seconds.
    pub created_at: Option<i64>,
}

/// An order that counts towards amount spent and number of orders.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderFacts {
    /// Its customer.
    pub customer_id: String,
    /// Unix seconds.
    pub created_at: Option<i64>,
    /// Decimal in the shop's currency.
    pub total_price: Option<String>,
}

/// An event a behavioural condition may count.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventFacts {
    /// Its customer.
    pub customer_id: String,
    /// Canonical kind.
    pub kind: String,
    /// Unix seconds.
    pub occurred_at: i64,
    /// The event's JSON, or empty when no condition looks inside.
    pub properties: String,
}

/// Whose facts to read.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Every customer of the store.
    Store,
    /// One customer.
    Customer(&'a str),
}

impl Store {
    /// Live customers, by id.
    pub async fn customer_facts(&self, shop: &str, scope: Scope<'_>) -> Result<Vec<CustomerFacts>, DbError> {
        let sql = format!(
            "SELECT customer_id, country, tags, marketing_state, created_at FROM customers
             WHERE shop = $1 AND deleted = 0 {} ORDER BY customer_id",
            scope.filter(2)
        );
        Ok(on_pool!(self, pool => {
            let query = sqlx::query_as(&sql).bind(shop);
            match scope {
                Scope::Customer(id) => query.bind(id),
                Scope::Store => query,
            }
            .fetch_all(pool)
            .await?
        }))
    }

    /// Orders that count (not cancelled, not tests) with a customer, by customer.
    pub async fn order_facts(&self, shop: &str, scope: Scope<'_>) -> Result<Vec<OrderFacts>, DbError> {
        let sql = format!(
            "SELECT customer_id, created_at, total_price FROM orders
             WHERE shop = $1 AND customer_id IS NOT NULL AND cancelled_at IS NULL AND test = 0 {}
             ORDER BY customer_id",
            scope.filter(2)
        );
        Ok(on_pool!(self, pool => {
            let query = sqlx::query_as(&sql).bind(shop);
            match scope {
                Scope::Customer(id) => query.bind(id),
                Scope::Store => query,
            }
            .fetch_all(pool)
            .await?
        }))
    }

    /// Events of `kinds` since `since` with a customer, by customer; their properties only when
    /// `with_properties`.
    pub async fn event_facts(
        &self,
        shop: &str,
        scope: Scope<'_>,
        kinds: &[String],
        since: i64,
        with_properties: bool,
    ) -> Result<Vec<EventFacts>, DbError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let first_kind = if matches!(scope, Scope::Customer(_)) { 4 } else { 3 };
        // Few kinds: numbered parameters cost SQLite nothing here.
        let kind_list: Vec<String> =
            (first_kind..first_kind + kinds.len()).map(|number| format!("${number}")).collect();
        let sql = format!(
            "SELECT customer_id, kind, occurred_at, {} AS properties FROM events
             WHERE shop = $1 AND occurred_at >= $2 AND customer_id IS NOT NULL {} AND kind IN ({})
             ORDER BY customer_id",
            if with_properties { "properties" } else { "''" },
            scope.filter(3),
            kind_list.join(", ")
        );
        Ok(on_pool!(self, pool => {
            let query = sqlx::query_as(&sql).bind(shop).bind(since);
            let mut query = match scope {
                Scope::Customer(id) => query.bind(id),
                Scope::Store => query,
            };
            for kind in kinds {
                query = query.bind(kind);
            }
            query.fetch_all(pool).await?
        }))
    }
}

impl Scope<'_> {
    fn filter(self, number: usize) -> String {
        match self {
            Self::Store => String::new(),
            Self::Customer(_) => format!("AND customer_id = ${number}"),
        }
    }
}
