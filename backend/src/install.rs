//! Installing Seglink into a store (docs/backend.md): the managed install with token exchange, the
//! authorization-code fallback, custom-app connections, connect links between workspaces, and
//! the provisioning that follows each of them.

pub mod connect_link;
pub mod custom_app;
pub mod managed;
pub mod oauth;
mod provision;
pub mod server_key;
pub mod view;
pub mod workspace;

pub use provision::{STEPS, create_automatic_discount, provision};

use serde_json::json;

use crate::app::App;
use crate::db::{Connection, DbError, NewJob, StoredTokens};
use crate::jobs::PROVISION_JOB;
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
    now: i64,
) -> Result<Connected, DbError> {
    let existing = app.store.shop(shop.as_str()).await?;
    let (workspace_id, new_server_key) = match (existing, into) {
        (_, Some(workspace)) => (workspace.to_owned(), None),
        (Some(record), None) => (record.workspace_id, None),
        (None, None) => {
            let (workspace, server_key) = workspace::create(&app.store, shop, now).await?;
            (workspace.id, Some(server_key))
        }
    };
    app.store.connect_shop(shop.as_str(), &workspace_id, connection, tokens, now).await?;
    let job = NewJob {
        kind: PROVISION_JOB,
        shop: shop.as_str().to_owned(),
        payload: json!({ "connection": format!("{connection:?}") }).to_string(),
        run_at: now,
        dedupe_key: Some(format!("provision:{}:{now}", shop.as_str())),
    };
    app.store.enqueue(&job).await?;
    app.jobs_waiting.notify_waiters();
    crate::log::info("store connected", &[("shop", shop.as_str()), ("workspace", &workspace_id)]);
    Ok(Connected { workspace_id, new_server_key })
}

/// Provisions a store's web pixel again (a moved workspace, a merchant's reconnect): its
/// settings carry the workspace's public key and the endpoint, written with every key.
pub async fn reprovision_pixel(app: &App, shop: &str, now: i64, why: &str) -> Result<(), DbError> {
    app.store.set_setup_step(shop, "web_pixel", "pending", Some(why), now).await?;
    let job = NewJob {
        kind: PROVISION_JOB,
        shop: shop.to_owned(),
        payload: json!({ "reason": why }).to_string(),
        run_at: now,
        // Each change is its own job: two in one second (a reconnect, then new settings) must
        // both be written, the last one last.
        dedupe_key: Some(format!("provision:{shop}:pixel:{now}:{}", crate::crypto::random_token(8))),
    };
    app.store.enqueue(&job).await?;
    app.jobs_waiting.notify_one();
    Ok(())
}
