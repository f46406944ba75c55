//! The metafield run: every live product's values, compared by digest with what Shopify last
//! received, and only the changed ones written with `metafieldsSet` (4 metafields a product, 6
//! products a call: 24 of the 25 a call may carry). Nightly after the segment recompute, and on
//! demand for a store or one product.
//!
//! A run survives what Shopify does to it: a throttled or failing call ends the job for a later
//! retry, and the retry resumes at the run's checkpoint, with every product written before it
//! known by its digest, so nothing is written twice. A product deleted meanwhile is counted as
//! missing and left out; a metafield whose definition Shopify no longer accepts fails the run
//! with the reason, once, instead of retrying forever.

use serde::{Deserialize, Serialize};

use super::values::{ProductValues, StoreFacts};
use crate::app::App;
use crate::clock::{UnixTime, unix_now};
use crate::db::{DbError, NewJob, RunProgress, RunState, Store, StoredProduct};
use crate::jobs::{Job, JobError};
use crate::shop_domain::ShopDomain;
use crate::shopify::operations::{SetMetafields, set_metafields};

/// Products read and compared at a time. Each page's last call may carry fewer than 6 products;
/// a large page keeps that waste small (at 10% changed, 17 calls where 16.7 would do).
const PAGE: i64 = 1_000;
/// Products written per `metafieldsSet` call: 4 metafields each, 25 metafields a call at most.
pub const PRODUCTS_PER_CALL: usize = 6;

/// Writes the changed metafields of a store's products, or of one.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WriteProductMetafields {
    /// One product's id; the whole store when absent.
    pub product: Option<String>,
}

impl Job for WriteProductMetafields {
    const KIND: &'static str = "product_metafields";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        run(app, shop, self.product.as_deref()).await
    }
}

/// The job for `shop` (one product's when `product` is given); one queued per scope.
pub fn job(shop: &ShopDomain, product: Option<String>, now: UnixTime) -> NewJob {
    let scope = product.clone().unwrap_or_else(|| "shop".to_owned());
    WriteProductMetafields { product }.queued(shop, now, Some(format!("product_metafields:{shop}:{scope}")))
}

/// Queues a run, unless one of the same scope is still to run, and wakes the workers.
pub async fn queue(
    app: &App,
    shop: &ShopDomain,
    product: Option<String>,
    now: UnixTime,
) -> Result<(), DbError> {
    app.store.enqueue_unless_pending(&job(shop, product, now)).await?;
    app.jobs_waiting.notify_one();
    Ok(())
}

/// Why a batch was not written.
enum BatchError {
    /// Shopify refused a metafield for a reason a retry cannot mend: the run fails with it.
    Refused(String),
    /// Worth a retry later.
    Retry(JobError),
}

async fn run(app: &App, shop: &ShopDomain, product: Option<&str>) -> Result<(), JobError> {
    let store = &app.store;
    let now = unix_now();
    let run = store.begin_metafield_run(shop, product.unwrap_or("shop"), now).await?;
    let facts = StoreFacts::read(store, shop, now).await?;
    let mut checkpoint = run.checkpoint;
    loop {
        let page = match product {
            Some(id) => store.product(shop, id).await?.into_iter().filter(|found| !found.deleted).collect(),
            None => store.catalog_page(shop, checkpoint.as_deref(), PAGE).await?,
        };
        let Some(last) = page.last().map(|found| found.product_id.clone()) else { break };
        match write_page(app, shop, &page, &facts, now).await {
            Ok(progress) => {
                store
                    .advance_metafield_run(shop, product.is_none().then_some(last.as_str()), progress)
                    .await?;
            }
            Err(BatchError::Refused(reason)) => {
                store.finish_metafield_run(shop, RunState::Failed, Some(&reason), unix_now()).await?;
                crate::log::warn(
                    "product metafields refused",
                    &[("shop", shop.as_str()), ("reason", &reason)],
                );
                return Ok(());
            }
            Err(BatchError::Retry(error)) => return Err(error),
        }
        if product.is_some() {
            break;
        }
        checkpoint = Some(last);
    }
    store.finish_metafield_run(shop, RunState::Done, None, unix_now()).await?;
    Ok(())
}

/// A product whose values differ from what Shopify last received.
struct Changed {
    id: String,
    values: ProductValues,
    digest: String,
    /// The listing score Shopify last received, when known.
    old_score: Option<i64>,
}

/// Compares a page of products with what Shopify last received and writes the changed ones.
async fn write_page(
    app: &App,
    shop: &ShopDomain,
    page: &[StoredProduct],
    facts: &StoreFacts,
    now: UnixTime,
) -> Result<RunProgress, BatchError> {
    let store = &app.store;
    let ids: Vec<String> = page.iter().map(|product| product.product_id.clone()).collect();
    let retry = |error: DbError| BatchError::Retry(error.into());
    let variants = store.variants_of(shop, &ids).await.map_err(retry)?;
    let last_written = store.metafield_digests(shop, &ids).await.map_err(retry)?;
    // Read before any write (docs/backend.md: no SQLite transaction reads before it writes).
    let drops_fire = store
        .flow_triggers_in_use(shop)
        .await
        .map_err(retry)?
        .iter()
        .any(|handle| handle == crate::db::LISTING_SCORE_DROPPED);
    let changed: Vec<Changed> = page
        .iter()
        .map(|product| {
            let values = ProductValues::of(
                product,
                variants.get(&product.product_id).map_or(&[][..], Vec::as_slice),
                facts,
            );
            let digest = values.digest();
            let old_score = last_written.get(&product.product_id).and_then(|(_, score)| *score);
            Changed { id: product.product_id.clone(), values, digest, old_score }
        })
        .filter(|changed| last_written.get(&changed.id).map(|(digest, _)| digest) != Some(&changed.digest))
        .collect();
    let mut progress =
        RunProgress { products: page.len() as i64, changed: changed.len() as i64, ..RunProgress::default() };
    for batch in changed.chunks(PRODUCTS_PER_CALL) {
        let (written, missing, calls) = write_batch(app, shop, batch).await?;
        let sent: Vec<&Changed> = batch.iter().filter(|changed| written.contains(&changed.id)).collect();
        let digests: Vec<(String, String, i64)> = sent
            .iter()
            .map(|changed| {
                (changed.id.clone(), changed.digest.clone(), i64::from(changed.values.listing_score))
            })
            .collect();
        let dropped: Vec<(String, i64, i64)> = sent
            .iter()
            .filter(|_| drops_fire)
            .filter_map(|changed| {
                let new = i64::from(changed.values.listing_score);
                changed.old_score.filter(|old| *old > new).map(|old| (changed.id.clone(), old, new))
            })
            .collect();
        store.record_metafield_digests(shop, &digests, &dropped, now).await.map_err(retry)?;
        if !dropped.is_empty() {
            crate::flow::fire::queue(store, shop, now).await.map_err(retry)?;
            app.jobs_waiting.notify_one();
        }
        progress.written += digests.len() as i64 * 4;
        progress.missing += missing as i64;
        progress.calls += calls;
    }
    Ok(progress)
}

/// Writes one batch; returns the products written, how many Shopify no longer has, and the
/// calls made. `metafieldsSet` writes all or nothing, so products Shopify says are gone are left
/// out and the rest sent again.
async fn write_batch(
    app: &App,
    shop: &ShopDomain,
    batch: &[Changed],
) -> Result<(Vec<String>, usize, i64), BatchError> {
    let mut sending: Vec<&Changed> = batch.iter().collect();
    let mut calls = 0;
    while !sending.is_empty() {
        let inputs: Vec<set_metafields::MetafieldsSetInput> = sending
            .iter()
            .flat_map(|Changed { id, values, .. }| {
                values.metafields().into_iter().map(move |(key, kind, value)| {
                    set_metafields::MetafieldsSetInput {
                        owner_id: format!("gid://shopify/Product/{id}"),
                        namespace: Some(discount_rules::METAFIELD_NAMESPACE.to_owned()),
                        key: key.to_owned(),
                        type_: Some(kind.to_owned()),
                        value,
                        compare_digest: None,
                    }
                })
            })
            .collect();
        calls += 1;
        let answer = app
            .shopify
            .run_repeatable::<SetMetafields>(shop, set_metafields::Variables { metafields: inputs })
            .await
            .map_err(|error| BatchError::Retry(error.into()))?
            .metafields_set
            .ok_or_else(|| BatchError::Retry(JobError::Retry("metafieldsSet answered nothing".to_owned())))?;
        if answer.user_errors.is_empty() {
            let written = sending.iter().map(|changed| changed.id.clone()).collect();
            return Ok((written, batch.len() - sending.len(), calls));
        }
        let mut gone = Vec::new();
        for error in &answer.user_errors {
            // The owner named at fault: the product is gone (deleted since it was read).
            let owner_missing = error
                .field
                .as_deref()
                .is_some_and(|field| field.last().map(String::as_str) == Some("ownerId"));
            match error.element_index.and_then(|index| usize::try_from(index).ok()) {
                Some(index) if owner_missing => gone.push(index / 4),
                _ => {
                    return Err(BatchError::Refused(format!(
                        "Shopify refused a product metafield: {}",
                        error.message
                    )));
                }
            }
        }
        let mut position = 0;
        sending.retain(|_| {
            let keep = !gone.contains(&position);
            position += 1;
            keep
        });
    }
    Ok((Vec::new(), batch.len(), calls))
}

/// After the nightly recompute: the store's metafields follow its new memberships.
pub async fn queue_after_recompute(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
    store.enqueue_unless_pending(&job(shop, None, now)).await?;
    Ok(())
}
