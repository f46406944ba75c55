//! Installing Seglink into a store (docs/backend.md): the managed install with token exchange, the
//! authorization-code fallback, custom-app connections, connect links between workspaces, and
//! the provisioning that follows each of them.

pub mod connect_link;
pub mod custom_app;
pub mod managed;
pub mod oauth;
pub mod progress;
mod provision;
pub mod server_key;
pub mod session;
pub mod view;
pub mod workspace;

pub use provision::{STEPS, create_automatic_discount, provision};

use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{Connection, DbError, StepState, StoredTokens};
use crate::jobs::{Job, JobError};
use crate::shopify::ShopDomain;

/// What connecting a store did.
pub struct Connected {
    /// The store's workspace.
    pub workspace_id: String,
    /// The server key of a workspace created just now: shown this once, stored only hashed.
    pub new_server_key: Option<String>,
}

/// Stores a store's tokens, in its existing workspace or `into` one or a new one, and queues its
/// provisioning.
pub async fn connect(
    app: &App,
    shop: &ShopDomain,
    connection: Connection,
    tokens: &StoredTokens,
    into: Option<&str>,
    now: UnixTime,
) -> Result<Connected, DbError> {
    let existing = app.store.shop(shop).await?;
    let (workspace_id, new_server_key) = match (existing, into) {
        (_, Some(workspace)) => (workspace.to_owned(), None),
        (Some(record), None) => (record.workspace_id, None),
        (None, None) => {
            let (workspace, server_key) = workspace::create(&app.store, shop, now).await?;
            (workspace.id, Some(server_key))
        }
    };
    app.store.connect_shop(shop, &workspace_id, connection, tokens, now).await?;
    let job = Provision { connection: Some(format!("{connection:?}")), reason: None }.queued(
        shop,
        now,
        Some(format!("provision:{}:{now}", shop.as_str())),
    );
    app.store.enqueue(&job).await?;
    app.jobs_waiting.notify_waiters();
    crate::log::info("store connected", &[("shop", shop.as_str()), ("workspace", &workspace_id)]);
    Ok(Connected { workspace_id, new_server_key })
}

/// Provisions a store: every setup step not yet done. The fields say why, for a person reading
/// the job table.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Provision {
    /// How the store was connected, after an install or a connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection: Option<String>,
    /// Why it runs again (a moved workspace, new pixel settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Job for Provision {
    const KIND: &'static str = "provision";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        provision(app, shop).await
    }
}

/// Provisions a store's web pixel again (a moved workspace, a merchant's reconnect): its
/// settings carry the workspace's public key and the endpoint, written with every key.
pub async fn reprovision_pixel(
    app: &App,
    shop: &ShopDomain,
    now: UnixTime,
    why: &str,
) -> Result<(), DbError> {
    app.store.set_setup_step(shop, "web_pixel", StepState::Pending, Some(why), now).await?;
    // Each change is its own job: two in one second (a reconnect, then new settings) must both
    // be written, the last one last.
    let dedupe_key = format!("provision:{shop}:pixel:{now}:{}", crate::crypto::random_token(8));
    let job =
        Provision { connection: None, reason: Some(why.to_owned()) }.queued(shop, now, Some(dedupe_key));
    app.store.enqueue(&job).await?;
    app.jobs_waiting.notify_one();
    Ok(())
}
