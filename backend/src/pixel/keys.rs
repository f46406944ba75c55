//! Which public key may send for which shop, remembered for a few seconds either way: a busy
//! store's pixel would otherwise cost two database reads per batch, and a flood of made-up keys
//! one read per request. A new install works at once for a pair never refused; a revoked key or
//! an uninstalled shop stops within `REMEMBER_FOR`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::db::{DbError, Store};
use crate::shop_domain::ShopDomain;

const REMEMBER_FOR: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 100_000;

/// Key and shop pairs looked up lately, with the answer.
#[derive(Default)]
pub struct KnownKeys {
    answers: Mutex<HashMap<(String, ShopDomain), (bool, Instant)>>,
    lookups: AtomicU64,
}

impl KnownKeys {
    /// Whether `key` is the public key of the workspace that holds the active `shop`.
    pub async fn allows(&self, store: &Store, key: &str, shop: &ShopDomain) -> Result<bool, DbError> {
        let pair = (key.to_owned(), shop.clone());
        let now = Instant::now();
        let remembered = self
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&pair)
            .filter(|(_, at)| now.duration_since(*at) < REMEMBER_FOR)
            .map(|(allowed, _)| *allowed);
        if let Some(allowed) = remembered {
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
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        if answers.len() >= MAX_ENTRIES {
            answers.retain(|_, (_, at)| now.duration_since(*at) < REMEMBER_FOR);
        }
        if answers.len() < MAX_ENTRIES {
            answers.insert(pair, (allowed, now));
        }
        Ok(allowed)
    }

    /// How many times the database was asked, since start.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }
}
