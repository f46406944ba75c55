//! Evaluations a merchant asks for (a save, "evaluate all now"): inside the request in a small
//! store, as a job with progress in a large one, so that the request answers at once however many
//! customers the store has (docs/segments.md, "Saving in a large store").

use serde::{Deserialize, Serialize};

use super::membership::{self, Recomputed, parsed};
use super::{Recompute, push};
use crate::app::App;
use crate::clock::{UnixTime, unix_now};
use crate::db::DbError;
use crate::jobs::{Job, JobError};
use crate::shop_domain::ShopDomain;

/// Evaluates one saved version of a segment over every customer.
#[derive(Serialize, Deserialize)]
pub struct EvaluateSegment {
    slug: String,
    /// The save this evaluation is for; a later save makes this one moot.
    version: i64,
}

impl Job for EvaluateSegment {
    const KIND: &'static str = "segment_evaluate";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        let Some(segment) = app.store.segment(shop, &self.slug).await? else { return Ok(()) };
        if segment.deleted || segment.version != self.version {
            return Ok(());
        }
        let live = parsed(segment)
            .ok_or_else(|| JobError::Fatal(format!("`{}`'s rules do not parse", self.slug)))?;
        let now = unix_now();
        let segments = membership::with_includes(&app.store, shop, vec![live]).await?;
        let report = membership::evaluate_in_pages(&app.store, shop, segments, membership::PAGE, now).await?;
        // Dropped out (saved again) or gone: the newer save's evaluation pushes.
        if !report.is_empty() {
            push::push_now(app, shop, &self.slug, now).await?;
        }
        Ok(())
    }
}

/// Evaluates the segment just saved (created or changed) and queues its push when the store has
/// at most `inline_evaluation_customers`; otherwise queues an evaluation job and records it as under
/// way, at 0 of the store's customers, for the admin to follow.
pub async fn after_save(app: &App, shop: &ShopDomain, slug: &str, now: UnixTime) -> Result<(), DbError> {
    let customers = app.store.customer_count(shop).await?;
    if customers <= app.config.inline_evaluation_customers {
        membership::recompute(&app.store, shop, Some(slug), now).await?;
        return push::push_now(app, shop, slug, now).await;
    }
    queue(app, shop, slug, customers, now).await
}

/// Queues an evaluation of `slug`'s current version over the store's `customers` (one per
/// version), recorded as under way at 0 of them.
pub async fn queue(
    app: &App,
    shop: &ShopDomain,
    slug: &str,
    customers: i64,
    now: UnixTime,
) -> Result<(), DbError> {
    let Some(segment) = app.store.segment(shop, slug).await? else { return Ok(()) };
    app.store.record_evaluation_progress(shop, &[slug], 0, customers).await?;
    let job = EvaluateSegment { slug: slug.to_owned(), version: segment.version };
    app.store
        .enqueue_unless_pending(&job.queued(
            shop,
            now,
            Some(format!("evaluate:{shop}:{slug}:{}", segment.version)),
        ))
        .await?;
    app.jobs_waiting.notify_one();
    Ok(())
}

/// What "evaluate all now" did.
pub enum Recomputation {
    /// Evaluated inside the request: what changed.
    Done(Vec<Recomputed>),
    /// Queued: every live segment is under way, at 0 of `total` customers.
    Queued { total: i64 },
}

/// Evaluates every live segment now when the store has at most `inline_evaluation_customers`;
/// otherwise queues a full recompute (one at a time) and records every live segment as under way.
pub async fn recompute_now(app: &App, shop: &ShopDomain, now: UnixTime) -> Result<Recomputation, DbError> {
    let customers = app.store.customer_count(shop).await?;
    if customers <= app.config.inline_evaluation_customers {
        return Ok(Recomputation::Done(membership::recompute(&app.store, shop, None, now).await?));
    }
    let live = membership::live(&app.store, shop).await?;
    let slugs: Vec<&str> = live.iter().map(|segment| segment.slug.as_str()).collect();
    app.store.record_evaluation_progress(shop, &slugs, 0, customers).await?;
    let job = Recompute { nightly: None };
    app.store.enqueue_unless_pending(&job.queued(shop, now, Some(format!("recompute:{shop}")))).await?;
    app.jobs_waiting.notify_one();
    Ok(Recomputation::Queued { total: customers })
}
