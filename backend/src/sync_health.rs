//! `GET /api/sync`: how well a store's data keeps up with Shopify.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use ts_rs::TS;

use crate::app::AppState;
use crate::checks::ShopSession;
use crate::clock::UnixTime;
use crate::error::AppError;

/// The last delivery of one webhook topic.
#[derive(Serialize, TS)]
pub struct TopicSeen {
    pub topic: String,
    pub last_received_at: UnixTime,
}

/// A job that ran out of attempts.
#[derive(Serialize, TS)]
pub struct DeadJob {
    pub kind: String,
    pub error: String,
}

/// Jobs that are not well.
#[derive(Serialize, TS)]
pub struct JobHealth {
    pub retrying: i64,
    pub dead: Vec<DeadJob>,
}

/// What Seglink stores of the shop.
#[derive(Serialize, TS)]
pub struct Counts {
    pub customers: i64,
    pub orders: i64,
    pub products: i64,
}

/// `GET /api/sync`.
#[derive(Serialize, TS)]
pub struct SyncHealth {
    pub webhooks: Vec<TopicSeen>,
    pub jobs: JobHealth,
    pub counts: Counts,
    pub last_pixel_event_at: Option<UnixTime>,
}

/// `GET /api/sync`: how well the store's data keeps up: the last delivery of each webhook topic,
/// jobs retrying or dead, what is stored, and the pixel's last event.
pub async fn sync(State(app): State<AppState>, session: ShopSession) -> Result<Json<SyncHealth>, AppError> {
    let shop = &session.claims.shop;
    let webhooks = app
        .store
        .last_webhook_per_topic(shop)
        .await?
        .into_iter()
        .map(|(topic, last_received_at)| TopicSeen { topic, last_received_at })
        .collect();
    let dead =
        app.store.dead_jobs(shop).await?.into_iter().map(|(kind, error)| DeadJob { kind, error }).collect();
    let (products, customers, orders) = app.store.counts(shop).await?;
    Ok(Json(SyncHealth {
        webhooks,
        jobs: JobHealth { retrying: app.store.retrying_jobs(shop).await?, dead },
        counts: Counts { customers, orders, products },
        last_pixel_event_at: app.store.last_pixel_event_at(shop).await?,
    }))
}
