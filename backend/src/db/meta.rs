//! Meta forwarding's side of the store: each shop's settings (the access token sealed), the events
//! waiting to be sent, and what happened to those sent (docs/meta.md).

use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// A shop's Conversions API settings.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MetaSettings {
    /// The Meta pixel (dataset) id.
    pub pixel_id: String,
    /// The Conversions API access token, sealed with the shop as context.
    pub sealed_token: String,
    /// Events Manager's test code while the merchant checks the setup; `None` in production.
    pub test_event_code: Option<String>,
    pub enabled: bool,
    pub updated_at: UnixTime,
}

/// An event waiting to be sent.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MetaPending {
    pub id: i64,
    /// Unix seconds, as Meta takes it.
    pub event_time: i64,
    /// The Conversions API event, JSON.
    pub event: String,
    /// Sends that failed so far.
    pub attempts: i64,
}

/// What forwarding did for a shop.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct MetaHealth {
    pub sent: i64,
    /// Requests Meta failed or refused.
    pub failed: i64,
    pub last_error: Option<String>,
    pub last_error_at: Option<UnixTime>,
    pub last_sent_at: Option<UnixTime>,
}

/// A new event for the outbox.
pub struct NewMetaEvent<'e> {
    pub event_name: &'e str,
    pub event_id: &'e str,
    pub event_time: i64,
    pub event: String,
}

impl Store {
    /// The shop's Meta settings, if it has any.
    pub async fn meta_settings(&self, shop: &ShopDomain) -> Result<Option<MetaSettings>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT pixel_id, sealed_token, test_event_code, enabled, updated_at FROM meta_settings WHERE shop = $1",
            )
            .bind(shop)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Keeps the shop's Meta settings.
    pub async fn save_meta_settings(
        &self,
        shop: &ShopDomain,
        settings: &MetaSettings,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO meta_settings (shop, pixel_id, sealed_token, test_event_code, enabled, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (shop) DO UPDATE SET pixel_id = excluded.pixel_id, sealed_token = excluded.sealed_token,
                     test_event_code = excluded.test_event_code, enabled = excluded.enabled, updated_at = excluded.updated_at",
            )
            .bind(shop)
            .bind(&settings.pixel_id)
            .bind(&settings.sealed_token)
            .bind(&settings.test_event_code)
            .bind(settings.enabled)
            .bind(settings.updated_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Adds events to the shop's outbox; one already there (same name and id) is kept once.
    pub async fn add_meta_events(
        &self,
        shop: &ShopDomain,
        events: &[NewMetaEvent<'_>],
    ) -> Result<(), DbError> {
        if events.is_empty() {
            return Ok(());
        }
        on_pool!(self, pool => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO meta_outbox (shop, event_name, event_id, event_time, event) ",
            );
            insert.push_values(events, |mut row, event| {
                row.push_bind(shop)
                    .push_bind(event.event_name)
                    .push_bind(event.event_id)
                    .push_bind(event.event_time)
                    .push_bind(&event.event);
            });
            insert.push(" ON CONFLICT (shop, event_name, event_id) DO NOTHING");
            insert.build().execute(pool).await?;
        });
        Ok(())
    }

    /// The oldest `limit` events waiting for the shop.
    pub async fn meta_pending(&self, shop: &ShopDomain, limit: i64) -> Result<Vec<MetaPending>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, event_time, event, attempts FROM meta_outbox WHERE shop = $1 ORDER BY id LIMIT $2",
            )
            .bind(shop)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many events wait for the shop.
    pub async fn meta_backlog(&self, shop: &ShopDomain) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM meta_outbox WHERE shop = $1").bind(shop).fetch_one(pool).await?
        }))
    }

    /// Removes sent events and counts them.
    pub async fn meta_sent(&self, shop: &ShopDomain, ids: &[i64], now: UnixTime) -> Result<(), DbError> {
        self.forget_meta_events(ids).await?;
        let sent = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO meta_health (shop, sent, last_sent_at) VALUES ($1, $2, $3)
                 ON CONFLICT (shop) DO UPDATE SET sent = meta_health.sent + excluded.sent, last_sent_at = excluded.last_sent_at",
            )
            .bind(shop)
            .bind(sent)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records a failed send, and one more attempt on each of its events.
    pub async fn meta_failed(
        &self,
        shop: &ShopDomain,
        ids: &[i64],
        error: &str,
        now: UnixTime,
    ) -> Result<(), DbError> {
        on_pool!(self, pool => {
            for id in ids {
                sqlx::query("UPDATE meta_outbox SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(pool).await?;
            }
            sqlx::query(
                "INSERT INTO meta_health (shop, failed, last_error, last_error_at) VALUES ($1, 1, $2, $3)
                 ON CONFLICT (shop) DO UPDATE SET failed = meta_health.failed + 1, last_error = excluded.last_error,
                     last_error_at = excluded.last_error_at",
            )
            .bind(shop)
            .bind(error)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Drops events that will not be sent, counted under `reason`.
    pub async fn meta_dropped(&self, shop: &ShopDomain, ids: &[i64], reason: &str) -> Result<(), DbError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.forget_meta_events(ids).await?;
        let dropped = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO meta_drops (shop, reason, events) VALUES ($1, $2, $3)
                 ON CONFLICT (shop, reason) DO UPDATE SET events = meta_drops.events + excluded.events",
            )
            .bind(shop)
            .bind(reason)
            .bind(dropped)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn forget_meta_events(&self, ids: &[i64]) -> Result<(), DbError> {
        on_pool!(self, pool => {
            for chunk in ids.chunks(500) {
                let mut delete = sqlx::QueryBuilder::new("DELETE FROM meta_outbox WHERE id IN (");
                let mut separated = delete.separated(", ");
                for id in chunk {
                    separated.push_bind(id);
                }
                delete.push(")");
                delete.build().execute(pool).await?;
            }
        });
        Ok(())
    }

    /// What forwarding did for the shop, and its drops by reason.
    pub async fn meta_health(&self, shop: &ShopDomain) -> Result<(MetaHealth, Vec<(String, i64)>), DbError> {
        Ok(on_pool!(self, pool => {
            let health: Option<MetaHealth> = sqlx::query_as(
                "SELECT sent, failed, last_error, last_error_at, last_sent_at FROM meta_health WHERE shop = $1",
            )
            .bind(shop)
            .fetch_optional(pool)
            .await?;
            let drops: Vec<(String, i64)> =
                sqlx::query_as("SELECT reason, events FROM meta_drops WHERE shop = $1 ORDER BY reason")
                    .bind(shop)
                    .fetch_all(pool)
                    .await?;
            (health.unwrap_or_default(), drops)
        }))
    }
}
