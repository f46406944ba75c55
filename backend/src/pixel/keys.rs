//! Which public key may send for which shop, remembered for a few seconds either way: a busy
//! store's pixel would otherwise cost two database reads per batch, and a flood of made-up keys
//! one read per request. A new install works at once for a pair never refused; a revoked key or
//! an uninstalled shop stops within `REMEMBER_FOR`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::db::{DbError, Store};
use crate::recent::Recent;
use crate::shop_domain::ShopDomain;

const REMEMBER_FOR: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 100_000;

/// Key and shop pairs looked up lately, with the answer.
pub struct KnownKeys {
    answers: Recent<(String, ShopDomain), bool>,
    lookups: AtomicU64,
}

impl Default for KnownKeys {
    fn default() -> Self {
        Self { answers: Recent::new(REMEMBER_FOR, MAX_ENTRIES), lookups: AtomicU64::new(0) }
    }
}

impl KnownKeys {
    /// Whether `key` is the public key of the workspace that holds the active `shop`.
    pub async fn allows(&self, store: &Store, key: &str, shop: &ShopDomain) -> Result<bool, DbError> {
        let pair = (key.to_owned(), shop.clone());
        if let Some(allowed) = self.answers.get(&pair) {
            return Ok(allowed);
        }
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let allowed = match store.workspace_by_public_key(key).await? {
            Some(workspace) => store
                .shop(shop)
                .await?
                .is_some_and(|record| record.active && record.workspace_id == workspace.id),
            None => false,
        };
        self.answers.remember(pair, allowed);
        Ok(allowed)
    }

    /// How many times the database was asked, since start.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }
}
