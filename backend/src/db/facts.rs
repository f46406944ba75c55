//! What segment rules look at, read for one customer or for the whole store in one query: each
//! customer's attributes with its orders and events folded into one text column each. A full
//! evaluation then reads one row per customer rather than one per order and event, which with
//! SQLite's driver costing microseconds a row is what keeps it within seconds
//! (docs/benchmarks.md).

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A customer with its orders and events, as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FactsRow {
    /// Numeric id.
    pub customer_id: String,
    /// ISO country.
    pub country: Option<String>,
    /// Comma separated.
    pub tags: String,
    /// Email marketing state.
    pub marketing_state: Option<String>,
    /// Unix seconds.
    pub created_at: Option<UnixTime>,
    /// The orders that count (not cancelled, not tests), one per line: `<created_at> <total>`.
    pub orders: Option<String>,
    /// The events asked for, one per line: `<kind> <occurred_at> <properties JSON or nothing>`.
    /// Stored properties are compact JSON, which holds no raw line break.
    pub events: Option<String>,
}

/// Whose facts to read.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Every customer of the store.
    Store,
    /// One customer.
    Customer(&'a str),
    /// The customers whose ids come after `after` and, when given, up to `upto` (in the text order
    /// ids are stored in): a page of a full evaluation.
    Range {
        /// Ids after this one; `""` from the first.
        after: &'a str,
        /// Ids up to this one; `None` to the last.
        upto: Option<&'a str>,
    },
    /// About `per_thousand` in every thousand customers, chosen by the last three digits of their
    /// ids (Shopify's ids end in evenly spread digits), found through the indexes: a preview's
    /// sample of a large store.
    Sample {
        /// Customers kept per thousand, 1 to 999.
        per_thousand: u16,
    },
}

impl Scope<'_> {
    /// The condition on `customer_id` with its parameters numbered from `$2`, and how many it
    /// takes.
    fn filter(self, column: &str, postgres: bool) -> (String, usize) {
        match self {
            Scope::Store => (String::new(), 0),
            Scope::Customer(_) => (format!(" AND {column} = $2"), 1),
            Scope::Range { upto: None, .. } => (format!(" AND {column} > $2"), 1),
            Scope::Range { upto: Some(_), .. } => (format!(" AND {column} > $2 AND {column} <= $3"), 2),
            Scope::Sample { .. } => {
                // The expression of the `customers_sample` index, to the letter, or the planner
                // cannot use it.
                let suffix = if postgres {
                    "right(sampled.customer_id, 3)"
                } else {
                    "substr(sampled.customer_id, -3)"
                };
                (
                    format!(
                        " AND {column} IN (SELECT sampled.customer_id FROM customers sampled
                             WHERE sampled.shop = $1 AND sampled.deleted = FALSE AND {suffix} < $2)"
                    ),
                    1,
                )
            }
        }
    }
}

impl Store {
    /// Every live customer in scope with its orders and its events of `kinds` since `since`; the
    /// properties only of events of `inside` kinds.
    pub async fn facts(
        &self,
        shop: &ShopDomain,
        scope: Scope<'_>,
        kinds: &[String],
        since: UnixTime,
        inside: &[String],
    ) -> Result<Vec<FactsRow>, DbError> {
        let (concat, hint) =
            if self.is_postgres() { ("string_agg", "") } else { ("group_concat", " NOT INDEXED") };
        // For a whole store SQLite is told to read the tables through rather than look each row
        // up by its (shop, customer_id) index, which it prefers and which measured three times
        // slower; PostgreSQL's planner chooses for itself.
        let hint = if matches!(scope, Scope::Store) { hint } else { "" };
        // Parameters: the shop, the scope's, then the events' since and kinds when events are
        // read at all.
        let (customer_filter, scope_parameters) = scope.filter("customer_id", self.is_postgres());
        // The partial indexes on events and orders hold identified rows only. On SQLite a scope
        // of some customers says so itself; spelt out beside it, the planner scans the index from
        // the first identified row instead of looking up the scope's customers (a sampled preview
        // of a million customers: 1.9 s against 0.2 s). PostgreSQL needs it spelt out to use
        // the partial index when the customers come from a subquery.
        let identified = match scope {
            Scope::Customer(_) | Scope::Sample { .. } if !self.is_postgres() => "",
            _ => " AND customer_id IS NOT NULL",
        };
        let since_number = 2 + scope_parameters;
        let first_kind = since_number + 1;
        // Few kinds: numbered parameters cost SQLite nothing here.
        let numbered = |first: usize, count: usize| -> String {
            (first..first + count).map(|number| format!("${number}")).collect::<Vec<_>>().join(", ")
        };
        let inside_kinds = numbered(first_kind + kinds.len(), inside.len());
        let read_kinds = numbered(first_kind, kinds.len());
        let seen = format!(
            "FROM events{hint} WHERE shop = $1 AND occurred_at >= ${since_number}{identified}{customer_filter}
                 AND kind IN ({read_kinds})"
        );
        let line = |about: &str| format!("kind || ' ' || CAST(occurred_at AS TEXT) || ' ' || {about}");
        let events = if kinds.is_empty() {
            "SELECT NULL AS customer_id, NULL AS list".to_owned()
        } else if inside.is_empty() {
            format!("SELECT customer_id, {concat}({}, '\n') AS list {seen} GROUP BY customer_id", line("''"))
        } else if self.is_postgres() {
            // The subjects, which `events_customer` holds, so that the events are read from the
            // index alone; the properties only of the few events without subjects, which
            // `events_unsubjected` finds (migrations/postgres/20261208010000_event_subjects.sql).
            format!(
                "SELECT customer_id, {concat}(line, '\n') AS list FROM (
                     SELECT customer_id, {} AS line {seen} AND (subjects IS NOT NULL OR kind NOT IN ({inside_kinds}))
                     UNION ALL
                     SELECT customer_id, {} AS line {seen} AND subjects IS NULL AND kind IN ({inside_kinds})
                 ) AS seen GROUP BY customer_id",
                line(&format!("CASE WHEN kind IN ({inside_kinds}) THEN subjects ELSE '' END")),
                line("properties"),
            )
        } else {
            // SQLite's `events_customer` holds the properties themselves.
            format!(
                "SELECT customer_id, {concat}({}, '\n') AS list {seen} GROUP BY customer_id",
                line(&format!("CASE WHEN kind IN ({inside_kinds}) THEN properties ELSE '' END"))
            )
        };
        let sql = format!(
            "SELECT c.customer_id, c.country, c.tags, c.marketing_state, c.created_at, o.list AS orders, e.list AS events
             FROM customers c{hint}
             LEFT JOIN (SELECT customer_id,
                            {concat}(CAST(COALESCE(created_at, 0) AS TEXT) || ' ' || COALESCE(total_price, '0'), '\n') AS list
                        FROM orders{hint}
                        WHERE shop = $1{identified} AND cancelled_at IS NULL AND test = FALSE{customer_filter}
                        GROUP BY customer_id) o ON o.customer_id = c.customer_id
             LEFT JOIN ({events}) e ON e.customer_id = c.customer_id
             WHERE c.shop = $1 AND c.deleted = FALSE{}",
            scope.filter("c.customer_id", self.is_postgres()).0
        );
        Ok(on_pool!(self, pool => {
            let query = sqlx::query_as(&sql).bind(shop);
            let mut query = match scope {
                Scope::Store => query,
                Scope::Customer(id) | Scope::Range { after: id, upto: None } => query.bind(id),
                Scope::Range { after, upto: Some(upto) } => query.bind(after).bind(upto),
                Scope::Sample { per_thousand } => query.bind(format!("{:03}", per_thousand.min(999))),
            };
            if !kinds.is_empty() {
                query = query.bind(since);
                for kind in kinds.iter().chain(inside) {
                    query = query.bind(kind);
                }
            }
            query.fetch_all(pool).await?
        }))
    }
}
