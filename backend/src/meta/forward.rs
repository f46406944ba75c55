//! The outbox and its sender. Events wait in `meta_outbox` until a `meta_forward` job sends them,
//! up to 500 a request (Meta takes 1,000). A request Meta refuses (one bad event refuses them all)
//! is split in halves until the bad events stand alone, and only those are dropped. A failure of
//! Meta's or the network's (429, 5xx, a timeout) is tried again with backoff. Each event is
//! dropped, with its reason counted, after eight failed sends or once it is seven days old,
//! which is older than Meta takes.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::conversions::{self, BrowserContext, ConversionEvent, GRAPH_VERSION};
use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{DbError, MetaPending, MetaSettings, NewMetaEvent, Store};
use crate::jobs::{Job, JobError};
use crate::recent::{MAX_SHOPS, Recent};
use crate::shop_domain::ShopDomain;

/// Events in one request.
const BATCH: i64 = 500;
/// Sends an event may fail before it is dropped.
pub const MAX_SENDS: i64 = 8;
/// The oldest event Meta takes, less an hour for the request's own time.
const MAX_AGE_SECS: i64 = 7 * 86_400 - 3_600;
/// How long a shop's "forwarding is on" is trusted before it is read again.
const SETTINGS_TTL: Duration = Duration::from_secs(10);

/// Forwarding's state in the process: the HTTP client, where Meta is, and which shops forward.
pub struct Forwarding {
    client: reqwest::Client,
    graph_url: String,
    enabled: Recent<ShopDomain, bool>,
}

impl Forwarding {
    /// Sends to the Graph API at `graph_url` (`https://graph.facebook.com`, or a stand-in).
    pub fn new(graph_url: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self {
            client,
            graph_url: graph_url.trim_end_matches('/').to_owned(),
            enabled: Recent::new(SETTINGS_TTL, MAX_SHOPS),
        }
    }

    /// Whether the shop forwards now (read at most every ten seconds).
    async fn enabled(&self, store: &Store, shop: &ShopDomain) -> Result<bool, DbError> {
        if let Some(enabled) = self.enabled.get(shop) {
            return Ok(enabled);
        }
        let enabled = store.meta_settings(shop).await?.is_some_and(|settings| settings.enabled);
        self.enabled.remember(shop.clone(), enabled);
        Ok(enabled)
    }

    /// Forgets what it read of the shop's settings: they changed here.
    pub fn settings_changed(&self, shop: &ShopDomain) {
        self.enabled.forget(shop);
    }
}

/// Adds a storefront request's events that Meta has a standard event for; the caller checked
/// the visitor's marketing consent.
pub async fn queue_pixel_events(
    app: &App,
    shop: &ShopDomain,
    events: &[(events::Event, UnixTime)],
    browser: &BrowserContext,
    now: UnixTime,
) -> Result<(), DbError> {
    if !app.meta.enabled(&app.store, shop).await? {
        return Ok(());
    }
    let converted: Vec<ConversionEvent> = events
        .iter()
        .filter_map(|(event, time)| conversions::from_storefront(event, time.secs(), browser))
        .collect();
    add(app, shop, &converted, now).await
}

/// Adds the `Purchase` of a verified order.
pub async fn queue_purchase(
    app: &App,
    shop: &ShopDomain,
    order: &Value,
    now: UnixTime,
) -> Result<(), DbError> {
    if !app.meta.enabled(&app.store, shop).await? {
        return Ok(());
    }
    let time = order
        .get("created_at")
        .and_then(Value::as_str)
        .and_then(UnixTime::parse_rfc3339)
        .unwrap_or(now)
        .min(now);
    let converted: Vec<ConversionEvent> = conversions::purchase(order, time.secs()).into_iter().collect();
    add(app, shop, &converted, now).await
}

async fn add(
    app: &App,
    shop: &ShopDomain,
    converted: &[ConversionEvent],
    now: UnixTime,
) -> Result<(), DbError> {
    if converted.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewMetaEvent<'_>> = converted
        .iter()
        .map(|event| NewMetaEvent {
            event_name: event.name,
            event_id: &event.id,
            event_time: event.time,
            event: event.json.to_string(),
        })
        .collect();
    app.store.add_meta_events(shop, &rows).await?;
    Forward::queue(&app.store, shop, now).await?;
    app.jobs_waiting.notify_one();
    Ok(())
}

/// Sends what the shop's outbox holds.
#[derive(Serialize, Deserialize)]
pub struct Forward {}

impl Forward {
    /// Queues a send of `shop`'s outbox at `at` unless one is waiting.
    pub async fn queue(store: &Store, shop: &ShopDomain, at: UnixTime) -> Result<(), DbError> {
        store.enqueue_unless_pending(&Self {}.queued(shop, at, Some(format!("meta:{shop}")))).await?;
        Ok(())
    }
}

impl Job for Forward {
    const KIND: &'static str = "meta_forward";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        loop {
            let now = crate::clock::unix_now();
            let pending = app.store.meta_pending(shop, BATCH).await?;
            if pending.is_empty() {
                return Ok(());
            }
            let Some(settings) = app.store.meta_settings(shop).await?.filter(|settings| settings.enabled)
            else {
                let ids: Vec<i64> = pending.iter().map(|event| event.id).collect();
                app.store.meta_dropped(shop, &ids, "forwarding turned off").await?;
                continue;
            };
            let Ok(token) = app.keys.open(&settings.sealed_token, shop.as_str()) else {
                let ids: Vec<i64> = pending.iter().map(|event| event.id).collect();
                app.store
                    .meta_failed(shop, &[], "the access token cannot be opened: save it again", now)
                    .await?;
                app.store.meta_dropped(shop, &ids, "access token unreadable").await?;
                continue;
            };
            let (stale, fresh): (Vec<MetaPending>, Vec<MetaPending>) =
                pending.into_iter().partition(|event| event.event_time < now.secs() - MAX_AGE_SECS);
            let stale: Vec<i64> = stale.iter().map(|event| event.id).collect();
            app.store.meta_dropped(shop, &stale, "older than 7 days").await?;
            let sender = Sender { app, shop, settings: &settings, token: &token };
            if let Err(Waiting(reason)) = sender.send(&fresh, now).await {
                // Meta or the network failed and events remain: this job runs again after its
                // backoff (10 s doubling); the events' own count drops them after eight sends.
                return Err(JobError::Retry(reason));
            }
        }
    }
}

/// How a request ended.
enum Outcome {
    Sent,
    /// Meta refused the request (a 4xx other than 429): what it said.
    Refused(String),
    /// Meta or the network failed: try again later.
    Failed(String),
}

struct Sender<'a> {
    app: &'a App,
    shop: &'a ShopDomain,
    settings: &'a MetaSettings,
    token: &'a str,
}

/// Events still waiting after a failure of Meta's, and why.
struct Waiting(String);

impl Sender<'_> {
    /// Sends `batch`, halving a refused one until its bad events stand alone.
    async fn send(&self, batch: &[MetaPending], now: UnixTime) -> Result<(), Waiting> {
        if batch.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = batch.iter().map(|event| event.id).collect();
        let store = &self.app.store;
        let recorded = |result: Result<(), DbError>| result.map_err(|error| Waiting(error.to_string()));
        match self.post(batch).await {
            Outcome::Sent => recorded(store.meta_sent(self.shop, &ids, now).await),
            Outcome::Refused(_) if batch.len() > 1 => {
                let (first, second) = batch.split_at(batch.len() / 2);
                Box::pin(self.send(first, now)).await?;
                Box::pin(self.send(second, now)).await
            }
            Outcome::Refused(reason) => {
                recorded(store.meta_failed(self.shop, &[], &reason, now).await)?;
                recorded(store.meta_dropped(self.shop, &ids, "refused by Meta").await)
            }
            Outcome::Failed(reason) => {
                recorded(store.meta_failed(self.shop, &ids, &reason, now).await)?;
                let exhausted: Vec<i64> = batch
                    .iter()
                    .filter(|event| event.attempts + 1 >= MAX_SENDS)
                    .map(|event| event.id)
                    .collect();
                recorded(store.meta_dropped(self.shop, &exhausted, "failed 8 times").await)?;
                if exhausted.len() == batch.len() { Ok(()) } else { Err(Waiting(reason)) }
            }
        }
    }

    async fn post(&self, batch: &[MetaPending]) -> Outcome {
        let data: Vec<Value> =
            batch.iter().filter_map(|event| serde_json::from_str(&event.event).ok()).collect();
        let mut body = json!({ "data": data, "access_token": self.token });
        if let Some(code) = &self.settings.test_event_code {
            body["test_event_code"] = code.as_str().into();
        }
        let url = format!("{}/{GRAPH_VERSION}/{}/events", self.app.meta.graph_url, self.settings.pixel_id);
        let response = match self.app.meta.client.post(url).json(&body).send().await {
            Ok(response) => response,
            // The error's text would carry the URL; the kind is enough.
            Err(error) if error.is_timeout() => {
                return Outcome::Failed("Meta did not answer in time".to_owned());
            }
            Err(_) => return Outcome::Failed("Meta could not be reached".to_owned()),
        };
        let status = response.status();
        if status.is_success() {
            return Outcome::Sent;
        }
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let message = answer.pointer("/error/message").and_then(Value::as_str).map_or_else(
            || format!("HTTP {status}"),
            |message| format!("HTTP {}: {message}", status.as_u16()),
        );
        let message: String = message.chars().take(300).collect();
        // A token or dataset Meta does not accept is the settings' fault, not the events': they
        // wait (and the settings page says why) rather than being split and dropped one by one.
        let code = answer.pointer("/error/code").and_then(Value::as_i64);
        let subcode = answer.pointer("/error/error_subcode").and_then(Value::as_i64);
        let settings_refused = matches!(status.as_u16(), 401 | 403)
            || code == Some(190)
            || (code == Some(100) && subcode == Some(33));
        if status.as_u16() == 429 || status.is_server_error() || settings_refused {
            Outcome::Failed(message)
        } else {
            Outcome::Refused(message)
        }
    }
}
