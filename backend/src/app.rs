//! The application: its shared state, and binding and serving it.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::Store;
use crate::metrics::Metrics;
use crate::router::router;

/// What every handler can reach.
pub struct App {
    /// The configuration read at start.
    pub config: Config,
    /// Where everything is stored.
    pub store: Arc<dyn Store>,
    /// Request counters for `/metrics`.
    pub metrics: Metrics,
}

impl App {
    /// The state for `config`, storing in `store`.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        Self { config, store, metrics: Metrics::default() }
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

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the database (migrating it) and binds 127.0.0.1 on the configured port (0 picks a
    /// free one).
    pub async fn build(config: Config) -> Result<Self, String> {
        let store = crate::db::connect(&config.database_url).await.map_err(|error| error.to_string())?;
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

    /// Serves until the process ends.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.state)).await
    }
}
