//! Turning stored webhook deliveries into state and canonical events (docs/backend.md, docs/pixel.md), under each
//! store's ingestion policy. Every step is idempotent, so a job that runs twice (a worker died
//! after the work and before marking it done) changes nothing the second time.

pub(crate) mod orders;
pub use orders::{ReleaseOrder, link_buyer, release as release_order};
pub mod payload;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{EventRow, Store};
use crate::jobs::{Job, JobError};
use crate::shop_domain::ShopDomain;

/// Processes one stored webhook delivery (queued with it by `Store::record_webhooks`).
#[derive(Serialize, Deserialize)]
pub struct ProcessWebhook {
    /// `X-Shopify-Event-Id`.
    pub event_id: String,
    /// Its topic.
    pub topic: String,
}

impl Job for ProcessWebhook {
    const KIND: &'static str = crate::db::WEBHOOK_JOB;

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        process_webhook(app, shop, &self).await
    }
}

/// What processing a delivery needs to know about it.
pub struct Delivery<'a> {
    /// The shop it came from.
    pub shop: &'a ShopDomain,
    /// Its topic.
    pub topic: &'a str,
    /// `X-Shopify-Event-Id`: names the events it produces.
    pub event_id: &'a str,
    /// When it was received (Unix seconds), for payloads without `updated_at`.
    pub received_at: UnixTime,
    /// The parsed body.
    pub body: Value,
}

impl Delivery<'_> {
    /// A canonical event from this delivery.
    pub fn event(
        &self,
        kind: &str,
        customer_id: Option<String>,
        order_id: Option<String>,
        properties: Value,
    ) -> EventRow {
        EventRow {
            kind: kind.to_owned(),
            source: "webhook".to_owned(),
            source_id: self.event_id.to_owned(),
            customer_id,
            order_id,
            occurred_at: self.received_at,
            properties: properties.to_string(),
            client_id: None,
        }
    }
}

/// Processes the delivery a `webhook` job of `shop` names, then prunes its body.
pub async fn process_webhook(app: &App, shop: &ShopDomain, job: &ProcessWebhook) -> Result<(), JobError> {
    let Some((Some(body), received_at)) = app.store.webhook_body(shop, &job.event_id, &job.topic).await?
    else {
        // Deleted since (shop/redact), or its body redacted (customers/redact): nothing to do.
        return Ok(());
    };
    let body: Value = serde_json::from_slice(&body)
        .map_err(|error| JobError::Fatal(format!("{} {} is not JSON: {error}", job.topic, job.event_id)))?;
    let now = crate::clock::unix_now();
    let delivery = Delivery { shop, topic: &job.topic, event_id: &job.event_id, received_at, body };
    // An order can move to another customer: the one it had counts as concerned too.
    let previous = match payload::id(&delivery.body, "id") {
        Some(order_id) if delivery.topic.starts_with("orders/") && delivery.topic != "orders/edited" => {
            app.store.order(shop, &order_id).await?.and_then(|order| order.customer_id)
        }
        _ => None,
    };
    dispatch(app, &delivery, now).await?;
    // Only the customers the delivery concerns are evaluated again (docs/segments.md).
    let current = concerned_customer(&app.store, &delivery).await?;
    for customer in
        previous.iter().chain(current.iter().filter(|current| previous.as_ref() != Some(*current)))
    {
        crate::segments::refresh_customer(&app.store, shop, customer, now).await?;
    }
    app.store.prune_webhook_body(shop, &job.event_id, &job.topic).await?;
    Ok(())
}

/// The customer whose segments a delivery can change.
async fn concerned_customer(store: &Store, delivery: &Delivery<'_>) -> Result<Option<String>, JobError> {
    let body = &delivery.body;
    Ok(match delivery.topic {
        "customers/create" | "customers/update" | "customers/delete" => payload::id(body, "id"),
        "customers/marketing_consent_update" | "customers_marketing_consent/update" => {
            payload::id(body, "customer_id").or_else(|| payload::id(body, "id"))
        }
        "orders/create" | "orders/updated" | "orders/paid" | "orders/cancelled" | "checkouts/create"
        | "carts/update" => body.get("customer").and_then(|customer| payload::id(customer, "id")),
        "orders/edited" | "refunds/create" => {
            let order_id = body
                .pointer("/order_edit/order_id")
                .and_then(payload::id_text)
                .or_else(|| payload::id(body, "order_id"));
            match order_id {
                Some(order_id) => {
                    store.order(delivery.shop, &order_id).await?.and_then(|order| order.customer_id)
                }
                None => None,
            }
        }
        _ => None,
    })
}

async fn dispatch(app: &App, delivery: &Delivery<'_>, now: UnixTime) -> Result<(), JobError> {
    let store = &app.store;
    let shop = delivery.shop;
    let body = &delivery.body;
    match delivery.topic {
        "orders/create" | "orders/updated" | "orders/paid" | "orders/edited" | "orders/cancelled" => {
            orders::process(app, delivery, now).await
        }
        "refunds/create" => {
            let order_id = payload::id(body, "order_id");
            let customer = match &order_id {
                Some(order_id) => store.order(shop, order_id).await?.and_then(|order| order.customer_id),
                None => None,
            };
            let refund = json!({ "refund_id": payload::id(body, "id") });
            store.record_event(shop, &delivery.event("refund", customer, order_id, refund)).await?;
            Ok(())
        }
        "customers/create" | "customers/update" => {
            let customer =
                payload::customer(body, delivery.received_at).ok_or_else(|| missing("customer id"))?;
            store.upsert_customer(shop, &customer).await?;
            if delivery.topic == "customers/create" {
                let event =
                    delivery.event("customer_created", Some(customer.customer_id.clone()), None, json!({}));
                store.record_event(shop, &event).await?;
            }
            Ok(())
        }
        "customers/delete" => {
            let customer_id = payload::id(body, "id").ok_or_else(|| missing("customer id"))?;
            store.delete_customer(shop, &customer_id, now).await?;
            Ok(())
        }
        "customers/marketing_consent_update" | "customers_marketing_consent/update" => {
            let customer_id = payload::id(body, "customer_id").or_else(|| payload::id(body, "id"));
            let state = body.pointer("/email_marketing_consent/state").cloned().unwrap_or(Value::Null);
            store
                .record_event(
                    shop,
                    &delivery.event("consent_change", customer_id, None, json!({ "state": state })),
                )
                .await?;
            Ok(())
        }
        "checkouts/create" | "checkouts/update" | "carts/create" | "carts/update" => {
            let kind = match delivery.topic {
                "checkouts/create" => "checkout_start",
                "carts/update" => "cart_update",
                // Updates to a checkout and a new cart change no segment on their own.
                _ => return Ok(()),
            };
            let customer = body.get("customer").and_then(|customer| payload::id(customer, "id"));
            let token = body.get("token").cloned().unwrap_or(Value::Null);
            store
                .record_event(shop, &delivery.event(kind, customer, None, json!({ "token": token })))
                .await?;
            Ok(())
        }
        "fulfillments/create" | "fulfillments/update" => {
            let order_id = payload::id(body, "order_id");
            let status = body.get("status").cloned().unwrap_or(Value::Null);
            store
                .record_event(
                    shop,
                    &delivery.event("fulfillment", None, order_id, json!({ "status": status })),
                )
                .await?;
            Ok(())
        }
        "products/create" | "products/update" | "products/delete" => {
            let deleted = delivery.topic == "products/delete";
            let product =
                payload::product(body, delivery.received_at, deleted).ok_or_else(|| missing("product id"))?;
            store.upsert_product(shop, &product).await?;
            Ok(())
        }
        "app/uninstalled" => {
            // Shopify removes the app's pixel, metafield definitions and discount with it.
            store.record_uninstall(shop, now).await?;
            Ok(())
        }
        "app/scopes_update" => {
            let current: Vec<&str> = body
                .get("current")
                .and_then(Value::as_array)
                .map(|scopes| scopes.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            store.set_scopes(shop, &current.join(",")).await?;
            Ok(())
        }
        "app_subscriptions/update" => {
            // The payload says a subscription changed; the plan is what Shopify says after it.
            crate::billing::SyncPlan::queue(store, shop, now).await?;
            Ok(())
        }
        "customers/data_request" | "customers/redact" | "shop/redact" => {
            crate::privacy::process(&app.store, delivery, now).await
        }
        // Nothing Seglink keeps (a topic subscribed by hand, say).
        _ => Ok(()),
    }
}

fn missing(what: &str) -> JobError {
    JobError::Fatal(format!("the payload has no {what}"))
}
