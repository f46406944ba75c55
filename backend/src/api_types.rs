//! The admin's TypeScript types, generated from the view types the API answers with, so the
//! admin cannot read a field the backend no longer sends: `backend/admin/src/generated/api.ts`.
//! The test fails when that file is stale; `SEGLINK_UPDATE_TYPES=1 cargo test -p seglink
//! api_types` writes it anew.

use ts_rs::{Config, TS};

use crate::billing::api::{BillingView, PlanView, Usage};
use crate::billing::{Limits, TrialState};
use crate::catalog::api::MetafieldRunView;
use crate::clock::UnixTime;
use crate::db::{MemberRow, MetafieldRun, PrivacyRequest, PushState, RunState, StepState, SyncState};
use crate::discounts::guest_misses::{GuestMiss, GuestMisses};
use crate::discounts::trial::{Cart, CartLine, Given, RuleOutcome, Trial, TrialInput};
use crate::discounts::view::{RuleList, RuleView, SyncView};
use crate::install::progress::{SetupProgress, SetupStep};
use crate::install::session::{SessionView, WorkspaceView};
use crate::install::view::{
    ConnectedStore, ConnectedStores, CustomConnected, LinkList, LinkView, Moved, NewLinkView, Rotated,
    ServerKey,
};
use crate::meta::api::{MetaDrop, MetaHealthView, MetaInput, MetaView};
use crate::pixel::status::{PixelEvent, PixelSettingsView, PixelStatus, Reconnecting};
use crate::segments::view::{
    Change, Changes, ConditionOutcome, CustomerCard, CustomerSearch, EvaluationView, Explanation,
    MembersPage, NativePreview, NativeView, Preview, PushView, RecomputeReport, Recomputed, SegmentList,
    SegmentView,
};
use crate::settings::{PolicyView, PrivacyRequests, RetentionView};
use crate::sync_health::{Counts, DeadJob, JobHealth, SyncHealth, TopicSeen};

const PATH: &str = "admin/src/generated/api.ts";

/// One `export type` per line group, with its doc comment.
fn declaration<T: TS>(config: &Config) -> String {
    let docs = T::docs().map(|docs| format!("{}\n", docs.trim_end())).unwrap_or_default();
    format!("{docs}export {}\n", T::decl(config))
}

/// The whole file.
fn generated() -> String {
    // JSON numbers: every integer the API sends fits in a double (counts, ids, Unix seconds).
    let config = Config::new().with_large_int("number");
    let declarations = [
        declaration::<serde_json::Value>(&config),
        // Errors
        String::from(
            "/** Every refusal: `path` (a JSON pointer) and `message` name the field when one is wrong. */\n\
             export type ApiError = { error: string, path?: string, message?: string, limit?: string, upgrade_url?: string | null };\n",
        ),
        declaration::<UnixTime>(&config),
        declaration::<StepState>(&config),
        declaration::<PushState>(&config),
        declaration::<SyncState>(&config),
        declaration::<RunState>(&config),
        // Session and setup
        declaration::<SessionView>(&config),
        declaration::<WorkspaceView>(&config),
        declaration::<SetupStep>(&config),
        declaration::<SetupProgress>(&config),
        declaration::<SyncHealth>(&config),
        // Billing
        declaration::<Limits>(&config),
        declaration::<PlanView>(&config),
        declaration::<Usage>(&config),
        declaration::<TrialState>(&config),
        declaration::<BillingView>(&config),
        // Meta forwarding
        declaration::<MetaDrop>(&config),
        declaration::<MetaHealthView>(&config),
        declaration::<MetaView>(&config),
        declaration::<MetaInput>(&config),
        declaration::<TopicSeen>(&config),
        declaration::<JobHealth>(&config),
        declaration::<DeadJob>(&config),
        declaration::<Counts>(&config),
        // Segments
        declaration::<SegmentView>(&config),
        declaration::<NativeView>(&config),
        declaration::<EvaluationView>(&config),
        declaration::<PushView>(&config),
        declaration::<SegmentList>(&config),
        declaration::<Preview>(&config),
        declaration::<NativePreview>(&config),
        declaration::<CustomerCard>(&config),
        declaration::<CustomerSearch>(&config),
        declaration::<MemberRow>(&config),
        declaration::<MembersPage>(&config),
        declaration::<Change>(&config),
        declaration::<Changes>(&config),
        declaration::<Explanation>(&config),
        declaration::<ConditionOutcome>(&config),
        declaration::<Recomputed>(&config),
        declaration::<RecomputeReport>(&config),
        // Products
        declaration::<MetafieldRun>(&config),
        declaration::<MetafieldRunView>(&config),
        // Discounts
        declaration::<discount_rules::Rule>(&config),
        declaration::<discount_rules::DiscountValue>(&config),
        declaration::<discount_rules::Target>(&config),
        declaration::<RuleView>(&config),
        declaration::<SyncView>(&config),
        declaration::<RuleList>(&config),
        declaration::<TrialInput>(&config),
        declaration::<Cart>(&config),
        declaration::<CartLine>(&config),
        declaration::<Trial>(&config),
        declaration::<Given>(&config),
        declaration::<RuleOutcome>(&config),
        declaration::<GuestMisses>(&config),
        declaration::<GuestMiss>(&config),
        // Pixel
        declaration::<PixelStatus>(&config),
        declaration::<PixelEvent>(&config),
        declaration::<Reconnecting>(&config),
        declaration::<PixelSettingsView>(&config),
        // Settings and workspaces
        declaration::<PolicyView>(&config),
        declaration::<PrivacyRequest>(&config),
        declaration::<PrivacyRequests>(&config),
        declaration::<RetentionView>(&config),
        declaration::<ConnectedStore>(&config),
        declaration::<ConnectedStores>(&config),
        declaration::<CustomConnected>(&config),
        declaration::<Rotated>(&config),
        declaration::<LinkView>(&config),
        declaration::<NewLinkView>(&config),
        declaration::<LinkList>(&config),
        declaration::<Moved>(&config),
        declaration::<ServerKey>(&config),
    ];
    let mut file = String::from(
        "// Generated from the backend's view types (backend/src/api_types.rs); do not edit.\n\
         // `SEGLINK_UPDATE_TYPES=1 cargo test -p seglink api_types` writes it anew.\n\n",
    );
    file.push_str(&declarations.join("\n"));
    file
}

#[test]
fn the_admin_types_are_generated_from_the_current_views() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
    let fresh = generated();
    if std::env::var_os("SEGLINK_UPDATE_TYPES").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("the folder is writable");
        std::fs::write(&path, &fresh).expect("the file is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{PATH} is stale: run `SEGLINK_UPDATE_TYPES=1 cargo test -p seglink api_types` and commit it"
    );
}
