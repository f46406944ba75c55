//! Fires stored segment changes to Flow with `flowTriggerReceive`, oldest first, one call each
//! (Flow starts one workflow run per call). The changes were written to the outbox in the
//! transaction that recorded them, so a change is fired only once it is committed, and a change
//! whose call succeeded is deleted before the next: a worker that dies between a call and its
//! delete fires that one change again, and no other.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{DbError, FlowPending, Store};
use crate::jobs::{Job, JobError};
use crate::shopify::ShopDomain;
use crate::shopify::operations::{FlowTriggerReceive, flow_trigger_receive};

/// Changes read at a time.
const BATCH: i64 = 100;

/// Fires what a shop's outbox holds.
#[derive(Serialize, Deserialize)]
pub struct FireTriggers {}

impl Job for FireTriggers {
    const KIND: &'static str = "flow_fire";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        loop {
            let pending = app.store.flow_pending(shop, BATCH).await?;
            if pending.is_empty() {
                return Ok(());
            }
            // Read again each batch: a trigger turned off meanwhile fires nothing more.
            let in_use = app.store.flow_triggers_in_use(shop).await?;
            for change in pending {
                if in_use.contains(&change.handle) {
                    fire(app, shop, &change).await?;
                }
                app.store.forget_flow_pending(change.id).await?;
            }
        }
    }
}

/// Queues a firing of `shop`'s outbox unless one is waiting.
pub async fn queue(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<(), DbError> {
    store.enqueue_unless_pending(&FireTriggers {}.queued(shop, now, Some(format!("flow:{shop}")))).await?;
    Ok(())
}

/// The trigger's payload: as stored for a product trigger; for a segment change its fields by
/// key, the customer as `customer_id` (a number, as Flow's examples send it).
fn payload(change: &FlowPending) -> Value {
    if let Some(payload) = change.payload.as_deref().and_then(|text| serde_json::from_str(text).ok()) {
        return payload;
    }
    let customer: Value =
        change.customer_id.parse::<u64>().map_or_else(|_| change.customer_id.clone().into(), Value::from);
    json!({
        "customer_id": customer,
        "Segment slug": change.slug,
        "Segment name": change.name.clone().unwrap_or_else(|| change.slug.clone()),
    })
}

async fn fire(app: &App, shop: &ShopDomain, change: &FlowPending) -> Result<(), JobError> {
    let variables =
        flow_trigger_receive::Variables { handle: change.handle.clone(), payload: payload(change) };
    let data = app.shopify.run::<FlowTriggerReceive>(shop, variables).await?;
    let errors = data.flow_trigger_receive.map(|answer| answer.user_errors).unwrap_or_default();
    if let Some(error) = errors.first() {
        // Flow refused this change (a trigger not deployed, a payload it does not take): asking
        // again would be refused again, so it is logged and dropped, and the rest go on.
        let id = change.id.to_string();
        let fields = [
            ("shop", shop.as_str()),
            ("trigger", change.handle.as_str()),
            ("change", id.as_str()),
            ("reason", error.message.as_str()),
        ];
        crate::log::warn("Flow refused a trigger; dropped", &fields);
    }
    Ok(())
}
