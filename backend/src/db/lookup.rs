//! What the lookup API reads across the stores of one workspace, and each store's order prefix.

use sqlx::QueryBuilder;

use super::products::PRODUCT_COLUMNS;
use super::{CustomerRow, DbError, OrderRow, Store, StoredProduct, on_pool};
use crate::shop_domain::ShopDomain;

/// A store of a workspace and its order prefix.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PrefixedStore {
    pub shop: ShopDomain,
    pub order_prefix: Option<String>,
}

/// `shop IN (…)` for these stores.
fn push_shops<'a, DB: sqlx::Database>(query: &mut QueryBuilder<'a, DB>, column: &str, shops: &'a [ShopDomain])
where
    &'a ShopDomain: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    query.push(format!("{column} IN ("));
    let mut separated = query.separated(", ");
    for shop in shops {
        separated.push_bind(shop);
    }
    separated.push_unseparated(")");
}

impl Store {
    /// The active stores of a workspace with their order prefixes.
    pub async fn workspace_stores(&self, workspace_id: &str) -> Result<Vec<PrefixedStore>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT shop, order_prefix FROM shops WHERE workspace_id = $1 AND active = TRUE ORDER BY shop",
            )
            .bind(workspace_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Sets (or clears) a store's order prefix; `Conflict` when another store of its workspace
    /// has it.
    pub async fn set_order_prefix(&self, shop: &ShopDomain, prefix: Option<&str>) -> Result<(), DbError> {
        let result = on_pool!(self, pool => {
            sqlx::query("UPDATE shops SET order_prefix = $2 WHERE shop = $1")
                .bind(shop)
                .bind(prefix)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        });
        match result {
            Ok(updated) => super::one_row(updated, DbError::NotFound),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Err(DbError::Conflict),
            Err(error) => Err(error.into()),
        }
    }

    /// Orders named `name` (`#1001`) in these stores.
    pub async fn orders_named(
        &self,
        shops: &[ShopDomain],
        name: &str,
    ) -> Result<Vec<(ShopDomain, OrderRow)>, DbError> {
        if shops.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(self, pool => {
            let mut query = QueryBuilder::new(
                "SELECT shop, order_id, customer_id, name, total_price, currency, source_name, tags, test,
                     financial_status, line_items, cancelled_at, created_at, updated_at, checkout_token, guest_email
                 FROM orders WHERE ",
            );
            push_shops(&mut query, "shop", shops);
            query.push(" AND name = ").push_bind(name).push(" ORDER BY shop");
            let found = query.build().fetch_all(pool).await?;
            found
                .iter()
                .map(|row| Ok((sqlx::Row::try_get(row, "shop")?, sqlx::FromRow::from_row(row)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        }))
    }

    /// Products of these stores whose title contains `text` (any case), or with a variant whose
    /// SKU or barcode is `text`: a page of `limit` from `offset`, and whether more follow.
    pub async fn search_products(
        &self,
        shops: &[ShopDomain],
        text: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<(ShopDomain, StoredProduct)>, bool), DbError> {
        if shops.is_empty() {
            return Ok((Vec::new(), false));
        }
        let pattern = format!(
            "%{}%",
            text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        let mut found: Vec<(ShopDomain, StoredProduct)> = on_pool!(self, pool => {
            let mut query =
                QueryBuilder::new(format!("SELECT p.shop, {PRODUCT_COLUMNS} FROM products p WHERE p.deleted = FALSE AND "));
            push_shops(&mut query, "p.shop", shops);
            query
                .push(" AND (LOWER(p.title) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR EXISTS (SELECT 1 FROM product_variants v WHERE v.shop = p.shop AND v.product_id = p.product_id AND (v.sku = ")
                .push_bind(text)
                .push(" OR v.barcode = ")
                .push_bind(text)
                .push("))) ORDER BY p.shop, LENGTH(p.product_id), p.product_id LIMIT ")
                .push_bind(limit + 1)
                .push(" OFFSET ")
                .push_bind(offset);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((sqlx::Row::try_get(row, "shop")?, sqlx::FromRow::from_row(row)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let more = found.len() as i64 > limit;
        found.truncate(usize::try_from(limit).unwrap_or(0));
        Ok((found, more))
    }

    /// Customers of these stores with this email (any case).
    pub async fn customers_by_email(
        &self,
        shops: &[ShopDomain],
        email: &str,
    ) -> Result<Vec<(ShopDomain, CustomerRow)>, DbError> {
        if shops.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(self, pool => {
            let mut query = QueryBuilder::new(
                "SELECT shop, customer_id, email, first_name, last_name, phone, country, tags, marketing_state,
                     created_at, updated_at
                 FROM customers WHERE deleted = FALSE AND ",
            );
            push_shops(&mut query, "shop", shops);
            query.push(" AND LOWER(email) = ").push_bind(email.trim().to_lowercase()).push(" ORDER BY shop");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((sqlx::Row::try_get(row, "shop")?, sqlx::FromRow::from_row(row)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        }))
    }
}
