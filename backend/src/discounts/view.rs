//! What the discount rule API answers, typed for the admin's generated TypeScript.

use serde::Serialize;
use ts_rs::TS;

use crate::clock::UnixTime;
use crate::db::{DiscountSync, SyncState};

/// A stored rule and its id.
#[derive(Serialize, TS)]
pub struct RuleView {
    pub id: i64,
    #[serde(flatten)]
    #[ts(flatten)]
    pub rule: discount_rules::Rule,
}

/// The last write of the rules to the discount's metafield in Shopify.
#[derive(Serialize, TS)]
pub struct SyncView {
    pub state: SyncState,
    pub discount_id: Option<String>,
    /// Size of the metafield written.
    pub bytes: Option<i64>,
    pub detail: Option<String>,
    pub synced_at: Option<UnixTime>,
}

impl SyncView {
    pub fn of(sync: Option<&DiscountSync>) -> Self {
        match sync {
            None => Self {
                state: SyncState::Never,
                discount_id: None,
                bytes: None,
                detail: None,
                synced_at: None,
            },
            Some(sync) => Self {
                state: sync.state,
                discount_id: sync.discount_id.clone(),
                bytes: sync.bytes,
                detail: sync.detail.clone(),
                synced_at: Some(sync.synced_at),
            },
        }
    }
}

/// Every rule, and where Shopify stands.
#[derive(Serialize, TS)]
pub struct RuleList {
    pub rules: Vec<RuleView>,
    pub sync: SyncView,
}
