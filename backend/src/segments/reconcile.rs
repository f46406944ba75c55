//! Reconciliation: Shopify's `seglink:` tags are read back with one bulk query and compared with
//! membership. Tags edited by hand or by another app are drift; the count is recorded per
//! segment, what Shopify really holds becomes the push checkpoint, and a push repairs the rest,
//! so after it the tags equal membership.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::clock::UnixTime;
use crate::db::NewJob;
use crate::jobs::{Job, JobError};
use crate::shopify::ShopDomain;
use crate::shopify::bulk_query::{self, Progress};

const POLL_SECS: i64 = 2;
const QUERY: &str = "{ customers { edges { node { id tags } } } }";

/// Reads a store's tags back: one step, and the bulk query once started.
#[derive(Default, Serialize, Deserialize)]
pub struct ReconcileTags {
    operation: Option<String>,
}

impl Job for ReconcileTags {
    const KIND: &'static str = "segment_reconcile";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        run(app, shop, self).await
    }
}

fn job(shop: &ShopDomain, operation: Option<String>, run_at: UnixTime) -> NewJob {
    ReconcileTags { operation }.queued(shop, run_at, None)
}

/// Queues a reconciliation of every segment of the store.
pub async fn queue(app: &App, shop: &ShopDomain, now: UnixTime) -> Result<(), crate::db::DbError> {
    app.store.enqueue(&job(shop, None, now)).await?;
    app.jobs_waiting.notify_one();
    Ok(())
}

/// Runs one step of a reconciliation.
async fn run(app: &App, shop: &ShopDomain, step: ReconcileTags) -> Result<(), JobError> {
    let now = crate::clock::unix_now();
    let Some(operation) = step.operation else {
        let operation = bulk_query::start(&app.shopify, shop, QUERY.to_owned()).await?;
        app.store.enqueue(&job(shop, Some(operation), now)).await?;
        return Ok(());
    };
    let url = match bulk_query::progress(&app.shopify, shop, &operation).await? {
        Progress::Running => {
            app.store.enqueue(&job(shop, Some(operation), now + POLL_SECS)).await?;
            return Ok(());
        }
        Progress::Completed(url) => url,
        Progress::Failed(reason) => return Err(JobError::Fatal(format!("the tag read-back {reason}"))),
    };
    let jsonl = match url {
        Some(url) => crate::shopify::storage::fetch_result(&app.shopify, &url).await?,
        None => String::new(),
    };
    let held = tags_held(&jsonl);
    for segment in app.store.segments(shop, true).await? {
        let _pushing = app.locks.lock(&format!("push:{shop}:{}", segment.slug)).await;
        let actual = held.get(&segment.slug).cloned().unwrap_or_default();
        let members: BTreeSet<String> =
            app.store.member_ids(shop, &segment.slug).await?.into_iter().collect();
        let recorded_set: BTreeSet<String> =
            app.store.tagged_ids(shop, &segment.slug).await?.into_iter().collect();
        // Drift: customers whose tag Shopify holds differently from what Seglink last pushed.
        let repaired = actual.symmetric_difference(&recorded_set).count() as i64;
        let stale: Vec<String> = recorded_set.difference(&actual).cloned().collect();
        let extra: Vec<String> = actual.difference(&recorded_set).cloned().collect();
        app.store.mark_tagged(shop, &segment.slug, &stale, false).await?;
        app.store.mark_tagged(shop, &segment.slug, &extra, true).await?;
        let mut state = app.store.push_state(shop, &segment.slug).await?.unwrap_or_default();
        state.repaired = Some(repaired);
        state.reconciled_at = Some(now);
        state.updated_at = now;
        app.store.set_push_state(shop, &segment.slug, &state).await?;
        if actual != members {
            super::push::push_now(app, shop, &segment.slug, now).await?;
        }
    }
    Ok(())
}

/// The customers holding each `seglink:<slug>` tag, by slug, from the bulk result.
fn tags_held(jsonl: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut held: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in jsonl.lines() {
        let Ok(node) = serde_json::from_str::<Value>(line) else { continue };
        let Some(id) = node.get("id").and_then(Value::as_str) else { continue };
        let id = crate::shopify::gid::numeric(id);
        let tags = node.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
        for tag in tags {
            // Shopify compares tags without regard to case.
            let tag = tag.trim().to_ascii_lowercase();
            if let Some(slug) = tag.strip_prefix(discount_rules::SEGMENT_TAG_PREFIX) {
                held.entry(slug.to_owned()).or_default().insert(id.to_owned());
            }
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_seglink_tags_are_read_back() {
        let jsonl = "{\"id\":\"gid://shopify/Customer/1\",\"tags\":[\"vip\",\"seglink:big-spenders\"]}\n\
                     {\"id\":\"gid://shopify/Customer/2\",\"tags\":[\"Seglink:Big-Spenders\",\"seglink:new\"]}\n\
                     not json\n";
        let held = tags_held(jsonl);
        assert_eq!(held["big-spenders"], BTreeSet::from(["1".to_owned(), "2".to_owned()]));
        assert_eq!(held["new"].len(), 1);
        assert!(!held.contains_key("vip"));
    }
}
