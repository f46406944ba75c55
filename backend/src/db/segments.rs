//! Segments, their members and every entry and exit, what Shopify holds of their tags, and the
//! state of their pushes.

use super::{DbError, PushState, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A segment as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SegmentRow {
    /// Names the tag `seglink:<slug>`; never changes.
    pub slug: String,
    /// What the merchant calls it.
    pub name: String,
    /// The rule tree, JSON.
    pub rules: String,
    /// 1 when it is also kept as a Shopify segment.
    pub native: bool,
    /// The Shopify segment, once made.
    pub native_segment_id: Option<String>,
    /// Members at the last evaluation.
    pub member_count: i64,
    /// 1 when Seglink proposed it after the backfill.
    pub suggested: bool,
    /// 1 while its tags are being removed, before it goes.
    pub deleted: bool,
    /// When membership was last computed in full.
    pub computed_at: Option<UnixTime>,
    /// Unix seconds.
    pub created_at: UnixTime,
    /// Unix seconds.
    pub updated_at: UnixTime,
    /// Customers evaluated so far while an evaluation is under way; `None` otherwise.
    pub evaluated: Option<i64>,
    /// Customers the evaluation under way covers.
    pub evaluation_total: Option<i64>,
    /// Counts the saves of its rules.
    pub version: i64,
}

/// What one page of a full evaluation changed in one segment.
pub struct PageChanges<'a> {
    /// The segment.
    pub slug: &'a str,
    /// Customers who entered.
    pub entered: &'a [String],
    /// Customers who left.
    pub left: &'a [String],
}

impl SegmentRow {
    /// A new live segment, not yet computed, kept by tags only.
    pub fn new(slug: &str, name: &str, rules: String, now: UnixTime) -> Self {
        Self {
            slug: slug.to_owned(),
            name: name.to_owned(),
            rules,
            native: false,
            native_segment_id: None,
            member_count: 0,
            suggested: false,
            deleted: false,
            computed_at: None,
            created_at: now,
            updated_at: now,
            evaluated: None,
            evaluation_total: None,
            version: 0,
        }
    }
}

/// The last push of a segment's tags, and the last reconciliation.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PushRow {
    /// Where the push is.
    pub state: PushState,
    /// Tags added by this push.
    pub added: i64,
    /// Tags removed by this push.
    pub removed: i64,
    /// Admin API calls it made.
    pub calls: i64,
    /// A running bulk mutation, as JSON.
    pub bulk: Option<String>,
    /// Drift repaired by the last reconciliation.
    pub repaired: Option<i64>,
    /// When Shopify's tags were last read back.
    pub reconciled_at: Option<UnixTime>,
    /// What went wrong, or what it did.
    pub detail: Option<String>,
    /// Unix seconds.
    pub updated_at: UnixTime,
}

/// A member, for the admin's list.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, ts_rs::TS)]
pub struct MemberRow {
    /// The customer.
    pub customer_id: String,
    /// When they entered.
    pub since: UnixTime,
    /// Personal data, absent once redacted.
    pub email: Option<String>,
    /// Personal data.
    pub first_name: Option<String>,
    /// Personal data.
    pub last_name: Option<String>,
}

/// One entry or exit.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeRow {
    /// The customer.
    pub customer_id: String,
    /// `entered` or `left`.
    pub change: String,
    /// Unix seconds.
    pub at: UnixTime,
}

const SEGMENT_COLUMNS: &str = "slug, name, rules, native, native_segment_id, member_count, suggested, deleted, \
     computed_at, created_at, updated_at, evaluated, evaluation_total, version";

/// A JSON array of customer ids bound as parameter `$parameter`, read as rows of one column,
/// `value`: one parameter for any number of customers. A `VALUES` list takes a parameter for
/// each column of each row, which both engines parse and bind one by one; a full evaluation's
/// first run writes millions (docs/benchmarks.md, "A million customers").
fn id_rows(postgres: bool, parameter: usize) -> String {
    if postgres {
        format!("json_array_elements_text(${parameter}::json)")
    } else {
        format!("json_each(${parameter})")
    }
}

/// `DELETE` from `table` of one segment's customers listed as a JSON array: the shop `$1`, the
/// slug `$2`, the ids `$3`.
fn delete_listed(table: &str, postgres: bool) -> String {
    format!(
        "DELETE FROM {table} WHERE shop = $1 AND slug = $2 AND customer_id IN (SELECT value FROM {})",
        id_rows(postgres, 3)
    )
}

/// The ids as the JSON array `id_rows` reads.
fn id_array(customers: &[String]) -> String {
    serde_json::Value::from(customers).to_string()
}

impl Store {
    /// The store's segments, deleted ones included when `deleted`.
    pub async fn segments(&self, shop: &ShopDomain, deleted: bool) -> Result<Vec<SegmentRow>, DbError> {
        let sql = format!(
            "SELECT {SEGMENT_COLUMNS} FROM segments WHERE shop = $1 AND deleted <= $2 ORDER BY created_at, slug"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(shop).bind(deleted).fetch_all(pool).await?
        }))
    }

    /// One segment, deleted or not.
    pub async fn segment(&self, shop: &ShopDomain, slug: &str) -> Result<Option<SegmentRow>, DbError> {
        let sql = format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE shop = $1 AND slug = $2");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(shop).bind(slug).fetch_optional(pool).await?))
    }

    /// Adds a segment; `Conflict` when the slug is taken (by a segment still being deleted, too).
    pub async fn create_segment(&self, shop: &ShopDomain, segment: &SegmentRow) -> Result<(), DbError> {
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO segments (shop, slug, name, rules, native, suggested, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (shop, slug) DO NOTHING",
            )
            .bind(shop)
            .bind(&segment.slug)
            .bind(&segment.name)
            .bind(&segment.rules)
            .bind(segment.native)
            .bind(segment.suggested)
            .bind(segment.created_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        super::one_row(inserted, DbError::Conflict)
    }

    /// Changes a live segment's name, rules and native mode; `NotFound` when there is none.
    pub async fn update_segment(
        &self,
        shop: &ShopDomain,
        slug: &str,
        name: &str,
        rules: &str,
        native: bool,
        now: UnixTime,
    ) -> Result<(), DbError> {
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE segments SET name = $3, rules = $4, native = $5, suggested = FALSE, updated_at = $6,
                     version = version + 1
                 WHERE shop = $1 AND slug = $2 AND deleted = FALSE",
            )
            .bind(shop)
            .bind(slug)
            .bind(name)
            .bind(rules)
            .bind(native)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        super::one_row(updated, DbError::NotFound)
    }

    /// Records the Shopify segment kept for this one.
    pub async fn set_native_segment(
        &self,
        shop: &ShopDomain,
        slug: &str,
        id: Option<&str>,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE segments SET native_segment_id = $3 WHERE shop = $1 AND slug = $2")
                .bind(shop)
                .bind(slug)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Marks a segment deleted and lets every member leave; its tags go with the next push.
    /// `NotFound` when no live segment has the slug.
    pub async fn delete_segment(&self, shop: &ShopDomain, slug: &str, now: UnixTime) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM segment_includes WHERE shop = $1 AND slug = $2")
                .bind(shop)
                .bind(slug)
                .execute(pool)
                .await?;
        });
        let members: Vec<String> = self.member_ids(shop, slug).await?;
        self.apply_membership(shop, slug, &[], &members, now, false).await?;
        let updated = on_pool!(self, pool => {
            sqlx::query("UPDATE segments SET deleted = TRUE, updated_at = $3 WHERE shop = $1 AND slug = $2 AND deleted = FALSE")
                .bind(shop)
                .bind(slug)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        super::one_row(updated, DbError::NotFound)
    }

    /// Puts a customer in a segment by hand; `false` when they were already.
    pub async fn include_in_segment(
        &self,
        shop: &ShopDomain,
        slug: &str,
        customer_id: &str,
        now: UnixTime,
    ) -> Result<bool, DbError> {
        let added = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO segment_includes (shop, slug, customer_id, added_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shop, slug, customer_id) DO NOTHING",
            )
            .bind(shop)
            .bind(slug)
            .bind(customer_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(added == 1)
    }

    /// The customers put in each segment by hand: (slug, customer id).
    pub async fn segment_includes(&self, shop: &ShopDomain) -> Result<Vec<(String, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT slug, customer_id FROM segment_includes WHERE shop = $1 ORDER BY slug, customer_id")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Removes every trace of a deleted segment whose tags are gone.
    pub async fn forget_segment(&self, shop: &ShopDomain, slug: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            for table in
                ["segments", "segment_members", "segment_changes", "segment_tagged", "segment_pushes", "flow_outbox"]
            {
                sqlx::query(&format!("DELETE FROM {table} WHERE shop = $1 AND slug = $2"))
                    .bind(shop)
                    .bind(slug)
                    .execute(&mut *transaction)
                    .await?;
            }
            transaction.commit().await?;
        });
        Ok(())
    }

    /// Records that an evaluation of `slugs` covering `total` customers has evaluated `evaluated`.
    pub async fn record_evaluation_progress(
        &self,
        shop: &ShopDomain,
        slugs: &[&str],
        evaluated: i64,
        total: i64,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut update = sqlx::QueryBuilder::new("UPDATE segments SET evaluated = ");
            update.push_bind(evaluated).push(", evaluation_total = ").push_bind(total);
            update.push(" WHERE shop = ").push_bind(shop).push(" AND slug IN (");
            let mut listed = update.separated(", ");
            for slug in slugs {
                listed.push_bind(*slug);
            }
            update.push(")");
            update.build().execute(pool).await?;
        });
        Ok(())
    }

    /// Writes one page of a full evaluation, every segment's entries and exits in one
    /// transaction; how many Flow triggers they fire. The member counts wait for
    /// `finish_evaluation`: counting a large segment after every page would cost more than the
    /// page.
    pub async fn apply_page(
        &self,
        shop: &ShopDomain,
        pages: &[PageChanges<'_>],
        now: UnixTime,
    ) -> Result<usize, DbError> {
        if pages.iter().all(|page| page.entered.is_empty() && page.left.is_empty()) {
            return Ok(0);
        }
        self.write_memberships(shop, pages, now, None).await
    }

    /// Ends a full evaluation of `slugs`: their member counts, the time, no progress.
    pub async fn finish_evaluation(
        &self,
        shop: &ShopDomain,
        slugs: &[&str],
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            for slug in slugs {
                sqlx::query(
                    "UPDATE segments SET computed_at = $3, evaluated = NULL, evaluation_total = NULL, member_count =
                         (SELECT COUNT(*) FROM segment_members WHERE shop = $1 AND slug = $2)
                     WHERE shop = $1 AND slug = $2",
                )
                .bind(shop)
                .bind(*slug)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
        });
        Ok(())
    }

    /// The memberships of the customers with ids after `after` and, when given, up to `upto` (a
    /// page of a full evaluation), by segment. Read one row per customer, the slugs joined: a
    /// row costs SQLite's driver more than the text.
    pub async fn members_in_range(
        &self,
        shop: &ShopDomain,
        after: &str,
        upto: Option<&str>,
    ) -> Result<std::collections::HashMap<String, Vec<String>>, DbError> {
        let concat = if self.is_postgres() { "string_agg" } else { "group_concat" };
        let sql = format!(
            "SELECT customer_id, {concat}(slug, ' ') FROM segment_members WHERE shop = $1 AND customer_id > $2{}
             GROUP BY customer_id",
            if upto.is_some() { " AND customer_id <= $3" } else { "" }
        );
        let rows: Vec<(String, String)> = on_pool!(self, pool => {
            let query = sqlx::query_as(&sql).bind(shop).bind(after);
            match upto {
                Some(upto) => query.bind(upto),
                None => query,
            }
            .fetch_all(pool)
            .await?
        });
        let mut members: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for (customer, slugs) in rows {
            // Slugs are lower-case letters, digits and dashes: a space never occurs in one.
            for slug in slugs.split(' ') {
                members.entry(slug.to_owned()).or_default().push(customer.clone());
            }
        }
        Ok(members)
    }

    /// Every member's id, in id order.
    pub async fn member_ids(&self, shop: &ShopDomain, slug: &str) -> Result<Vec<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT customer_id FROM segment_members WHERE shop = $1 AND slug = $2 ORDER BY customer_id",
            )
            .bind(shop)
            .bind(slug)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The segments `customer_id` is a member of.
    pub async fn memberships(&self, shop: &ShopDomain, customer_id: &str) -> Result<Vec<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT slug FROM segment_members WHERE shop = $1 AND customer_id = $2")
                .bind(shop)
                .bind(customer_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// A page of members after `after` (a customer id), with when each entered and who they are.
    pub async fn members_page(
        &self,
        shop: &ShopDomain,
        slug: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<MemberRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT m.customer_id, m.since, c.email, c.first_name, c.last_name
                 FROM segment_members m
                 LEFT JOIN customers c ON c.shop = m.shop AND c.customer_id = m.customer_id
                 WHERE m.shop = $1 AND m.slug = $2 AND m.customer_id > $3
                 ORDER BY m.customer_id LIMIT $4",
            )
            .bind(shop)
            .bind(slug)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records who entered and who left at `now`, in one transaction, and the new member count;
    /// `full` marks a complete evaluation. How many Flow triggers the changes fire.
    pub async fn apply_membership(
        &self,
        shop: &ShopDomain,
        slug: &str,
        entered: &[String],
        left: &[String],
        now: UnixTime,
        full: bool,
    ) -> Result<usize, DbError> {
        self.write_memberships(shop, &[PageChanges { slug, entered, left }], now, Some(full)).await
    }

    /// Writes entries and exits with their history in one transaction, and the Flow triggers
    /// they fire (how many: the return); with `recount`, then sets each segment's member count
    /// (and, when it says a full evaluation, its time).
    async fn write_memberships(
        &self,
        shop: &ShopDomain,
        pages: &[PageChanges<'_>],
        now: UnixTime,
        recount: Option<bool>,
    ) -> Result<usize, DbError> {
        let count_sql = format!(
            "UPDATE segments SET {} member_count =
                 (SELECT COUNT(*) FROM segment_members WHERE shop = $1 AND slug = $2)
             WHERE shop = $1 AND slug = $2",
            if recount == Some(true) { "computed_at = $3," } else { "" }
        );
        let ids = |parameter| id_rows(self.is_postgres(), parameter);
        // `WHERE TRUE`: SQLite reads `ON CONFLICT` after a bare `FROM` as a join's constraint.
        let fire = format!(
            "INSERT INTO flow_outbox (shop, handle, slug, customer_id, at) SELECT $1, $2, $3, value, $4 FROM {}",
            ids(5)
        );
        let enter = format!(
            "INSERT INTO segment_members (shop, slug, customer_id, since) SELECT $1, $2, value, $3 FROM {} WHERE TRUE
             ON CONFLICT DO NOTHING",
            ids(4)
        );
        let leave = delete_listed("segment_members", self.is_postgres());
        let record = format!(
            "INSERT INTO segment_changes (shop, slug, customer_id, change, at) SELECT $1, $2, value, $3, $4 FROM {}",
            ids(5)
        );
        let mut fired = 0;
        // Read before the transaction: on SQLite a transaction that reads first and then writes
        // fails at once (SQLITE_BUSY_SNAPSHOT, no busy wait) when another writer committed in
        // between, and its job then waits for a retry. A trigger turned on or off meanwhile is
        // as good as turned on or off just after the change.
        let in_use = self.flow_triggers_in_use(shop).await?;
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            for page in pages {
                let slug = page.slug;
                let (entered, left) = (id_array(page.entered), id_array(page.left));
                for (handle, customers, listed) in
                    [(super::SEGMENT_ENTERED, page.entered, &entered), (super::SEGMENT_LEFT, page.left, &left)]
                {
                    if customers.is_empty() || !in_use.iter().any(|used| used == handle) {
                        continue;
                    }
                    sqlx::query(&fire).bind(shop).bind(handle).bind(slug).bind(now).bind(listed)
                        .execute(&mut *transaction).await?;
                    fired += customers.len();
                }
                if !page.entered.is_empty() {
                    sqlx::query(&enter).bind(shop).bind(slug).bind(now).bind(&entered).execute(&mut *transaction).await?;
                }
                if !page.left.is_empty() {
                    sqlx::query(&leave).bind(shop).bind(slug).bind(&left).execute(&mut *transaction).await?;
                }
                // Entries first, then exits, as the history lists them.
                for (change, customers, listed) in [("entered", page.entered, &entered), ("left", page.left, &left)] {
                    if !customers.is_empty() {
                        sqlx::query(&record).bind(shop).bind(slug).bind(change).bind(now).bind(listed)
                            .execute(&mut *transaction).await?;
                    }
                }
                if let Some(full) = recount {
                    let count = sqlx::query(&count_sql).bind(shop).bind(slug);
                    if full { count.bind(now) } else { count }.execute(&mut *transaction).await?;
                }
            }
            transaction.commit().await?;
        });
        Ok(fired)
    }

    /// The latest entries and exits, newest first.
    pub async fn segment_changes(
        &self,
        shop: &ShopDomain,
        slug: &str,
        limit: i64,
    ) -> Result<Vec<ChangeRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, change, at FROM segment_changes WHERE shop = $1 AND slug = $2
                 ORDER BY id DESC LIMIT $3",
            )
            .bind(shop)
            .bind(slug)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The customers Shopify holds the segment's tag on, as far as Seglink knows, in id order.
    pub async fn tagged_ids(&self, shop: &ShopDomain, slug: &str) -> Result<Vec<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT customer_id FROM segment_tagged WHERE shop = $1 AND slug = $2 ORDER BY customer_id",
            )
            .bind(shop)
            .bind(slug)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records that Shopify now holds (`tagged`) or no longer holds the tag on these customers.
    pub async fn mark_tagged(
        &self,
        shop: &ShopDomain,
        slug: &str,
        customers: &[String],
        tagged: bool,
    ) -> Result<(), DbError> {
        if customers.is_empty() {
            return Ok(());
        }
        let sql = if tagged {
            format!(
                "INSERT INTO segment_tagged (shop, slug, customer_id) SELECT $1, $2, value FROM {} WHERE TRUE
                 ON CONFLICT DO NOTHING",
                id_rows(self.is_postgres(), 3)
            )
        } else {
            delete_listed("segment_tagged", self.is_postgres())
        };
        let listed = id_array(customers);
        on_pool!(self, pool => {
            sqlx::query(&sql).bind(shop).bind(slug).bind(&listed).execute(pool).await?;
        });
        Ok(())
    }

    /// The push state of every segment of a store that has one, by slug: one query for a list.
    pub async fn push_states(
        &self,
        shop: &ShopDomain,
    ) -> Result<std::collections::HashMap<String, PushRow>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Slugged {
            slug: String,
            #[sqlx(flatten)]
            push: PushRow,
        }
        let rows: Vec<Slugged> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT slug, state, added, removed, calls, bulk, repaired, reconciled_at, detail, updated_at
                 FROM segment_pushes WHERE shop = $1",
            )
            .bind(shop)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|row| (row.slug, row.push)).collect())
    }

    /// A segment's push state, if it has one.
    pub async fn push_state(&self, shop: &ShopDomain, slug: &str) -> Result<Option<PushRow>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT state, added, removed, calls, bulk, repaired, reconciled_at, detail, updated_at
                 FROM segment_pushes WHERE shop = $1 AND slug = $2",
            )
            .bind(shop)
            .bind(slug)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Notes that the segment has changes to push; `true` when no push was pending yet, so the
    /// caller queues one. Atomic: of many callers at once, one gets `true`.
    pub async fn mark_push_pending(
        &self,
        shop: &ShopDomain,
        slug: &str,
        now: UnixTime,
    ) -> Result<bool, DbError> {
        let flipped = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO segment_pushes (shop, slug, state, pending, updated_at) VALUES ($1, $2, 'queued', 1, $3)
                 ON CONFLICT (shop, slug) DO UPDATE SET pending = 1 WHERE segment_pushes.pending = 0",
            )
            .bind(shop)
            .bind(slug)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(flipped == 1)
    }

    /// Takes or renews the segment's push lease until `until`; `false` while another holder's
    /// lease runs. `holder` names the taker, so only it renews.
    pub async fn lease_push(
        &self,
        shop: &ShopDomain,
        slug: &str,
        holder: &str,
        now: UnixTime,
        until: UnixTime,
    ) -> Result<bool, DbError> {
        let taken = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO segment_pushes (shop, slug, state, leased_until, lease_holder, updated_at)
                 VALUES ($1, $2, 'running', $5, $3, $4)
                 ON CONFLICT (shop, slug) DO UPDATE SET leased_until = $5, lease_holder = $3
                 WHERE segment_pushes.leased_until IS NULL OR segment_pushes.leased_until <= $4
                     OR segment_pushes.lease_holder = $3",
            )
            .bind(shop)
            .bind(slug)
            .bind(holder)
            .bind(now)
            .bind(until)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(taken == 1)
    }

    /// Ends the push lease.
    pub async fn release_push(&self, shop: &ShopDomain, slug: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE segment_pushes SET leased_until = NULL, lease_holder = NULL WHERE shop = $1 AND slug = $2")
                .bind(shop)
                .bind(slug)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Clears the pending mark as a push starts: changes after this queue a push of their own.
    pub async fn take_push_pending(&self, shop: &ShopDomain, slug: &str) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE segment_pushes SET pending = 0 WHERE shop = $1 AND slug = $2")
                .bind(shop)
                .bind(slug)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Every running bulk push of a shop: the segment and its bulk state.
    pub async fn running_bulk_pushes(&self, shop: &ShopDomain) -> Result<Vec<(String, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT slug, bulk FROM segment_pushes WHERE shop = $1 AND bulk IS NOT NULL")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Replaces a push's bulk state if it is still `old`; `false` when the push moved on.
    pub async fn replace_push_bulk(
        &self,
        shop: &ShopDomain,
        slug: &str,
        old: &str,
        new: &str,
    ) -> Result<bool, DbError> {
        let updated = on_pool!(self, pool => {
            sqlx::query("UPDATE segment_pushes SET bulk = $4 WHERE shop = $1 AND slug = $2 AND bulk = $3")
                .bind(shop)
                .bind(slug)
                .bind(old)
                .bind(new)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Stores the segment's push state.
    pub async fn set_push_state(&self, shop: &ShopDomain, slug: &str, push: &PushRow) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO segment_pushes (shop, slug, state, added, removed, calls, bulk, repaired, reconciled_at, detail, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (shop, slug) DO UPDATE SET state = excluded.state, added = excluded.added,
                     removed = excluded.removed, calls = excluded.calls, bulk = excluded.bulk,
                     repaired = excluded.repaired, reconciled_at = excluded.reconciled_at,
                     detail = excluded.detail, updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(slug)
            .bind(push.state)
            .bind(push.added)
            .bind(push.removed)
            .bind(push.calls)
            .bind(&push.bulk)
            .bind(push.repaired)
            .bind(push.reconciled_at)
            .bind(&push.detail)
            .bind(push.updated_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
