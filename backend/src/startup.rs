//! Start-up: open the database, bind the port, then start the background workers and serve. The
//! shared state it builds is `app::App`; the routes are `router`.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::app::{App, AppState};
use crate::config::Config;
use crate::db::Store;
use crate::router::router;

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the database (migrating it) and binds 127.0.0.1 on the configured port (0 picks a
    /// free one).
    pub async fn build(config: Config) -> Result<Self, String> {
        let store = Store::connect(&config.database_url).await.map_err(|error| error.to_string())?;
        let address = SocketAddr::from(([127, 0, 0, 1], config.port));
        let listener = TcpListener::bind(address)
            .await
            .map_err(|error| format!("cannot listen on {address}: {error}"))?;
        Ok(Self { listener, state: AppState(Arc::new(App::new(config, store))) })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|address| address.port()).unwrap_or_default()
    }

    /// Starts the background workers and serves until the process ends.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tokio::spawn(checkpoint_continually(self.state.store.clone()));
        tokio::spawn(crate::jobs::supervise(self.state.clone(), self.state.config.workers));
        let limits = self.state.config.limits;
        let state = self.state.clone();
        let served = crate::serve::serve(self.listener, router(self.state), limits).await;
        // Counts of the last seconds' storefront events are written before the process ends.
        state.pixel_usage.flush(&state.store).await;
        served
    }
}

/// How often SQLite's log is checkpointed. Small checkpoints often: each one's copying and sync
/// is what a commit behind it can wait on, and at 60 ms rather than 250 ms the pixel's p99 at
/// half its peak rate fell from about 41 ms to 26 ms (docs/benchmarks.md, "Pixel").
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(60);

/// Checkpoints SQLite's log off the writers' path for as long as the process runs (`db/wal.rs`).
async fn checkpoint_continually(store: Store) {
    if store.is_postgres() {
        return;
    }
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Logged when checkpoints start failing and when they work again, not sixteen times a second.
    let mut failing = false;
    loop {
        ticks.tick().await;
        match store.checkpoint().await {
            Err(error) if !failing => {
                failing = true;
                crate::log::warn("checkpoints are failing", &[("error", &error.to_string())]);
            }
            Ok(()) if failing => {
                failing = false;
                crate::log::info("checkpoints work again", &[]);
            }
            _ => {}
        }
    }
}
