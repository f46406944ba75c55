//! SQLite's write-ahead log, copied back into the database off the writer's path.
//!
//! Left to itself SQLite checkpoints inside the commit that crosses the log's threshold, so one
//! request in every few hundred waits while pages are copied and the file is synced. A task on
//! another connection (another thread, the other core) checkpoints instead, without blocking
//! anyone (`PASSIVE`; `startup::checkpoint_continually`); the threshold stays, far higher, as a
//! bound should that task fall behind.

use super::{DbError, Pool, Store};

/// Log pages (4 KiB each) after which a commit checkpoints by itself: 64 MiB.
pub(super) const AUTOCHECKPOINT_PAGES: &str = "16384";

impl Store {
    /// Copies what the log holds into the database as far as readers allow, blocking no one.
    /// Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), DbError> {
        if let Pool::Sqlite(pool) = &self.pool {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await?;
        }
        Ok(())
    }
}
