//! One async lock per key (a shop, a segment), made on first use, so work on one key runs one
//! at a time in this process while other keys go on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The locks, by key.
#[derive(Default)]
pub struct KeyedLocks(Mutex<HashMap<String, Arc<AsyncMutex<()>>>>);

impl KeyedLocks {
    /// Waits for the lock of `key`; held until the guard drops.
    pub async fn lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock =
            self.0.lock().unwrap_or_else(PoisonError::into_inner).entry(key.to_owned()).or_default().clone();
        lock.lock_owned().await
    }
}
