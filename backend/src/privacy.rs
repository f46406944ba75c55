//! The mandatory compliance webhooks (reference notes, backend §1.6): each request is recorded
//! with its 30-day due date, then carried out from what Seglink stores.

use serde_json::Value;

use crate::app::App;
use crate::ingest::{Delivery, payload};
use crate::jobs::JobError;

/// Carries out `customers/data_request`, `customers/redact` or `shop/redact`.
pub async fn process(app: &App, delivery: &Delivery<'_>, now: i64) -> Result<(), JobError> {
    let store = &app.store;
    let customer_id = delivery.body.get("customer").and_then(|customer| payload::id(customer, "id"));
    store
        .record_privacy_request(
            delivery.shop,
            delivery.topic,
            customer_id.as_deref(),
            delivery.event_id,
            delivery.received_at,
        )
        .await?;
    let export = match (delivery.topic, &customer_id) {
        ("customers/data_request", Some(customer_id)) => {
            Some(store.customer_export(delivery.shop, customer_id).await?.to_string())
        }
        ("customers/redact", Some(customer_id)) => {
            let orders: Vec<String> = delivery
                .body
                .get("orders_to_redact")
                .and_then(Value::as_array)
                .map(|ids| ids.iter().filter_map(payload::id_text).collect())
                .unwrap_or_default();
            store.redact_customer(delivery.shop, customer_id, &orders).await?;
            None
        }
        ("shop/redact", _) => {
            store.redact_shop(delivery.shop).await?;
            None
        }
        _ => return Err(JobError::Fatal(format!("{} without a customer id", delivery.topic))),
    };
    store.complete_privacy_request(delivery.event_id, export.as_deref(), now).await?;
    Ok(())
}
