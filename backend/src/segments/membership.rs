//! Who is in each segment: computed in full (on demand and nightly) or for the one customer an
//! event or update concerns. Every entry and exit is recorded with its time, and a changed
//! segment gets a push of its tags queued.

use std::collections::{HashMap, HashSet};

use segment_rules::{Reads, Rule, evaluate, matches};

use super::facts::{Profile, profiles};
use crate::clock::UnixTime;
use crate::db::{DbError, PageChanges, Scope, SegmentRow, Store};
use crate::shop_domain::ShopDomain;

/// A live segment with its parsed rules.
pub struct Live {
    /// Its slug.
    pub slug: String,
    /// Its rules.
    pub rule: Rule,
    /// Which save of its rules these are.
    pub version: i64,
    /// Customers put in it by hand (a Flow action): members whatever the rules say.
    pub included: HashSet<String>,
}

impl Live {
    /// Whether the customer of `profile` belongs: by the rules, or put in by hand.
    fn holds(&self, profile: &Profile, now: UnixTime) -> bool {
        self.included.contains(&profile.id)
            || matches(&self.rule, &profile.customer, &profile.events, now.secs())
    }
}

/// The store's live segments whose rules parse (they all do: they were checked when saved).
pub async fn live(store: &Store, shop: &ShopDomain) -> Result<Vec<Live>, DbError> {
    let segments = store.segments(shop, false).await?.into_iter().filter_map(parsed).collect();
    with_includes(store, shop, segments).await
}

/// The segment with its rules parsed; `None` when they do not parse. Its hand-made members are
/// added by `with_includes`.
pub fn parsed(segment: SegmentRow) -> Option<Live> {
    let value = serde_json::from_str(&segment.rules).ok()?;
    Some(Live {
        slug: segment.slug,
        rule: segment_rules::parse(&value).ok()?,
        version: segment.version,
        included: HashSet::new(),
    })
}

/// `segments` with the customers put in each by hand.
pub async fn with_includes(
    store: &Store,
    shop: &ShopDomain,
    mut segments: Vec<Live>,
) -> Result<Vec<Live>, DbError> {
    for (slug, customer) in store.segment_includes(shop).await? {
        if let Some(segment) = segments.iter_mut().find(|segment| segment.slug == slug) {
            segment.included.insert(customer);
        }
    }
    Ok(segments)
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

/// Customers evaluated at a time in a full evaluation: memory holds two pages' facts (one
/// evaluated while the next is read), however large the store.
pub const PAGE: i64 = 25_000;

/// Evaluates every customer for the live segments (only `only`, when given), records the changes
/// and queues pushes where membership moved. See `evaluate_in_pages`.
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
    evaluate_in_pages(store, shop, segments, PAGE, now).await
}

/// Evaluates `segments` over every customer, `page_size` customers at a time in id order: the next
/// page's facts and members are read (one connection each) while this page is evaluated (on
/// every core) and its entries and exits written. Each page's progress is recorded on the
/// segments for the admin. A segment saved again meanwhile drops out: the evaluation its save
/// queued covers it.
pub async fn evaluate_in_pages(
    store: &Store,
    shop: &ShopDomain,
    segments: Vec<Live>,
    page_size: i64,
    now: UnixTime,
) -> Result<Vec<Recomputed>, DbError> {
    let mut segments = segments;
    if segments.is_empty() {
        return Ok(Vec::new());
    }
    let total = store.customer_count(shop).await?;
    let reads = reads(&segments);
    let mut report: Vec<Recomputed> = segments
        .iter()
        .map(|segment| Recomputed { slug: segment.slug.clone(), ..Recomputed::default() })
        .collect();
    let mut evaluated = 0;
    let read = |after: String| read_page(store, shop, &reads, after, page_size, now);
    let mut next = Some(read(String::new()).await?);
    while let Some(page) = next.take() {
        let memberships = evaluate_all(&segments, &page.profiles, now);
        let moved: Vec<(Vec<String>, Vec<String>)> = segments
            .iter()
            .zip(&memberships)
            .map(|(segment, now_in)| {
                let before = page.members.get(&segment.slug).map(Vec::as_slice).unwrap_or_default();
                let before_set: HashSet<&str> = before.iter().map(String::as_str).collect();
                let entered =
                    now_in.iter().filter(|id| !before_set.contains(**id)).map(|id| (*id).to_owned());
                let left = before.iter().filter(|id| !now_in.contains(id.as_str())).cloned();
                (entered.collect(), left.collect())
            })
            .collect();
        let changes: Vec<PageChanges<'_>> = segments
            .iter()
            .zip(&moved)
            .map(|(segment, (entered, left))| PageChanges { slug: &segment.slug, entered, left })
            .collect();
        evaluated += page.profiles.len() as i64;
        let slugs: Vec<&str> = segments.iter().map(|segment| segment.slug.as_str()).collect();
        let write = async {
            if store.apply_page(shop, &changes, now).await? > 0 {
                crate::flow::fire::queue(store, shop, now).await?;
            }
            store.record_evaluation_progress(shop, &slugs, evaluated, total.max(evaluated)).await
        };
        let read_next = async {
            match &page.upto {
                Some(upto) => read(upto.clone()).await.map(Some),
                None => Ok(None),
            }
        };
        let ((), following) = tokio::try_join!(write, read_next)?;
        for (line, (segment, (page_changes, now_in))) in
            report.iter_mut().zip(segments.iter().zip(changes.iter().zip(&memberships)))
        {
            debug_assert_eq!(line.slug, segment.slug);
            line.members += now_in.len();
            line.entered += page_changes.entered.len();
            line.left += page_changes.left.len();
        }
        drop(changes);
        drop(moved);
        drop(memberships);
        next = following;
        if next.is_some() {
            let (kept, kept_report) = still_current(store, shop, segments, report).await?;
            (segments, report) = (kept, kept_report);
            if segments.is_empty() {
                return Ok(Vec::new());
            }
        }
    }
    let slugs: Vec<&str> = segments.iter().map(|segment| segment.slug.as_str()).collect();
    store.finish_evaluation(shop, &slugs, now).await?;
    for line in &report {
        if line.entered > 0 || line.left > 0 {
            super::push::queue(store, shop, &line.slug, now).await?;
        }
    }
    Ok(report)
}

/// One page of customers: their facts, the memberships they hold, and where the page ends
/// (`None`: at the last customer).
struct Page {
    profiles: Vec<Profile>,
    members: HashMap<String, Vec<String>>,
    upto: Option<String>,
}

async fn read_page(
    store: &Store,
    shop: &ShopDomain,
    reads: &Reads,
    after: String,
    page_size: i64,
    now: UnixTime,
) -> Result<Page, DbError> {
    // Two halves on two connections: SQLite runs each query on one core.
    let half = (page_size / 2).max(1);
    let middle = store.customer_after(shop, &after, half).await?;
    let upto = match &middle {
        Some(middle) => store.customer_after(shop, middle, (page_size - half).max(1)).await?,
        None => None,
    };
    let first_half = Scope::Range { after: &after, upto: middle.as_deref() };
    let second_half = async {
        match &middle {
            Some(middle) => {
                profiles(store, shop, Scope::Range { after: middle, upto: upto.as_deref() }, reads, now).await
            }
            None => Ok(Vec::new()),
        }
    };
    let (mut profiles, second, members) = tokio::try_join!(
        profiles(store, shop, first_half, reads, now),
        second_half,
        store.members_in_range(shop, &after, upto.as_deref())
    )?;
    profiles.extend(second);
    Ok(Page { profiles, members, upto })
}

/// The segments whose rules have not been saved again since this evaluation read them, with
/// their report lines.
async fn still_current(
    store: &Store,
    shop: &ShopDomain,
    segments: Vec<Live>,
    report: Vec<Recomputed>,
) -> Result<(Vec<Live>, Vec<Recomputed>), DbError> {
    let versions: HashMap<String, i64> =
        store.segments(shop, false).await?.into_iter().map(|row| (row.slug, row.version)).collect();
    Ok(segments
        .into_iter()
        .zip(report)
        .filter(|(segment, _)| versions.get(&segment.slug) == Some(&segment.version))
        .unzip())
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
                    segments
                        .iter()
                        .map(|segment| {
                            part.iter()
                                .filter(|profile| segment.holds(profile, now))
                                .map(|profile| profile.id.as_str())
                                .collect()
                        })
                        .collect()
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
        let member = found.first().is_some_and(|profile| segment.holds(profile, now));
        let (entered, left): (&[String], &[String]) = match (member, held.contains(&segment.slug)) {
            (true, false) => (&one, &[]),
            (false, true) => (&[], &one),
            _ => continue,
        };
        if store.apply_membership(shop, &segment.slug, entered, left, now, false).await? > 0 {
            crate::flow::fire::queue(store, shop, now).await?;
        }
        super::push::queue(store, shop, &segment.slug, now).await?;
        changed += 1;
    }
    Ok(changed)
}

/// What unsaved rules would hold now.
#[derive(Debug, PartialEq, Eq)]
pub struct PreviewCount {
    /// Customers held: counted, or estimated from the sample.
    pub count: usize,
    /// The first few held, by id.
    pub first: Vec<String>,
    /// Customers evaluated to answer.
    pub evaluated: usize,
    /// The count is an estimate from a sample of `evaluated`.
    pub estimated: bool,
}

/// How many customers unsaved rules would hold now, and the ids of the first `sample` of them. A
/// store of up to `largest_exact` customers is counted; a larger one is estimated from a sample
/// of about `largest_exact` of them (`Scope::Sample`), so the answer takes as long in a store of
/// a million as in one of twenty thousand.
pub async fn preview(
    store: &Store,
    shop: &ShopDomain,
    rule: &Rule,
    sample: usize,
    largest_exact: i64,
    now: UnixTime,
) -> Result<PreviewCount, DbError> {
    let mut reads = Reads::default();
    reads.add(rule);
    let customers = store.customer_count(shop).await?;
    let estimated = customers > largest_exact;
    let scope = if estimated {
        let per_thousand = ((largest_exact.max(1) * 1_000 + customers - 1) / customers).clamp(1, 999);
        Scope::Sample { per_thousand: u16::try_from(per_thousand).unwrap_or(999) }
    } else {
        Scope::Store
    };
    let evaluated = profiles(store, shop, scope, &reads, now).await?;
    let mut held = 0;
    let mut first = Vec::with_capacity(sample);
    for id in members_of(rule, &evaluated, now) {
        if first.len() < sample {
            first.push(id.to_owned());
        }
        held += 1;
    }
    let count = if estimated && !evaluated.is_empty() {
        // Scaled by the sample's real size, not the share asked for: ids need not spread evenly.
        let scaled = u128::from(held as u64) * u128::from(customers.unsigned_abs()) / evaluated.len() as u128;
        usize::try_from(scaled).unwrap_or(usize::MAX)
    } else {
        held
    };
    Ok(PreviewCount { count, first, evaluated: evaluated.len(), estimated })
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
