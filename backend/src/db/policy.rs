//! Each store's ingestion policy: which orders and customers webhooks may record.

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

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
    /// A store's ingestion policy (the default when none was saved).
    pub async fn ingestion_policy(&self, shop: &ShopDomain) -> Result<IngestionPolicy, DbError> {
        let row: Option<(String, String, bool, i64)> = on_pool!(self, pool => {
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
                exclude_test_orders: exclude_test,
                upsell_delay_minutes: delay,
            }
        }))
    }

    /// Saves a store's ingestion policy.
    pub async fn set_ingestion_policy(
        &self,
        shop: &ShopDomain,
        policy: &IngestionPolicy,
        now: UnixTime,
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
            .bind(policy.exclude_test_orders)
            .bind(policy.upsell_delay_minutes)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
