//! Who is in each segment: computed in full (on demand and nightly) or for the one customer an
//! event or update concerns. Every entry and exit is recorded with its time, and a changed
//! segment gets a push of its tags queued.

use std::collections::HashSet;

use segment_rules::{Reads, Rule, evaluate, matches};

use super::facts::{Profile, profiles};
use crate::clock::UnixTime;
use crate::db::{DbError, Scope, SegmentRow, Store};
use crate::shop_domain::ShopDomain;

/// A live segment with its parsed rules.
pub struct Live {
    /// Its slug.
    pub slug: String,
    /// Its rules.
    pub rule: Rule,
}

/// The store's live segments whose rules parse (they all do: they were checked when saved).
pub async fn live(store: &Store, shop: &ShopDomain) -> Result<Vec<Live>, DbError> {
    Ok(store.segments(shop, false).await?.into_iter().filter_map(parsed).collect())
}

fn parsed(segment: SegmentRow) -> Option<Live> {
    let value = serde_json::from_str(&segment.rules).ok()?;
    Some(Live { slug: segment.slug, rule: segment_rules::parse(&value).ok()? })
}

fn reads(segments: &[Live]) -> Reads {
    let mut reads = Reads::default();
    segments.iter().for_each(|segment| reads.add(&segment.rule));
    reads
}

/// What a full evaluation changed in one segment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recomputed {
    /// The segment.
    pub slug: String,
    /// Members now.
    pub members: usize,
    /// Entered with this evaluation.
    pub entered: usize,
    /// Left with this evaluation.
    pub left: usize,
}

/// Evaluates every customer for the live segments (only `only`, when given), records the changes
/// and queues pushes where membership moved.
pub async fn recompute(
    store: &Store,
    shop: &ShopDomain,
    only: Option<&str>,
    now: UnixTime,
) -> Result<Vec<Recomputed>, DbError> {
    let segments: Vec<Live> = live(store, shop)
        .await?
        .into_iter()
        .filter(|segment| only.is_none_or(|slug| segment.slug == slug))
        .collect();
    if segments.is_empty() {
        return Ok(Vec::new());
    }
    // The stored members are read while the facts are: two connections, two cores.
    let reads = reads(&segments);
    let (everyone, mut held) =
        tokio::try_join!(profiles(store, shop, Scope::Store, &reads, now), store.all_members(shop),)?;
    let memberships = evaluate_all(&segments, &everyone, now);
    let mut report = Vec::with_capacity(segments.len());
    for (segment, now_in) in segments.iter().zip(&memberships) {
        let before: Vec<String> = held.remove(&segment.slug).unwrap_or_default();
        let before_set: HashSet<&str> = before.iter().map(String::as_str).collect();
        let entered: Vec<String> =
            now_in.iter().filter(|id| !before_set.contains(**id)).map(|id| (*id).to_owned()).collect();
        let left: Vec<String> = before.iter().filter(|id| !now_in.contains(id.as_str())).cloned().collect();
        store.apply_membership(shop, &segment.slug, &entered, &left, now, true).await?;
        if !entered.is_empty() || !left.is_empty() {
            super::push::queue(store, shop, &segment.slug, now).await?;
        }
        report.push(Recomputed {
            slug: segment.slug.clone(),
            members: now_in.len(),
            entered: entered.len(),
            left: left.len(),
        });
    }
    Ok(report)
}

/// The members of each segment among `profiles`, evaluated on every core.
fn evaluate_all<'p>(segments: &[Live], profiles: &'p [Profile], now: UnixTime) -> Vec<HashSet<&'p str>> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let chunk = profiles.len().div_ceil(threads).max(1);
    let parts: Vec<Vec<Vec<&'p str>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = profiles
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    segments.iter().map(|segment| members_of(&segment.rule, part, now).collect()).collect()
                })
            })
            .collect();
        workers.into_iter().map(|worker| worker.join().unwrap_or_default()).collect()
    });
    let mut merged: Vec<HashSet<&'p str>> = vec![HashSet::new(); segments.len()];
    for part in parts {
        for (set, members) in merged.iter_mut().zip(part) {
            set.extend(members);
        }
    }
    merged
}

/// The ids of the profiles `rule` holds for.
pub fn members_of<'r, 'p>(
    rule: &'r Rule,
    profiles: &'p [Profile],
    now: UnixTime,
) -> impl Iterator<Item = &'p str> + use<'r, 'p> {
    profiles
        .iter()
        .filter(move |profile| matches(rule, &profile.customer, &profile.events, now.secs()))
        .map(|profile| profile.id.as_str())
}

/// Re-evaluates one customer after an event or an update; how many memberships changed.
pub async fn refresh_customer(
    store: &Store,
    shop: &ShopDomain,
    customer_id: &str,
    now: UnixTime,
) -> Result<usize, DbError> {
    let segments = live(store, shop).await?;
    if segments.is_empty() {
        return Ok(0);
    }
    let found = profiles(store, shop, Scope::Customer(customer_id), &reads(&segments), now).await?;
    let held: HashSet<String> = store.memberships(shop, customer_id).await?.into_iter().collect();
    let one = [customer_id.to_owned()];
    let mut changed = 0;
    for segment in &segments {
        // A deleted customer (no profile) leaves every segment.
        let member = found
            .first()
            .is_some_and(|profile| matches(&segment.rule, &profile.customer, &profile.events, now.secs()));
        let (entered, left): (&[String], &[String]) = match (member, held.contains(&segment.slug)) {
            (true, false) => (&one, &[]),
            (false, true) => (&[], &one),
            _ => continue,
        };
        store.apply_membership(shop, &segment.slug, entered, left, now, false).await?;
        super::push::queue(store, shop, &segment.slug, now).await?;
        changed += 1;
    }
    Ok(changed)
}

/// How many customers unsaved rules would hold now, and the ids of the first `sample` of them.
pub async fn preview(
    store: &Store,
    shop: &ShopDomain,
    rule: &Rule,
    sample: usize,
    now: UnixTime,
) -> Result<(usize, Vec<String>), DbError> {
    let mut reads = Reads::default();
    reads.add(rule);
    let everyone = profiles(store, shop, Scope::Store, &reads, now).await?;
    let mut count = 0;
    let mut first = Vec::with_capacity(sample);
    for id in members_of(rule, &everyone, now) {
        if first.len() < sample {
            first.push(id.to_owned());
        }
        count += 1;
    }
    Ok((count, first))
}

/// Why `customer_id` is or is not in a segment with `rule`; `None` for an unknown customer.
pub async fn explain(
    store: &Store,
    shop: &ShopDomain,
    rule: &Rule,
    customer_id: &str,
    now: UnixTime,
) -> Result<Option<segment_rules::Outcome>, DbError> {
    let mut reads = Reads::default();
    reads.add(rule);
    let found = profiles(store, shop, Scope::Customer(customer_id), &reads, now).await?;
    Ok(found.first().map(|profile| evaluate(rule, &profile.customer, &profile.events, now.secs())))
}
