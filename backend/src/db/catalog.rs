//! What the product metafield run reads and records: the catalog page by page, the facts its
//! values come from, the digest of what each product last received, and the run's progress.

use std::collections::HashMap;

use super::products::PRODUCT_COLUMNS;
use super::{DbError, RunState, Store, StoredProduct, VariantRow, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// Products in id order (shorter ids first, as numbers sort): `LENGTH` keeps both engines in the
/// same order whatever their collation.
const AFTER_CHECKPOINT: &str = "($2 IS NULL OR LENGTH(product_id) > LENGTH($2)
     OR (LENGTH(product_id) = LENGTH($2) AND product_id > $2))";

/// A store's latest metafield run.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, ts_rs::TS)]
pub struct MetafieldRun {
    pub state: RunState,
    /// `shop` or one product's id.
    pub scope: String,
    pub started_at: UnixTime,
    pub finished_at: Option<UnixTime>,
    /// Products up to this id are done.
    pub checkpoint: Option<String>,
    /// Products whose values were computed.
    pub products: i64,
    /// Of those, whose values differed from what Shopify last received.
    pub changed: i64,
    /// Metafields written.
    pub written: i64,
    /// `metafieldsSet` calls made.
    pub calls: i64,
    /// Products Shopify no longer has.
    pub missing: i64,
    /// Why it failed.
    pub detail: Option<String>,
}

/// What one step of a run adds to its counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunProgress {
    pub products: i64,
    pub changed: i64,
    pub written: i64,
    pub calls: i64,
    pub missing: i64,
}

const RUN_COLUMNS: &str =
    "state, scope, started_at, finished_at, checkpoint, products, changed, written, calls, missing, detail";

impl Store {
    /// Starts a run of `scope`, or carries on with the one under way (a resumed job).
    pub async fn begin_metafield_run(
        &self,
        shop: &ShopDomain,
        scope: &str,
        now: UnixTime,
    ) -> Result<MetafieldRun, DbError> {
        let sql = format!(
            "INSERT INTO metafield_runs (shop, state, scope, started_at) VALUES ($1, 'running', $2, $3)
             ON CONFLICT (shop) DO UPDATE SET state = 'running', scope = excluded.scope,
                 started_at = excluded.started_at, finished_at = NULL, checkpoint = NULL, products = 0,
                 changed = 0, written = 0, calls = 0, missing = 0, detail = NULL
             WHERE metafield_runs.state <> 'running' OR metafield_runs.scope <> excluded.scope
             RETURNING {RUN_COLUMNS}"
        );
        let started: Option<MetafieldRun> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(shop).bind(scope).bind(now).fetch_optional(pool).await?
        });
        match started {
            Some(run) => Ok(run),
            None => self.metafield_run(shop).await?.ok_or(DbError::NotFound),
        }
    }

    /// The store's latest run.
    pub async fn metafield_run(&self, shop: &ShopDomain) -> Result<Option<MetafieldRun>, DbError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM metafield_runs WHERE shop = $1");
        Ok(on_pool!(self, pool => { sqlx::query_as(&sql).bind(shop).fetch_optional(pool).await? }))
    }

    /// Adds a step's counts to the run and moves its checkpoint.
    pub async fn advance_metafield_run(
        &self,
        shop: &ShopDomain,
        checkpoint: Option<&str>,
        progress: RunProgress,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE metafield_runs SET checkpoint = COALESCE($2, checkpoint), products = products + $3,
                     changed = changed + $4, written = written + $5, calls = calls + $6, missing = missing + $7
                 WHERE shop = $1",
            )
            .bind(shop)
            .bind(checkpoint)
            .bind(progress.products)
            .bind(progress.changed)
            .bind(progress.written)
            .bind(progress.calls)
            .bind(progress.missing)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Ends the run.
    pub async fn finish_metafield_run(
        &self,
        shop: &ShopDomain,
        state: RunState,
        detail: Option<&str>,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE metafield_runs SET state = $2, detail = $3, finished_at = $4 WHERE shop = $1")
                .bind(shop)
                .bind(state)
                .bind(detail)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Up to `limit` live products after `after`, in id order.
    pub async fn catalog_page(
        &self,
        shop: &ShopDomain,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredProduct>, DbError> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS}
             FROM products WHERE shop = $1 AND deleted = FALSE AND {AFTER_CHECKPOINT}
             ORDER BY LENGTH(product_id), product_id LIMIT $3"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(shop).bind(after).bind(limit).fetch_all(pool).await?
        }))
    }

    /// The variants of these products, by product.
    pub async fn variants_of(
        &self,
        shop: &ShopDomain,
        product_ids: &[String],
    ) -> Result<HashMap<String, Vec<VariantRow>>, DbError> {
        let mut by_product: HashMap<String, Vec<VariantRow>> = HashMap::new();
        for chunk in product_ids.chunks(1_000) {
            let rows: Vec<(String, VariantRow)> = on_pool!(self, pool => {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT product_id, variant_id, title, sku, barcode, price, compare_at_price, inventory_quantity
                     FROM product_variants WHERE shop = ",
                );
                select.push_bind(shop).push(" AND product_id IN (");
                let mut ids = select.separated(", ");
                for id in chunk {
                    ids.push_bind(id);
                }
                ids.push_unseparated(") ORDER BY variant_id");
                select
                    .build()
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|row| Ok((sqlx::Row::try_get(row, "product_id")?, sqlx::FromRow::from_row(row)?)))
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            });
            for (product, variant) in rows {
                by_product.entry(product).or_default().push(variant);
            }
        }
        Ok(by_product)
    }

    /// The properties of every storefront product view since `since`.
    pub async fn product_views_since(
        &self,
        shop: &ShopDomain,
        since: UnixTime,
    ) -> Result<Vec<String>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT properties FROM events WHERE shop = $1 AND kind = 'product_view' AND occurred_at >= $2",
            )
            .bind(shop)
            .bind(since)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Each known buyer's orders' lines (JSON), leaving out cancelled and test orders.
    pub async fn order_lines_by_buyer(&self, shop: &ShopDomain) -> Result<Vec<(String, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, line_items FROM orders
                 WHERE shop = $1 AND customer_id IS NOT NULL AND cancelled_at IS NULL AND test = FALSE",
            )
            .bind(shop)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every member of the merchant's segments (kept, not deleted): `(slug, customer)`.
    pub async fn segment_memberships(&self, shop: &ShopDomain) -> Result<Vec<(String, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT m.slug, m.customer_id FROM segment_members m
                 JOIN segments s ON s.shop = m.shop AND s.slug = m.slug
                 WHERE m.shop = $1 AND s.deleted = FALSE AND s.suggested = FALSE",
            )
            .bind(shop)
            .fetch_all(pool)
            .await?
        }))
    }

    /// What each of these products last received: its digest, and its listing score (absent for
    /// products written before scores were kept).
    pub async fn metafield_digests(
        &self,
        shop: &ShopDomain,
        product_ids: &[String],
    ) -> Result<HashMap<String, (String, Option<i64>)>, DbError> {
        let mut digests = HashMap::new();
        for chunk in product_ids.chunks(1_000) {
            let rows: Vec<(String, String, Option<i64>)> = on_pool!(self, pool => {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT product_id, digest, listing_score FROM product_metafields WHERE shop = ",
                );
                select.push_bind(shop).push(" AND product_id IN (");
                let mut ids = select.separated(", ");
                for id in chunk {
                    ids.push_bind(id);
                }
                ids.push_unseparated(")");
                select.build_query_as().fetch_all(pool).await?
            });
            digests.extend(rows.into_iter().map(|(product, digest, score)| (product, (digest, score))));
        }
        Ok(digests)
    }

    /// Records what these products received (id, digest, listing score) and, in the same
    /// transaction, the Flow triggers for those whose score dropped (id, old score, new score).
    pub async fn record_metafield_digests(
        &self,
        shop: &ShopDomain,
        written: &[(String, String, i64)],
        dropped: &[(String, i64, i64)],
        now: UnixTime,
    ) -> Result<(), DbError> {
        if written.is_empty() {
            return Ok(());
        }
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO product_metafields (shop, product_id, digest, listing_score, written_at) ",
            );
            insert.push_values(written, |mut row, (product, digest, score)| {
                row.push_bind(shop).push_bind(product).push_bind(digest).push_bind(score).push_bind(now);
            });
            insert.push(
                " ON CONFLICT (shop, product_id) DO UPDATE SET digest = excluded.digest,
                     listing_score = excluded.listing_score, written_at = excluded.written_at",
            );
            insert.build().execute(&mut *transaction).await?;
            for (product, old, new) in dropped {
                let payload = serde_json::json!({
                    "product_id": product.parse::<u64>().map_or_else(|_| serde_json::Value::from(product.as_str()), serde_json::Value::from),
                    "Old score": old,
                    "New score": new,
                });
                sqlx::query(
                    "INSERT INTO flow_outbox (shop, handle, slug, customer_id, at, payload) VALUES ($1, $2, '', '', $3, $4)",
                )
                .bind(shop)
                .bind(super::LISTING_SCORE_DROPPED)
                .bind(now)
                .bind(payload.to_string())
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
        });
        Ok(())
    }
}
