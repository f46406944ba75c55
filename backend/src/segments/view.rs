//! What the segment API answers: the shapes the admin reads, typed here and generated into the
//! admin's TypeScript (docs/admin.md, "One typed API").

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::native;
use crate::clock::UnixTime;
use crate::db::{MemberRow, PushRow, PushState, SegmentRow};

/// A segment with its membership, its push and its Shopify segment.
#[derive(Serialize, TS)]
pub struct SegmentView {
    pub slug: String,
    pub name: String,
    /// The rule tree as `crates/segment-rules` reads it (docs/segments.md).
    pub rules: Value,
    /// The customer tag members carry in Shopify.
    pub tag: String,
    pub member_count: i64,
    /// Proposed by Seglink after the backfill, not yet kept by the merchant.
    pub suggested: bool,
    pub computed_at: Option<UnixTime>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    /// `None` when the stored rules no longer parse.
    pub native: Option<NativeView>,
    pub push: PushView,
    /// Conditions that read what the storefront reports, in words.
    pub storefront_signals: Vec<String>,
    /// An evaluation under way (after a save in a large store, or the nightly one); until it
    /// ends, `member_count` is the last finished evaluation's.
    pub evaluation: Option<EvaluationView>,
}

/// How far an evaluation has come.
#[derive(Serialize, TS)]
pub struct EvaluationView {
    /// Customers evaluated so far.
    pub evaluated: i64,
    /// Customers it covers.
    pub total: i64,
}

/// The segment as a Shopify segment: its query, or why it cannot be one.
#[derive(Serialize, TS)]
pub struct NativeView {
    /// The merchant asked for a Shopify segment.
    pub enabled: bool,
    pub segment_id: Option<String>,
    /// ShopifyQL equal to the rules, when there is one.
    pub query: Option<String>,
    /// Why the rules have no ShopifyQL equal (the tag query is used then).
    pub reason: Option<String>,
    /// ShopifyQL that selects the members by their tag.
    pub tag_query: String,
}

/// The last push of a segment's tags to Shopify.
#[derive(Serialize, TS)]
pub struct PushView {
    pub state: PushState,
    pub added: i64,
    pub removed: i64,
    /// Admin API calls it made.
    pub calls: i64,
    pub bulk_running: bool,
    /// Drift repaired by the last reconciliation.
    pub repaired: Option<i64>,
    pub reconciled_at: Option<UnixTime>,
    pub detail: Option<String>,
    pub updated_at: Option<UnixTime>,
}

impl PushView {
    pub fn of(push: Option<&PushRow>) -> Self {
        match push {
            None => Self {
                state: PushState::Never,
                added: 0,
                removed: 0,
                calls: 0,
                bulk_running: false,
                repaired: None,
                reconciled_at: None,
                detail: None,
                updated_at: None,
            },
            Some(push) => Self {
                state: push.state,
                added: push.added,
                removed: push.removed,
                calls: push.calls,
                bulk_running: push.bulk.is_some(),
                repaired: push.repaired,
                reconciled_at: push.reconciled_at,
                detail: push.detail.clone(),
                updated_at: Some(push.updated_at),
            },
        }
    }
}

impl SegmentView {
    pub fn of(segment: &SegmentRow, push: Option<&PushRow>) -> Self {
        let rules: Value = serde_json::from_str(&segment.rules).unwrap_or(Value::Null);
        let parsed = segment_rules::parse(&rules).ok();
        let native = parsed.as_ref().map(|rule| {
            let (query, reason) = native::query(segment, rule);
            NativeView {
                enabled: segment.native,
                segment_id: segment.native_segment_id.clone(),
                query: reason.is_none().then_some(query),
                reason,
                tag_query: segment_rules::native::tag_query(&segment.slug),
            }
        });
        Self {
            tag: discount_rules::segment_tag(&segment.slug),
            slug: segment.slug.clone(),
            name: segment.name.clone(),
            rules,
            member_count: segment.member_count,
            suggested: segment.suggested,
            computed_at: segment.computed_at,
            created_at: segment.created_at,
            updated_at: segment.updated_at,
            native,
            push: PushView::of(push),
            storefront_signals: parsed.as_ref().map(segment_rules::storefront_signals).unwrap_or_default(),
            evaluation: segment.evaluated.map(|evaluated| EvaluationView {
                evaluated,
                total: segment.evaluation_total.unwrap_or(evaluated),
            }),
        }
    }
}

/// `GET /api/segments`.
#[derive(Serialize, TS)]
pub struct SegmentList {
    pub segments: Vec<SegmentView>,
}

/// What unsaved rules would hold now.
#[derive(Serialize, TS)]
pub struct Preview {
    /// Customers held: counted, or in a large store estimated from a sample.
    pub count: usize,
    /// `count` is an estimate from `evaluated` customers sampled from the store.
    pub estimated: bool,
    /// Customers evaluated for the answer.
    pub evaluated: usize,
    /// A few of the customers they hold, to see whether the rules mean what the merchant meant.
    pub sample: Vec<CustomerCard>,
    pub native: NativePreview,
    pub storefront_signals: Vec<String>,
}

/// Whether unsaved rules translate into a Shopify segment.
#[derive(Serialize, TS)]
pub struct NativePreview {
    pub query: Option<String>,
    pub reason: Option<String>,
}

/// A customer as the admin names them.
#[derive(Serialize, TS)]
pub struct CustomerCard {
    pub customer_id: String,
    pub email: Option<String>,
    /// First and last name; empty when unknown or redacted.
    pub name: String,
}

/// `GET /api/customers`.
#[derive(Serialize, TS)]
pub struct CustomerSearch {
    pub customers: Vec<CustomerCard>,
}

/// A page of members; `next` is where the following page starts.
#[derive(Serialize, TS)]
pub struct MembersPage {
    pub members: Vec<MemberRow>,
    pub next: Option<String>,
}

/// A customer who entered or left.
#[derive(Serialize, TS)]
pub struct Change {
    pub customer_id: String,
    /// `entered` or `left`.
    pub change: String,
    pub at: UnixTime,
}

/// `GET /api/segments/{slug}/changes`.
#[derive(Serialize, TS)]
pub struct Changes {
    pub changes: Vec<Change>,
}

/// Why a customer is in or out, condition by condition.
#[derive(Serialize, TS)]
pub struct Explanation {
    pub customer_id: String,
    /// What the rules say now.
    pub member: bool,
    /// What the last evaluation stored (and pushed).
    pub recorded_member: bool,
    pub conditions: Vec<ConditionOutcome>,
}

/// One condition's outcome for a customer.
#[derive(Serialize, TS)]
pub struct ConditionOutcome {
    /// JSON pointer into the rules, such as `/all/1`.
    pub path: String,
    pub held: bool,
    /// The values compared, in words.
    pub detail: String,
}

/// One segment's full evaluation.
#[derive(Serialize, TS)]
pub struct Recomputed {
    pub slug: String,
    pub members: usize,
    pub entered: usize,
    pub left: usize,
}

/// `POST /api/segments/recompute`.
#[derive(Serialize, TS)]
pub struct RecomputeReport {
    /// What each segment's evaluation changed, when it ran inside the request.
    pub segments: Vec<Recomputed>,
    /// Where a queued evaluation starts (a large store); each segment shows its progress.
    pub evaluation: Option<EvaluationView>,
}
