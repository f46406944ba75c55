//! The application's shared state: what every handler and job can reach (start-up is `startup`).

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Store;
use crate::metrics::Metrics;
use crate::shopify::admin::Shopify;

/// What every handler can reach.
pub struct App {
    /// The configuration read at start.
    pub config: Config,
    /// Where everything is stored.
    pub store: Store,
    /// Keys derived from the master key.
    pub keys: Arc<Keys>,
    /// The Admin API and token endpoint of every connected store.
    pub shopify: Shopify,
    /// Request counters for `/metrics`.
    pub metrics: Metrics,
    /// Wakes the workers when a job is enqueued here.
    pub jobs_waiting: tokio::sync::Notify,
    /// Writes webhook deliveries in batches.
    pub inbox: crate::webhooks::Inbox,
    /// Limits pixel requests per public key.
    pub pixel_limiter: crate::pixel::RateLimiter,
    /// Limits pixel requests per public key and client address.
    pub pixel_client_limiter: crate::pixel::RateLimiter,
    /// Limits lookup API requests per workspace (server key).
    pub lookup_limiter: crate::pixel::RateLimiter,
    /// Writes pixel events in batches.
    pub pixel_events: crate::pixel::EventWriter,
    /// Public keys recently accepted for their shops.
    pub pixel_keys: crate::pixel::KnownKeys,
    /// Forwarding to Meta's Conversions API.
    pub meta: crate::meta::Forwarding,
    /// Storefront events counted against the plans, not yet written.
    pub pixel_usage: Arc<crate::billing::PixelUsage>,
    /// Whether each shop's storefront events are within its plan this month.
    pub pixel_allowance: crate::billing::PixelAllowance,
    /// Work that must not overlap within this process (two pushes of one segment).
    pub locks: crate::keyed_locks::KeyedLocks,
    /// The background workers this process runs.
    pub workers: crate::jobs::WorkerCount,
}

impl App {
    /// The state for `config`, storing in `store`. Starts the inbox writer, so it must run
    /// inside a Tokio runtime.
    pub fn new(config: Config, store: Store) -> Self {
        let keys = Arc::new(Keys::derive(&config.master_key));
        let shopify = Shopify::new(&config, store.clone(), keys.clone());
        let deadline = config.limits.storage_deadline;
        let inbox = crate::webhooks::Inbox::start(store.clone(), deadline);
        let store_for_pixel = store.clone();
        let meta = crate::meta::Forwarding::new(&config.meta_graph_url);
        let pixel_usage = Arc::new(crate::billing::PixelUsage::default());
        tokio::spawn(crate::billing::flush_continually(store.clone(), pixel_usage.clone()));
        Self {
            config,
            store,
            keys,
            shopify,
            metrics: Metrics::default(),
            jobs_waiting: tokio::sync::Notify::new(),
            inbox,
            pixel_limiter: crate::pixel::RateLimiter::per_key(),
            pixel_client_limiter: crate::pixel::RateLimiter::per_client(),
            lookup_limiter: crate::lookup::rate_limiter(),
            pixel_events: crate::pixel::EventWriter::start(store_for_pixel, deadline),
            pixel_keys: crate::pixel::KnownKeys::default(),
            pixel_allowance: crate::billing::PixelAllowance::default(),
            meta,
            pixel_usage,
            locks: crate::keyed_locks::KeyedLocks::default(),
            workers: crate::jobs::WorkerCount::default(),
        }
    }
}

/// The state handlers extract: cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
