//! Tag push-back (docs/segments.md): Shopify gets `seglink:<slug>` added on customers who entered a
//! segment and removed from those who left, and nothing else. `segment_tagged` records what
//! Shopify holds after every call, so it is the checkpoint: a push that dies (a crash, a storm of
//! 5xx) resumes with exactly the calls still missing, and unchanged customers cost no call.
//! Calls are paced by the bucket Shopify reports (`shopify::admin`). Large diffs go through one
//! bulk mutation per side; if Shopify refuses one, the push falls back to per-customer calls.

use std::collections::BTreeSet;

use aes_gcm::aead::OsRng;
use aes_gcm::aead::rand_core::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{DbError, NewJob, PushRow, PushState, Store};
use crate::jobs::{Job, JobError};
use crate::shopify::bulk_query::{self, Progress};
use crate::shopify::operations::{
    AddTags, RemoveTags, StageUpload, StartBulkMutation, add_tags, remove_tags, stage_upload,
    start_bulk_mutation,
};
use crate::shopify::{ShopDomain, gid};

/// A diff at least this large goes through bulk mutations.
pub const BULK_MIN: usize = 250;
/// How long to wait before looking at a running bulk mutation again.
const POLL_SECS: i64 = 2;
/// Progress is saved every this many calls.
const PROGRESS_EVERY: i64 = 50;

/// Pushes a segment's tags: its input.
#[derive(Serialize, Deserialize)]
pub struct PushTags {
    slug: String,
    /// Set after Shopify refused a bulk mutation: this push makes one call per customer.
    #[serde(default)]
    per_customer: bool,
}

/// A running bulk mutation: its operation, whether it adds, and the customers of its lines.
#[derive(Serialize, Deserialize)]
struct RunningBulk {
    operation: String,
    adding: bool,
    customers: Vec<String>,
}

/// Takes a customer out of every running bulk push of a shop (their redaction): the push then
/// records nothing about them when it finishes.
pub async fn forget_customer(
    store: &crate::db::Store,
    shop: &ShopDomain,
    customer_id: &str,
) -> Result<(), DbError> {
    for (slug, bulk) in store.running_bulk_pushes(shop).await? {
        let Ok(mut running) = serde_json::from_str::<RunningBulk>(&bulk) else { continue };
        if !running.customers.iter().any(|customer| customer == customer_id) {
            continue;
        }
        // Blanked, not removed: the bulk result names lines by their position.
        for customer in running.customers.iter_mut().filter(|customer| *customer == customer_id) {
            customer.clear();
        }
        let replaced = serde_json::to_string(&running).unwrap_or_default();
        // A push that finished meanwhile no longer holds the list: nothing to forget there.
        store.replace_push_bulk(shop, &slug, &bulk, &replaced).await?;
    }
    Ok(())
}

impl Job for PushTags {
    const KIND: &'static str = "segment_push";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        run(app, shop, self).await
    }
}

fn job(
    shop: &ShopDomain,
    slug: &str,
    per_customer: bool,
    run_at: UnixTime,
    dedupe_key: Option<String>,
) -> NewJob {
    PushTags { slug: slug.to_owned(), per_customer }.queued(shop, run_at, dedupe_key)
}

/// Queues a push to run at once, unless one is pending already. Changes that come while a push
/// waits for a worker join it, and changes during a push queue the next: a burst shares pushes
/// without anyone waiting for a window to close (docs/benchmarks.md, "Freshness").
pub async fn queue(
    store: &crate::db::Store,
    shop: &ShopDomain,
    slug: &str,
    now: UnixTime,
) -> Result<(), DbError> {
    if store.mark_push_pending(shop, slug, now).await? {
        store.enqueue(&job(shop, slug, false, now, None)).await?;
    }
    Ok(())
}

/// Queues a push to run at once ("push now").
pub async fn push_now(app: &App, shop: &ShopDomain, slug: &str, now: UnixTime) -> Result<(), DbError> {
    app.store.enqueue(&job(shop, slug, false, now, None)).await?;
    let mut state = app.store.push_state(shop, slug).await?.unwrap_or_default();
    state.state = PushState::Queued;
    state.updated_at = now;
    app.store.set_push_state(shop, slug, &state).await?;
    app.jobs_waiting.notify_one();
    Ok(())
}

/// Runs a push job.
async fn run(app: &App, shop: &ShopDomain, push: PushTags) -> Result<(), JobError> {
    // Two pushes of one segment at once would act on the same checkpoint: one at a time in this
    // process, and across replicas by a lease in the database.
    let _held = app.locks.lock(&format!("push:{shop}:{}", push.slug)).await;
    let lease = Lease { holder: format!("{:016x}", OsRng.next_u64()), seconds: app.config.job_lease_secs };
    let now = crate::clock::unix_now();
    if !app.store.lease_push(shop, &push.slug, &lease.holder, now, now + lease.seconds).await? {
        // Another replica is pushing this segment: look again once its lease may have run out.
        app.store
            .enqueue(&job(shop, &push.slug, push.per_customer, now + lease.seconds.min(10), None))
            .await?;
        return Ok(());
    }
    let outcome = run_leased(app, shop, &push, &lease).await;
    app.store.release_push(shop, &push.slug).await?;
    outcome
}

/// The push's lease: who holds it, and for how long each renewal is.
struct Lease {
    holder: String,
    seconds: i64,
}

impl Lease {
    /// Renews the lease; a push that lost it (it ran out, and another replica took it) stops.
    async fn renew(&self, store: &Store, shop: &ShopDomain, slug: &str) -> Result<(), JobError> {
        let now = crate::clock::unix_now();
        if store.lease_push(shop, slug, &self.holder, now, now + self.seconds).await? {
            Ok(())
        } else {
            Err(JobError::Retry("another push of this segment took over".to_owned()))
        }
    }
}

async fn run_leased(app: &App, shop: &ShopDomain, push: &PushTags, lease: &Lease) -> Result<(), JobError> {
    // Changes from here on are not in this push's diff: they queue the next.
    app.store.take_push_pending(shop, &push.slug).await?;
    let Some(segment) = app.store.segment(shop, &push.slug).await? else { return Ok(()) };
    let now = crate::clock::unix_now();
    let mut state = app.store.push_state(shop, &push.slug).await?.unwrap_or_default();
    if segment.suggested && !segment.deleted {
        // Nothing reaches Shopify for a segment the merchant has not taken up.
        state.state = PushState::Waiting;
        state.detail = Some("a suggestion: save it to push its tags".to_owned());
        state.updated_at = now;
        app.store.set_push_state(shop, &push.slug, &state).await?;
        return Ok(());
    }
    if let Some(running) = state.bulk.as_deref() {
        let running: RunningBulk = serde_json::from_str(running)
            .map_err(|error| JobError::Fatal(format!("bad bulk state: {error}")))?;
        return follow_bulk(app, shop, &push.slug, running, state, now).await;
    }
    let members: BTreeSet<String> = app.store.member_ids(shop, &push.slug).await?.into_iter().collect();
    let tagged: BTreeSet<String> = app.store.tagged_ids(shop, &push.slug).await?.into_iter().collect();
    let diff = segment_rules::push::Diff::between(&tagged, &members);
    // A push that follows its own bulk mutation keeps counting; any other with work to do starts
    // afresh, and one without keeps reporting the last that had.
    if state.state != PushState::Running && !diff.is_empty() {
        state = PushRow { added: 0, removed: 0, calls: 0, ..state };
    }
    state = PushRow { state: PushState::Running, detail: None, updated_at: now, ..state };
    app.store.set_push_state(shop, &push.slug, &state).await?;
    if diff.entered.len() + diff.left.len() >= BULK_MIN && !push.per_customer {
        match start_bulk(app, shop, &push.slug, &diff).await {
            Ok(started) => {
                state.calls += started.calls;
                state.bulk = Some(serde_json::to_string(&started.running).unwrap_or_default());
                state.detail = Some(format!("bulk mutation of {} changes", started.running.customers.len()));
                app.store.set_push_state(shop, &push.slug, &state).await?;
                app.store.enqueue(&job(shop, &push.slug, false, now + POLL_SECS, None)).await?;
                return Ok(());
            }
            Err(reason) => crate::log::warn(
                "bulk tag push refused; pushing per customer",
                &[("shop", shop.as_str()), ("segment", &push.slug), ("reason", &reason)],
            ),
        }
    }
    let outcome = per_customer(app, shop, &push.slug, &diff, &mut state, lease).await;
    finish(app, shop, &segment, &mut state, outcome).await
}

/// Records how a push ended; a deleted segment whose tags are all gone is forgotten.
async fn finish(
    app: &App,
    shop: &ShopDomain,
    segment: &crate::db::SegmentRow,
    state: &mut PushRow,
    outcome: Result<(), JobError>,
) -> Result<(), JobError> {
    let now = crate::clock::unix_now();
    state.updated_at = now;
    if let Err(error) = outcome {
        state.state = PushState::Failed;
        state.detail = Some(error.to_string());
        app.store.set_push_state(shop, &segment.slug, state).await?;
        return Err(error);
    }
    if segment.deleted && app.store.tagged_ids(shop, &segment.slug).await?.is_empty() {
        app.store.forget_segment(shop, &segment.slug).await?;
        return Ok(());
    }
    let native = if segment.native { super::native::sync(app, shop, segment).await } else { Ok(None) };
    state.state = PushState::Done;
    state.detail = match native {
        Ok(detail) => detail,
        Err(error) => Some(format!("tags pushed; the Shopify segment was not saved: {error}")),
    };
    app.store.set_push_state(shop, &segment.slug, state).await?;
    Ok(())
}

/// Whether a user error says the customer no longer exists: nothing left to tag.
fn customer_gone(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("not exist") || message.contains("not found")
}

/// One `tagsAdd` or `tagsRemove` per changed customer, each recorded as it succeeds.
async fn per_customer(
    app: &App,
    shop: &ShopDomain,
    slug: &str,
    diff: &segment_rules::push::Diff,
    state: &mut PushRow,
    lease: &Lease,
) -> Result<(), JobError> {
    let tag = discount_rules::segment_tag(slug);
    for (customers, adding) in [(&diff.entered, true), (&diff.left, false)] {
        for customer in customers {
            let id = gid::customer(customer);
            let errors: Vec<String> = if adding {
                let variables = add_tags::Variables { id, tags: vec![tag.clone()] };
                let data = app.shopify.run_repeatable::<AddTags>(shop, variables).await?;
                data.tags_add
                    .map(|payload| payload.user_errors)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| e.message)
                    .collect()
            } else {
                let variables = remove_tags::Variables { id, tags: vec![tag.clone()] };
                let data = app.shopify.run_repeatable::<RemoveTags>(shop, variables).await?;
                data.tags_remove
                    .map(|payload| payload.user_errors)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| e.message)
                    .collect()
            };
            state.calls += 1;
            match errors.first() {
                None => {
                    app.store.mark_tagged(shop, slug, std::slice::from_ref(customer), adding).await?;
                    if adding { state.added += 1 } else { state.removed += 1 }
                }
                // A deleted customer carries no tag; the next evaluation lets them leave.
                Some(message) if customer_gone(message) => {
                    app.store.mark_tagged(shop, slug, std::slice::from_ref(customer), false).await?;
                }
                Some(message) => return Err(JobError::Retry(format!("customer {customer}: {message}"))),
            }
            if state.calls % PROGRESS_EVERY == 0 {
                state.updated_at = crate::clock::unix_now();
                app.store.set_push_state(shop, slug, state).await?;
                lease.renew(&app.store, shop, slug).await?;
            }
        }
    }
    Ok(())
}

struct Started {
    running: RunningBulk,
    calls: i64,
}

/// Stages the larger side of the diff as JSONL and starts one bulk mutation for it; the other
/// side follows in the next push. `Err` says why Shopify would not take it.
async fn start_bulk(
    app: &App,
    shop: &ShopDomain,
    slug: &str,
    diff: &segment_rules::push::Diff,
) -> Result<Started, String> {
    let adding = diff.entered.len() >= diff.left.len();
    let customers = if adding { diff.entered.clone() } else { diff.left.clone() };
    let tag = discount_rules::segment_tag(slug);
    let mut file = Vec::with_capacity(customers.len() * 64);
    for customer in &customers {
        file.extend_from_slice(
            json!({ "id": gid::customer(customer), "tags": [tag] }).to_string().as_bytes(),
        );
        file.push(b'\n');
    }
    let input = stage_upload::StagedUploadInput {
        resource: stage_upload::StagedUploadTargetGenerateUploadResource::BULK_MUTATION_VARIABLES,
        filename: "seglink-tags.jsonl".to_owned(),
        mime_type: "text/jsonl".to_owned(),
        http_method: Some(stage_upload::StagedUploadHttpMethodType::POST),
        file_size: Some(file.len().to_string()),
    };
    let staged = app
        .shopify
        .run::<StageUpload>(shop, stage_upload::Variables { input: vec![input] })
        .await
        .map_err(|error| error.to_string())?
        .staged_uploads_create
        .ok_or("stagedUploadsCreate answered nothing")?;
    if let Some(error) = staged.user_errors.first() {
        return Err(error.message.clone());
    }
    let target = staged.staged_targets.unwrap_or_default().into_iter().next().ok_or("no staged target")?;
    let url = target.url.ok_or("the staged target has no URL")?;
    let fields: Vec<(String, String)> =
        target.parameters.into_iter().map(|parameter| (parameter.name, parameter.value)).collect();
    let path =
        fields.iter().find(|(name, _)| name == "key").map(|(_, value)| value.clone()).ok_or("no key")?;
    crate::shopify::storage::upload(&app.shopify, &url, &fields, file)
        .await
        .map_err(|error| error.to_string())?;
    let field = if adding { "tagsAdd" } else { "tagsRemove" };
    let mutation = format!(
        "mutation($id: ID!, $tags: [String!]!) {{ {field}(id: $id, tags: $tags) {{ userErrors {{ message }} }} }}"
    );
    let variables = start_bulk_mutation::Variables { mutation, staged_upload_path: path };
    let started = app
        .shopify
        .run::<StartBulkMutation>(shop, variables)
        .await
        .map_err(|error| error.to_string())?
        .bulk_operation_run_mutation
        .ok_or("bulkOperationRunMutation answered nothing")?;
    if let Some(error) = started.user_errors.first() {
        return Err(error.message.clone());
    }
    let operation = started.bulk_operation.ok_or("no bulk operation")?.id;
    Ok(Started { running: RunningBulk { operation, adding, customers }, calls: 2 })
}

/// Looks at a running bulk mutation; once it is over, records the lines that succeeded and
/// queues the next push for whatever is left.
async fn follow_bulk(
    app: &App,
    shop: &ShopDomain,
    slug: &str,
    running: RunningBulk,
    mut state: PushRow,
    now: UnixTime,
) -> Result<(), JobError> {
    state.calls += 1;
    let (completed, url) = match bulk_query::progress(&app.shopify, shop, &running.operation).await? {
        Progress::Running => {
            app.store.set_push_state(shop, slug, &state).await?;
            app.store.enqueue(&job(shop, slug, false, now + POLL_SECS, None)).await?;
            return Ok(());
        }
        Progress::Completed(url) => (true, url),
        Progress::Failed(reason) => {
            crate::log::warn(
                "bulk tag push failed; pushing per customer",
                &[("shop", shop.as_str()), ("reason", &reason)],
            );
            (false, None)
        }
    };
    let mut done = Vec::new();
    if let Some(url) = url {
        let field = if running.adding { "tagsAdd" } else { "tagsRemove" };
        for line in crate::shopify::storage::fetch_result(&app.shopify, &url).await?.lines() {
            let Ok(result) = serde_json::from_str::<Value>(line) else { continue };
            let clean = result.get("errors").is_none()
                && result
                    .pointer(&format!("/data/{field}/userErrors"))
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty);
            let number = result.get("__lineNumber").and_then(Value::as_u64);
            // A blank line is a customer redacted since: nothing to record about them.
            if let Some(customer) = number.and_then(|number| running.customers.get(number as usize))
                && clean
                && !customer.is_empty()
            {
                done.push(customer.clone());
            }
        }
    }
    app.store.mark_tagged(shop, slug, &done, running.adding).await?;
    if running.adding {
        state.added += done.len() as i64
    } else {
        state.removed += done.len() as i64
    }
    state.bulk = None;
    state.updated_at = now;
    // What the bulk mutation did not do (a failed operation, a line with an error) is left for
    // a push of single calls, which reports a lasting error instead of looping.
    let fallback = !completed || done.len() < running.customers.len();
    state.detail = Some(format!("bulk mutation: {} of {} changes", done.len(), running.customers.len()));
    app.store.set_push_state(shop, slug, &state).await?;
    app.store.enqueue(&job(shop, slug, fallback, now, None)).await?;
    Ok(())
}
