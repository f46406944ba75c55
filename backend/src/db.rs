//! Storage on SQLite (the default, a file in WAL mode) or PostgreSQL, chosen by the
//! `DATABASE_URL` scheme. Every query is written once: both engines take `$1`-style parameters,
//! and `on_pool!` runs the same code against whichever pool is open. One method per use case,
//! grouped by feature in the submodules.

mod billing;
mod catalog;
mod customers;
mod events;
mod facts;
mod flow;
mod jobs;
mod lookup;
mod meta;
mod orders;
mod outbound;
mod policy;
mod privacy;
mod products;
mod rules;
mod segments;
mod shops;
mod states;
mod wal;
mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use billing::{PlanRow, TrialRow};
pub use catalog::{MetafieldRun, RunProgress};
pub use customers::CustomerRow;
pub use events::{CHECKOUT_COMPLETED, EventRow};
pub use facts::{FactsRow, Scope};
pub use flow::{FlowPending, LISTING_SCORE_DROPPED, SEGMENT_ENTERED, SEGMENT_LEFT};
pub use jobs::{ClaimedJob, MAX_ATTEMPTS, NewJob};
pub use lookup::PrefixedStore;
pub use meta::{MetaHealth, MetaPending, MetaSettings, NewMetaEvent};
pub use orders::{GuestOrderRow, OrderRow};
pub use outbound::{CatalogSettings, OutboundRow};
pub use policy::IngestionPolicy;
pub use privacy::{DEFAULT_STOREFRONT_EVENT_DAYS, PrivacyRequest};
pub use products::{ProductRow, Seo, StoredProduct, VariantRow};
pub use rules::{DiscountSync, RuleChange, StoredRule};
pub use segments::{ChangeRow, MemberRow, PageChanges, PushRow, SegmentRow};
pub use shops::{ConnectLink, Connection, PixelSettings, ShopRecord, StoredTokens, Workspace};
pub use states::{JobState, PushState, RunState, StepState, SyncState, UnknownState};
pub use webhooks::{Arriving, DeliveryHeaders, Recorded, WEBHOOK_JOB};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No row matches what the change names (a slug, an id).
    #[error("not found")]
    NotFound,
    /// The change collides with a row that exists (a taken slug) or has moved on (a used link).
    #[error("conflict")]
    Conflict,
    /// The database refused or could not be reached.
    #[error("database: {0}")]
    Other(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl DbError {
    /// The database could not be reached, stayed locked, or broke a lock conflict: the same
    /// request may well succeed a moment later (a caller answers 503, not 500).
    pub fn is_unavailable(&self) -> bool {
        let Self::Other(error) = self else { return false };
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(error) => {
                let code = error.code().unwrap_or_default();
                if error.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    // Extended codes keep the primary one (5 busy, 6 locked) in their low byte.
                    code.parse::<u32>().is_ok_and(|code| matches!(code & 0xff, 5 | 6))
                } else {
                    // Connection exceptions (class 08), a server shutting down or starting
                    // (57P01–03), too many connections (53300), a lock not granted in time (55P03),
                    // a deadlock or serialization conflict the server broke (40P01, 40001).
                    code.starts_with("08")
                        || matches!(
                            &*code,
                            "57P01" | "57P02" | "57P03" | "53300" | "55P03" | "40P01" | "40001"
                        )
                }
            }
            _ => false,
        }
    }
}

impl DbError {
    /// PostgreSQL broke a deadlock by failing this statement; run again, it meets the other
    /// transaction's rows committed.
    pub fn is_deadlock(&self) -> bool {
        matches!(self, Self::Other(sqlx::Error::Database(error)) if error.code().as_deref() == Some("40P01"))
    }
}

/// What a change that must touch exactly one row did: `Ok` when it did, else `otherwise`.
fn one_row(rows_affected: u64, otherwise: DbError) -> Result<(), DbError> {
    if rows_affected == 1 { Ok(()) } else { Err(otherwise) }
}

/// An open database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the open pool, whichever engine it is: the same query
/// text compiles against both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}
use on_pool;

impl Store {
    /// Opens the database `url` names and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // A server that is down fails a request after seconds, not the default half minute:
            // callers answer 503 and the sender retries.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Pool::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // With WAL, NORMAL loses no committed transaction when the process dies; only an
                // operating-system crash can lose the last ones.
                .synchronous(SqliteSynchronous::Normal)
                // `wal::checkpoint_continually` copies the log back; this is its backstop.
                .pragma("wal_autocheckpoint", wal::AUTOCHECKPOINT_PAGES)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // A connection to a local file has nothing on a server to renew: recycling it
                // every half hour (sqlx's default) only rebuilds its caches on a new thread, and a
                // 40-minute soak's memory rose again from its 30th minute (docs/benchmarks.md).
                .max_lifetime(None)
                // A local file needs no liveness check before each use; skipping it saves a round
                // trip to the connection's thread on every query.
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            Pool::Sqlite(pool)
        };
        Ok(Self { pool })
    }

    /// Whether this is PostgreSQL, where several replicas may share the job table.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), DbError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}
