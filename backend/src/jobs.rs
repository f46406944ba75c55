//! Background workers: they claim due jobs from the job table, run them, and mark them done, or
//! retry them with exponential backoff, or after `MAX_ATTEMPTS` leave them dead for a person to
//! see. Jobs must be idempotent: a worker that dies mid-job leaves it to run again.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::FutureExt as _;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::{App, AppState};
use crate::clock::{UnixTime, unix_now};
use crate::db::{ClaimedJob, DbError, NewJob, Store};
use crate::shop_domain::ShopDomain;
use crate::shopify::admin::ShopifyError;

/// A kind of background work: its name in the job table, its typed payload, and how it runs.
/// `dispatch` below is the one place a kind meets its code.
pub trait Job: Serialize + DeserializeOwned + Send {
    /// The job table's `kind`.
    const KIND: &'static str;

    /// Does the work for `shop`. Idempotent: a worker that dies mid-job leaves it to run again.
    fn run(self, app: &App, shop: &ShopDomain) -> impl Future<Output = Result<(), JobError>> + Send;

    /// The row that queues this job for `shop`, due at `run_at`; enqueueing a `dedupe_key` that
    /// is already queued makes no second job.
    fn queued(&self, shop: &ShopDomain, run_at: UnixTime, dedupe_key: Option<String>) -> NewJob {
        // A payload is a struct of strings, numbers and options, all of which JSON represents:
        // serialising one cannot fail.
        let payload = serde_json::to_string(self).expect("a job payload is plain data");
        NewJob { kind: Self::KIND, shop: shop.to_owned(), payload, run_at, dedupe_key }
    }
}

pub use crate::db::MAX_ATTEMPTS;
/// Jobs claimed at a time.
const BATCH: i64 = 32;
/// How often an idle worker looks for jobs another replica enqueued or that came due.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (the database or Shopify was unavailable).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (a malformed payload): dead at once.
    #[error("{0}")]
    Fatal(String),
}

impl From<DbError> for JobError {
    fn from(error: DbError) -> Self {
        Self::Retry(error.to_string())
    }
}

impl From<ShopifyError> for JobError {
    fn from(error: ShopifyError) -> Self {
        match error {
            ShopifyError::NotConnected(_) | ShopifyError::Refused(_) => Self::Fatal(error.to_string()),
            other => Self::Retry(other.to_string()),
        }
    }
}

/// When attempt `attempts` failed, the next one runs this many seconds later: 10 s doubling,
/// at most an hour.
pub fn backoff_seconds(attempts: i64) -> i64 {
    (10_i64 << attempts.clamp(1, 20).saturating_sub(1)).min(3_600)
}

/// How many workers this process should have and has: `/health` reports the difference.
#[derive(Debug, Default)]
pub struct WorkerCount {
    expected: AtomicUsize,
    running: AtomicUsize,
}

impl WorkerCount {
    /// Workers started and not ended.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Workers this process was started with.
    pub fn expected(&self) -> usize {
        self.expected.load(Ordering::SeqCst)
    }

    /// Says how many workers this process should have.
    pub fn expect(&self, count: usize) {
        self.expected.store(count, Ordering::SeqCst);
    }
}

/// Counts a worker as running until it is dropped, however it ends (returns, panics, aborts).
struct Running(AppState);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.workers.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts one worker, counted as running from now.
pub fn spawn_worker(app: AppState) -> tokio::task::JoinHandle<()> {
    app.workers.running.fetch_add(1, Ordering::SeqCst);
    let running = Running(app);
    tokio::spawn(async move {
        let running = running;
        run_worker(&running.0).await;
    })
}

/// Keeps `count` workers running: a worker that ends (nothing in a job can end one, but a bug
/// elsewhere might) is logged and replaced.
pub async fn supervise(app: AppState, count: usize) {
    app.workers.expect(count);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..count {
        workers.spawn(spawn_worker(app.clone()));
    }
    while let Some(ended) = workers.join_next().await {
        let reason = match ended {
            Ok(Err(error)) | Err(error) => error.to_string(),
            Ok(Ok(())) => "it returned".to_owned(),
        };
        crate::log::error("a worker ended; starting another", &[("error", &reason)]);
        tokio::time::sleep(IDLE_POLL).await;
        workers.spawn(spawn_worker(app.clone()));
    }
}

async fn run_worker(app: &App) {
    loop {
        let ran = run_due(app).await;
        if ran == 0 {
            // Woken early by a local enqueue; otherwise poll for other replicas' work.
            let _ = tokio::time::timeout(IDLE_POLL, app.jobs_waiting.notified()).await;
        }
    }
}

/// Claims and runs one batch of due jobs; how many ran.
pub async fn run_due(app: &App) -> usize {
    run_due_at(app, unix_now()).await
}

/// Claims and runs one batch of jobs due at `now`, which a test may set ahead of the clock.
pub async fn run_due_at(app: &App, now: UnixTime) -> usize {
    let jobs = match app.store.claim_jobs(now, app.config.job_lease_secs, BATCH).await {
        Ok(jobs) => jobs,
        Err(error) => {
            crate::log::error("claiming jobs failed", &[("error", &error.to_string())]);
            return 0;
        }
    };
    let count = jobs.len();
    let claims: Vec<(i64, i64)> = jobs.iter().map(|job| (job.id, job.attempts)).collect();
    let run_all = async {
        for job in jobs {
            run_one(app, job).await;
        }
    };
    tokio::select! {
        () = run_all => {}
        () = renew_leases(app, &claims) => {}
    }
    count
}

/// Renews the batch's leases every third of a lease for as long as it runs; a finished job is
/// no longer `running`, so its row is left alone.
async fn renew_leases(app: &App, claims: &[(i64, i64)]) {
    let lease = app.config.job_lease_secs;
    let period = Duration::from_secs(u64::try_from(lease / 3).unwrap_or(1).max(1));
    loop {
        tokio::time::sleep(period).await;
        if let Err(error) = app.store.renew_leases(claims, unix_now() + lease).await {
            crate::log::error("renewing job leases failed", &[("error", &error.to_string())]);
        }
    }
}

/// Runs due jobs until none is left; for tests and the demo.
pub async fn drain(app: &App) -> usize {
    drain_ahead(app, 0).await
}

/// Runs jobs until none is left that falls due within `seconds` from now: work queued to run a
/// little later (a coalesced push) runs at once.
pub async fn drain_ahead(app: &App, seconds: i64) -> usize {
    let mut total = 0;
    loop {
        let ran = run_due_at(app, unix_now() + seconds).await;
        if ran == 0 {
            return total;
        }
        total += ran;
    }
}

async fn run_one(app: &App, job: ClaimedJob) {
    let now = unix_now();
    let outcome = caught(dispatch(app, &job)).await;
    record_outcome(&app.store, &job, outcome, now).await;
}

/// A job's outcome, a panic in it made that job's failed attempt rather than its worker's end:
/// the attempt is counted, and the job is dead after the last (docs/backend.md).
async fn caught(job: impl Future<Output = Result<(), JobError>>) -> Result<(), JobError> {
    AssertUnwindSafe(job).catch_unwind().await.unwrap_or_else(|panic| {
        Err(JobError::Retry(format!("the job panicked: {}", panic_message(panic.as_ref()))))
    })
}

/// What a panic said, when it said it in words.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

async fn dispatch(app: &App, job: &ClaimedJob) -> Result<(), JobError> {
    use crate::backfill::Backfill;
    use crate::catalog::WriteProductMetafields;
    use crate::catalog::outbound::PushProduct;
    use crate::discounts::WriteDiscountRules;
    use crate::install::Provision;
    use crate::segments::{EvaluateSegment, PushTags, Recompute, ReconcileTags};
    use crate::webhooks::process::{ProcessWebhook, ReleaseOrder};
    match job.kind.as_str() {
        ProcessWebhook::KIND => run::<ProcessWebhook>(app, job).await,
        ReleaseOrder::KIND => run::<ReleaseOrder>(app, job).await,
        Provision::KIND => run::<Provision>(app, job).await,
        Backfill::KIND => run::<Backfill>(app, job).await,
        PushTags::KIND => run::<PushTags>(app, job).await,
        ReconcileTags::KIND => run::<ReconcileTags>(app, job).await,
        Recompute::KIND => run::<Recompute>(app, job).await,
        EvaluateSegment::KIND => run::<EvaluateSegment>(app, job).await,
        WriteDiscountRules::KIND => run::<WriteDiscountRules>(app, job).await,
        WriteProductMetafields::KIND => run::<WriteProductMetafields>(app, job).await,
        PushProduct::KIND => run::<PushProduct>(app, job).await,
        crate::flow::FireTriggers::KIND => run::<crate::flow::FireTriggers>(app, job).await,
        crate::billing::SyncPlan::KIND => run::<crate::billing::SyncPlan>(app, job).await,
        crate::meta::Forward::KIND => run::<crate::meta::Forward>(app, job).await,
        other => Err(JobError::Fatal(format!("no worker runs `{other}` jobs"))),
    }
}

/// Reads a claimed job's payload as `J` and runs it; a payload that does not read is dead.
async fn run<J: Job>(app: &App, job: &ClaimedJob) -> Result<(), JobError> {
    let payload: J = serde_json::from_str(&job.payload)
        .map_err(|error| JobError::Fatal(format!("a `{}` job's payload: {error}", J::KIND)))?;
    payload.run(app, &job.shop).await
}

async fn record_outcome(store: &Store, job: &ClaimedJob, outcome: Result<(), JobError>, now: UnixTime) {
    let recorded = match outcome {
        Ok(()) => store.complete_job(job.id, unix_now()).await,
        Err(JobError::Retry(reason)) if job.attempts < MAX_ATTEMPTS => {
            crate::log::warn(
                "job failed; retrying",
                &[("kind", &job.kind), ("shop", job.shop.as_str()), ("error", &reason)],
            );
            store.fail_job(job.id, &reason, Some(now + backoff_seconds(job.attempts)), now).await
        }
        Err(error) => {
            let reason = error.to_string();
            crate::log::error(
                "job is dead",
                &[("kind", &job.kind), ("shop", job.shop.as_str()), ("error", &reason)],
            );
            store.fail_job(job.id, &reason, None, now).await
        }
    };
    if let Err(error) = recorded {
        // The lease runs out and the job runs again; handlers are idempotent.
        crate::log::error("recording a job's outcome failed", &[("error", &error.to_string())]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_is_a_failed_attempt() {
        let overflow = async {
            let orders: Vec<i64> = vec![i64::MAX, 1];
            let total: i64 = orders.iter().sum();
            Err(JobError::Retry(format!("unreachable: {total}")))
        };
        match caught(overflow).await {
            Err(JobError::Retry(reason)) => assert!(reason.starts_with("the job panicked: "), "{reason}"),
            other => panic!("{other:?}"),
        }
        let fine = async { Ok(()) };
        assert!(caught(fine).await.is_ok());
    }

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        assert_eq!(backoff_seconds(1), 10);
        assert_eq!(backoff_seconds(2), 20);
        assert_eq!(backoff_seconds(5), 160);
        assert_eq!(backoff_seconds(30), 3_600);
        assert_eq!(backoff_seconds(-3), 10);
    }
}
