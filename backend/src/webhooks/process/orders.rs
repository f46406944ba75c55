//! Order deliveries: the policy decides whether the order counts at all; the upsell delay holds
//! its events and folds later edits in; otherwise each topic gives its canonical event.

use serde_json::{Value, json};

use super::{Delivery, payload};
use crate::app::App;
use crate::clock::UnixTime;
use crate::db::{IngestionPolicy, OrderRow, Store};
use crate::jobs::{Job, JobError};
use crate::shop_domain::ShopDomain;

/// Why a policy leaves an order out, if it does.
pub fn excluded_by(policy: &IngestionPolicy, order: &OrderRow) -> Option<String> {
    if policy.exclude_test_orders && order.test {
        return Some("a test order".to_owned());
    }
    if let Some(channel) = order.source_name.as_deref().filter(|channel| {
        policy.excluded_channels.iter().any(|excluded| excluded.eq_ignore_ascii_case(channel))
    }) {
        return Some(format!("from the {channel} channel"));
    }
    order
        .tags
        .split(',')
        .map(str::trim)
        .find(|tag| policy.excluded_tags.iter().any(|excluded| excluded.eq_ignore_ascii_case(tag)))
        .map(|tag| format!("tagged {tag}"))
}

/// The event an order delivery gives, when it gives one.
fn event_kind(topic: &str) -> Option<&'static str> {
    match topic {
        "orders/paid" => Some("purchase"),
        "orders/create" => Some("order_created"),
        "orders/edited" => Some("order_modified"),
        "orders/cancelled" => Some("order_cancelled"),
        _ => None,
    }
}

/// What an order event carries: enough for behaviour rules on products and amounts.
pub fn order_properties(order: &OrderRow) -> Value {
    json!({
        "name": order.name, "total_price": order.total_price, "currency": order.currency,
        "source_name": order.source_name,
        "line_items": serde_json::from_str::<Value>(&order.line_items).unwrap_or(Value::Null),
    })
}

pub(super) async fn process(app: &App, delivery: &Delivery<'_>, now: UnixTime) -> Result<(), JobError> {
    let store = &app.store;
    // orders/edited carries the order under `order_edit`, without its totals: fold it by id.
    let order = if delivery.topic == "orders/edited" {
        let order_id = delivery
            .body
            .pointer("/order_edit/order_id")
            .and_then(payload::id_text)
            .or_else(|| payload::id(&delivery.body, "id"))
            .ok_or_else(|| JobError::Fatal("orders/edited without an order id".to_owned()))?;
        match store.order(delivery.shop, &order_id).await? {
            Some(order) => order,
            None => OrderRow { order_id, updated_at: delivery.received_at, ..OrderRow::default() },
        }
    } else {
        let order = payload::order(&delivery.body, delivery.received_at)
            .ok_or_else(|| JobError::Fatal(format!("{} without an order id", delivery.topic)))?;
        store.upsert_order(delivery.shop, &order).await?;
        order
    };
    let policy = store.ingestion_policy(delivery.shop).await?;
    if excluded_by(&policy, &order).is_some() {
        return Ok(());
    }
    if delivery.topic == "orders/create" {
        // Meta's Purchase comes from the verified order, never from the browser's word.
        crate::meta::queue_purchase(app, delivery.shop, &delivery.body, now).await?;
    }
    let Some(kind) = event_kind(delivery.topic) else { return Ok(()) };
    let holds = matches!(kind, "purchase" | "order_created" | "order_modified");
    if policy.upsell_delay_minutes > 0 && holds {
        let first_hold = store
            .hold_order(
                delivery.shop,
                &order.order_id,
                kind == "purchase",
                delivery.event_id,
                delivery.received_at + policy.upsell_delay_minutes * 60,
            )
            .await?;
        if first_hold {
            let job = ReleaseOrder { order_id: order.order_id.clone() }.queued(
                delivery.shop,
                now + policy.upsell_delay_minutes * 60,
                Some(format!("release:{}:{}", delivery.shop, order.order_id)),
            );
            store.enqueue(&job).await?;
            app.jobs_waiting.notify_waiters();
        }
        return Ok(());
    }
    let event = delivery.event(
        kind,
        order.customer_id.clone(),
        Some(order.order_id.clone()),
        order_properties(&order),
    );
    store.record_event(delivery.shop, &event).await?;
    if kind == "purchase" {
        link_buyer(&app.store, delivery.shop, &order.order_id).await?;
    }
    Ok(())
}

/// Ties the storefront client whose checkout became this order to the order's customer. The
/// verified order names its checkout token, and only the client whose pixel reported that token
/// is linked: a shopper cannot know another's token, so claiming someone's order id links nothing
/// (docs/security.md). Returns the customer linked, whose segments the client's events can now
/// change.
pub async fn link_buyer(
    store: &Store,
    shop: &ShopDomain,
    order_id: &str,
) -> Result<Option<String>, JobError> {
    let store = &store;
    let Some(order) = store.order(shop, order_id).await? else { return Ok(None) };
    let (Some(token), Some(customer_id)) = (order.checkout_token, order.customer_id) else { return Ok(None) };
    let Some(client_id) = store.checkout_client(shop, &token).await? else { return Ok(None) };
    store.link_client(shop, &client_id, &customer_id, crate::clock::unix_now()).await?;
    Ok(Some(customer_id))
}

/// Ends a post-purchase upsell hold on an order.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ReleaseOrder {
    order_id: String,
}

impl Job for ReleaseOrder {
    const KIND: &'static str = "release_order";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        release(&app.store, shop, &self.order_id).await
    }
}

/// Ends an upsell hold: one event for the order as it stands now, edits included.
pub async fn release(store: &Store, shop: &ShopDomain, order_id: &str) -> Result<(), JobError> {
    let store = &store;
    let Some((paid, source_id)) = store.held_order(shop, order_id).await? else { return Ok(()) };
    let Some(order) = store.order(shop, order_id).await? else {
        store.end_hold(shop, order_id).await?;
        return Ok(());
    };
    let kind = if paid { "purchase" } else { "order_created" };
    let event = crate::db::EventRow {
        kind: kind.to_owned(),
        source: "webhook".to_owned(),
        source_id,
        customer_id: order.customer_id.clone(),
        order_id: Some(order.order_id.clone()),
        occurred_at: order.created_at.unwrap_or(order.updated_at),
        properties: order_properties(&order).to_string(),
        client_id: None,
    };
    // Recorded before the hold ends, so a crash in between repeats the (idempotent) event.
    store.record_event(shop, &event).await?;
    if paid {
        link_buyer(store, shop, order_id).await?;
    }
    store.end_hold(shop, order_id).await?;
    Ok(())
}
