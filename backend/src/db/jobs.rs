//! The job table: background work that survives restarts. A worker claims due jobs for a lease;
//! if it dies, the lease runs out and another worker takes the job again. On PostgreSQL the claim
//! skips rows another replica holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time,
//! so its claim is atomic as it stands.

use super::JobState;
use super::{DbError, Store, on_pool};
use crate::clock::UnixTime;
use crate::shop_domain::ShopDomain;

/// Work to be done.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// What to run.
    pub kind: &'static str,
    /// Whose work it is.
    pub shop: ShopDomain,
    /// The job's own input, JSON.
    pub payload: String,
    /// Not before (Unix seconds).
    pub run_at: UnixTime,
    /// Enqueueing the same key twice makes one job.
    pub dedupe_key: Option<String>,
}

/// A job a worker holds.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedJob {
    /// Its row.
    pub id: i64,
    /// What to run.
    pub kind: String,
    /// Whose work it is.
    pub shop: ShopDomain,
    /// Its input.
    pub payload: String,
    /// Including this one.
    pub attempts: i64,
}

/// A job gives up after this many attempts. A claim is an attempt, so a job whose worker died
/// (a crash, a kill, a panic that took the process down) uses one up when its lease runs out.
pub const MAX_ATTEMPTS: i64 = 8;

const CLAIM_CANDIDATES: &str = "SELECT id FROM jobs
     WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until <= $1 AND attempts < $4)
     ORDER BY run_at, id LIMIT $3";

impl Store {
    /// Adds a job; `false` when its dedupe key is taken.
    pub async fn enqueue(&self, job: &NewJob) -> Result<bool, DbError> {
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO jobs (kind, shop, payload, run_at, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $4)
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(job.kind)
            .bind(&job.shop)
            .bind(&job.payload)
            .bind(job.run_at)
            .bind(&job.dedupe_key)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Adds a job unless one with its dedupe key is still to run: a finished one (done or dead)
    /// gives its key up, so work asked for again after it ran runs again. `false` when one is
    /// queued or running.
    pub async fn enqueue_unless_pending(&self, job: &NewJob) -> Result<bool, DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET dedupe_key = NULL WHERE dedupe_key = $1 AND state IN ('done', 'dead')")
                .bind(&job.dedupe_key)
                .execute(pool)
                .await?;
        });
        self.enqueue(job).await
    }

    /// Keeps a worker's claim on jobs still running past their first lease: a long job (a full
    /// evaluation of a large store) is not taken by a second worker while the first works on it.
    pub async fn renew_leases(&self, jobs: &[(i64, i64)], until: UnixTime) -> Result<(), DbError> {
        on_pool!(self, pool => {
            for (id, attempts) in jobs {
                // The attempt count names this claim: a job another worker took since is not ours.
                sqlx::query("UPDATE jobs SET locked_until = $2 WHERE id = $1 AND attempts = $3 AND state = 'running'")
                    .bind(id)
                    .bind(until)
                    .bind(attempts)
                    .execute(pool)
                    .await?;
            }
        });
        Ok(())
    }

    /// Claims up to `limit` due jobs until `now + lease_seconds`. A job whose lease ran out
    /// with no attempt left is buried instead: whatever it does kills its worker, and taking it
    /// again would kill the next one, after every restart.
    pub async fn claim_jobs(
        &self,
        now: UnixTime,
        lease_seconds: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>, DbError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE jobs SET state = 'dead', locked_until = NULL, finished_at = $1,
                     last_error = 'its worker stopped before it finished, on every attempt'
                 WHERE state = 'running' AND locked_until <= $1 AND attempts >= $2",
            )
            .bind(now)
            .bind(MAX_ATTEMPTS)
            .execute(pool)
            .await?;
        });
        let claim = |lock: &str| {
            format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1 + $2
                 WHERE id IN ({CLAIM_CANDIDATES}{lock}) RETURNING id, kind, shop, payload, attempts"
            )
        };
        let sql = claim(if self.is_postgres() { " FOR UPDATE SKIP LOCKED" } else { "" });
        let mut jobs: Vec<ClaimedJob> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(now).bind(lease_seconds).bind(limit).bind(MAX_ATTEMPTS).fetch_all(pool).await?
        });
        jobs.sort_by_key(|job| job.id);
        Ok(jobs)
    }

    /// Marks a job finished.
    pub async fn complete_job(&self, id: i64, now: UnixTime) -> Result<(), DbError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = $2, last_error = NULL WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Puts a failed job back to run at `run_at`, or buries it (`Dead`) when `run_at` is `None`.
    pub async fn fail_job(
        &self,
        id: i64,
        error: &str,
        run_at: Option<UnixTime>,
        now: UnixTime,
    ) -> Result<(), DbError> {
        let (state, run_at, finished_at) = match run_at {
            Some(run_at) => (JobState::Queued, run_at, None),
            None => (JobState::Dead, now, Some(now)),
        };
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE jobs SET state = $2, run_at = $3, locked_until = NULL, last_error = $4, finished_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(state)
            .bind(run_at)
            .bind(error)
            .bind(finished_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// How many jobs of `kind` (any kind when `None`) are in `state`.
    pub async fn job_count(&self, kind: Option<&str>, state: JobState) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = $1 AND (CAST($2 AS TEXT) IS NULL OR kind = $2)")
                .bind(state)
                .bind(kind)
                .fetch_one(pool)
                .await?
        }))
    }

    /// How many of a shop's jobs wait to be tried again after a failure.
    pub async fn retrying_jobs(&self, shop: &ShopDomain) -> Result<i64, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE shop = $1 AND state = 'queued' AND last_error IS NOT NULL")
                .bind(shop)
                .fetch_one(pool)
                .await?
        }))
    }

    /// The last error of each dead job of a shop, oldest first.
    pub async fn dead_jobs(&self, shop: &ShopDomain) -> Result<Vec<(String, String)>, DbError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT kind, COALESCE(last_error, '') FROM jobs WHERE shop = $1 AND state = 'dead' ORDER BY id")
                .bind(shop)
                .fetch_all(pool)
                .await?
        }))
    }
}
