//! Which public key may send for which shop, remembered for a few seconds: a busy store's pixel
//! would otherwise cost two database reads per batch. Only acceptances are remembered, so a new
//! install works at once; a revoked key or an uninstalled shop stops within `TRUST_FOR`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::db::{DbError, Store};

const TRUST_FOR: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 100_000;

/// Accepted key and shop pairs.
#[derive(Default)]
pub struct KnownKeys {
    accepted: Mutex<HashMap<(String, String), Instant>>,
}

impl KnownKeys {
    /// Whether `key` is the public key of the workspace that holds the active `shop`.
    pub async fn allows(&self, store: &Store, key: &str, shop: &str) -> Result<bool, DbError> {
        let pair = (key.to_owned(), shop.to_owned());
        let now = Instant::now();
        if self
            .accepted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&pair)
            .is_some_and(|at| now.duration_since(*at) < TRUST_FOR)
        {
            return Ok(true);
        }
        let Some(workspace) = store.workspace_by_public_key(key).await? else { return Ok(false) };
        let allowed = store
            .shop(shop)
            .await?
            .is_some_and(|record| record.active && record.workspace_id == workspace.id);
        if allowed {
            let mut accepted = self.accepted.lock().unwrap_or_else(PoisonError::into_inner);
            if accepted.len() >= MAX_ENTRIES {
                accepted.retain(|_, at| now.duration_since(*at) < TRUST_FOR);
            }
            accepted.insert(pair, now);
        }
        Ok(allowed)
    }
}
