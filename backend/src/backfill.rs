//! The historical backfill (docs/backend.md): customers, the last 90 days of orders, and products,
//! each read with one bulk operation and streamed from its JSONL result into the same tables the
//! webhooks fill. Each stage is a `backfill` job; a job that finds its operation still running
//! queues the next look and finishes, so no worker waits on Shopify. Progress is the `backfill`
//! setup step.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::clock::{UnixTime, unix_now};
use crate::db::{CustomerRow, EventRow, NewJob, OrderRow, ProductRow, Seo, StepState, Store, VariantRow};
use crate::jobs::{Job, JobError};
use crate::shopify::storage::fetch_result;
use crate::shopify::{ShopDomain, bulk_query, gid};

/// Orders this many days back are read.
pub const ORDER_DAYS: i64 = 90;
/// How long to wait before looking at a running operation again.
const POLL_SECS: i64 = 2;

/// What each stage reads.
const STAGES: [Stage; 3] = [Stage::Customers, Stage::Orders, Stage::Products];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stage {
    Customers,
    Orders,
    Products,
}

impl Stage {
    fn query(self, now: UnixTime) -> String {
        match self {
            Self::Customers => "{ customers { edges { node { id email firstName lastName tags createdAt \
                                defaultAddress { countryCodeV2 } } } } }"
                .to_owned(),
            Self::Orders => {
                let since = time::OffsetDateTime::from_unix_timestamp((now - ORDER_DAYS * 86_400).secs())
                    .map(|at| at.date().to_string())
                    .unwrap_or_default();
                format!(
                    "{{ orders(query: \"created_at:>={since}\") {{ edges {{ node {{ id name email processedAt cancelledAt \
                     displayFinancialStatus currencyCode currentTotalPriceSet {{ shopMoney {{ amount }} }} \
                     customer {{ id }} lineItems {{ edges {{ node {{ quantity \
                     originalUnitPriceSet {{ shopMoney {{ amount }} }} product {{ id }} variant {{ id }} }} }} }} \
                     }} }} }} }}"
                )
            }
            // Four connections of the five a bulk query may hold, nested one deep.
            Self::Products => {
                "{ products { edges { node { id title handle tags status descriptionHtml productType \
                               vendor seo { title description } collections { edges { node { id } } } \
                               media { edges { node { id alt } } } variants { edges { node { id title sku \
                               barcode price compareAtPrice inventoryQuantity } } } } } } }"
                    .to_owned()
            }
        }
    }
}

/// One step of a store's backfill: the stage, and its bulk operation once started.
#[derive(Serialize, Deserialize)]
pub struct Backfill {
    stage: Stage,
    operation: Option<String>,
    /// When the operation started (Unix seconds): the snapshot's time, used as `updated_at`.
    started_at: Option<UnixTime>,
}

/// The job that starts the backfill of `shop`, keyed by the shop: queued with
/// `enqueue_unless_pending`, a second start waiting beside the first is dropped, and a reinstall
/// after the last one ran (in the same second, too) starts a new one.
pub fn first_job(shop: &ShopDomain, now: UnixTime) -> NewJob {
    next_job(
        shop,
        &Backfill { stage: Stage::Customers, operation: None, started_at: None },
        now,
        Some(format!("backfill:{shop}")),
    )
}

impl Job for Backfill {
    const KIND: &'static str = "backfill";

    async fn run(self, app: &App, shop: &ShopDomain) -> Result<(), JobError> {
        run(app, shop, self).await
    }
}

fn next_job(shop: &ShopDomain, progress: &Backfill, run_at: UnixTime, dedupe_key: Option<String>) -> NewJob {
    progress.queued(shop, run_at, dedupe_key)
}

/// Runs one step of a backfill.
async fn run(app: &App, shop: &ShopDomain, progress: Backfill) -> Result<(), JobError> {
    let now = unix_now();
    let Some(operation) = progress.operation.clone() else {
        let operation = bulk_query::start(&app.shopify, shop, progress.stage.query(now)).await?;
        let detail = format!("{:?}: started", progress.stage).to_lowercase();
        app.store.set_setup_step(shop, "backfill", StepState::Running, Some(&detail), now).await?;
        let started = Backfill { stage: progress.stage, operation: Some(operation), started_at: Some(now) };
        app.store.enqueue(&next_job(shop, &started, now, None)).await?;
        return Ok(());
    };
    let url = match bulk_query::progress(&app.shopify, shop, &operation).await? {
        bulk_query::Progress::Running => {
            app.store.enqueue(&next_job(shop, &progress, now + POLL_SECS, None)).await?;
            return Ok(());
        }
        bulk_query::Progress::Completed(url) => url,
        bulk_query::Progress::Failed(reason) => {
            let reason = format!("the {:?} bulk query {reason}", progress.stage);
            app.store.set_setup_step(shop, "backfill", StepState::Failed, Some(&reason), now).await?;
            return Err(JobError::Fatal(reason));
        }
    };
    let snapshot_at = progress.started_at.unwrap_or(now);
    let read = match url {
        Some(url) => {
            load(&app.store, shop, progress.stage, &fetch_result(&app.shopify, &url).await?, snapshot_at)
                .await?
        }
        // Shopify gives no URL when nothing matched.
        None => 0,
    };
    let position = STAGES.iter().position(|stage| *stage == progress.stage).unwrap_or(STAGES.len());
    let detail = format!("{:?}: {read} read", progress.stage).to_lowercase();
    match STAGES.get(position + 1) {
        Some(next) => {
            app.store.set_setup_step(shop, "backfill", StepState::Running, Some(&detail), now).await?;
            let next = Backfill { stage: *next, operation: None, started_at: None };
            app.store.enqueue(&next_job(shop, &next, now, None)).await?;
        }
        None => {
            app.store
                .set_setup_step(
                    shop,
                    "backfill",
                    StepState::Done,
                    Some("customers, orders and products read"),
                    now,
                )
                .await?;
            crate::segments::suggest(&app.store, shop, now).await?;
        }
    }
    Ok(())
}

fn text(node: &Value, pointer: &str) -> Option<String> {
    node.pointer(pointer).and_then(Value::as_str).map(str::to_owned)
}

fn tags(node: &Value) -> String {
    node.get("tags")
        .and_then(Value::as_array)
        .map(|tags| tags.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// A result's objects: each top-level node with the nodes of its nested connections, which
/// Shopify writes after it on lines of their own naming it in `__parentId`.
fn nodes_with_children(jsonl: &str) -> Result<Vec<(Value, Vec<Value>)>, JobError> {
    let mut nodes: Vec<(Value, Vec<Value>)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for line in jsonl.lines().filter(|line| !line.trim().is_empty()) {
        let node: Value = serde_json::from_str(line)
            .map_err(|error| JobError::Retry(format!("a bad result line: {error}")))?;
        match node.get("__parentId").and_then(Value::as_str) {
            Some(parent) => {
                if let Some(&position) = by_id.get(parent) {
                    nodes[position].1.push(node);
                }
            }
            None => {
                if let Some(id) = node.get("id").and_then(Value::as_str) {
                    by_id.insert(id.to_owned(), nodes.len());
                }
                nodes.push((node, Vec::new()));
            }
        }
    }
    Ok(nodes)
}

/// The children whose id is a `kind` GID (`Collection`, `ProductVariant`, `MediaImage`).
fn children_of<'a>(children: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    let prefix = format!("gid://shopify/{kind}/");
    children.iter().filter(move |child| {
        child.get("id").and_then(Value::as_str).is_some_and(|id| id.starts_with(&prefix))
    })
}

/// Stores each object of a stage's result; how many were read.
async fn load(
    store: &Store,
    shop: &ShopDomain,
    stage: Stage,
    jsonl: &str,
    snapshot_at: UnixTime,
) -> Result<usize, JobError> {
    let nodes = nodes_with_children(jsonl)?;
    let mut read = 0;
    for (node, children) in &nodes {
        let Some(id) = node.get("id").and_then(Value::as_str).map(|id| gid::numeric(id).to_owned()) else {
            continue;
        };
        read += 1;
        match stage {
            Stage::Customers => {
                let customer = CustomerRow {
                    customer_id: id,
                    email: text(node, "/email"),
                    first_name: text(node, "/firstName"),
                    last_name: text(node, "/lastName"),
                    country: text(node, "/defaultAddress/countryCodeV2"),
                    tags: tags(node),
                    created_at: text(node, "/createdAt").as_deref().and_then(UnixTime::parse_rfc3339),
                    updated_at: snapshot_at,
                    ..CustomerRow::default()
                };
                store.upsert_customer(shop, &customer).await?;
            }
            Stage::Orders => load_order(store, shop, id, node, children, snapshot_at).await?,
            Stage::Products => {
                store.upsert_product(shop, &product(id, node, children, snapshot_at)).await?;
            }
        }
    }
    Ok(read)
}

async fn load_order(
    store: &Store,
    shop: &ShopDomain,
    id: String,
    node: &Value,
    line_items: &[Value],
    snapshot_at: UnixTime,
) -> Result<(), JobError> {
    let processed_at = text(node, "/processedAt").as_deref().and_then(UnixTime::parse_rfc3339);
    let customer_id = text(node, "/customer/id").map(|gid| gid::numeric(&gid).to_owned());
    let guest_email = match customer_id {
        None => text(node, "/email").map(|email| email.trim().to_lowercase()),
        Some(_) => None,
    };
    // The shape the order webhooks give (`webhooks::process::payload::order`).
    let lines: Vec<Value> = line_items
        .iter()
        .map(|line| {
            let numeric = |pointer: &str| text(line, pointer).map(|gid| gid::numeric(&gid).to_owned());
            json!({
                "product_id": numeric("/product/id"), "variant_id": numeric("/variant/id"),
                "quantity": line.get("quantity").and_then(Value::as_i64).unwrap_or(1),
                "price": text(line, "/originalUnitPriceSet/shopMoney/amount"),
            })
        })
        .collect();
    let order = OrderRow {
        order_id: id.clone(),
        customer_id,
        guest_email,
        name: text(node, "/name"),
        total_price: text(node, "/currentTotalPriceSet/shopMoney/amount"),
        currency: text(node, "/currencyCode"),
        financial_status: text(node, "/displayFinancialStatus").map(|status| status.to_lowercase()),
        line_items: Value::from(lines).to_string(),
        cancelled_at: text(node, "/cancelledAt").as_deref().and_then(UnixTime::parse_rfc3339),
        created_at: processed_at,
        updated_at: snapshot_at,
        ..OrderRow::default()
    };
    store.upsert_order(shop, &order).await?;
    let purchased = matches!(
        order.financial_status.as_deref(),
        Some("paid" | "partially_paid" | "partially_refunded" | "refunded")
    );
    if purchased {
        let event = EventRow {
            kind: "purchase".to_owned(),
            source: "backfill".to_owned(),
            source_id: id.clone(),
            customer_id: order.customer_id.clone(),
            order_id: Some(id),
            occurred_at: processed_at.unwrap_or(snapshot_at),
            properties: crate::webhooks::process::orders::order_properties(&order).to_string(),
            client_id: None,
        };
        store.record_event(shop, &event).await?;
    }
    Ok(())
}

/// A product line of the result with its collections, images and variants.
fn product(id: String, node: &Value, children: &[Value], snapshot_at: UnixTime) -> ProductRow {
    let numeric =
        |child: &Value| child.get("id").and_then(Value::as_str).map(|id| gid::numeric(id).to_owned());
    ProductRow {
        product_id: id,
        title: text(node, "/title"),
        handle: text(node, "/handle"),
        status: text(node, "/status").map(|status| status.to_lowercase()),
        tags: tags(node),
        description_html: text(node, "/descriptionHtml"),
        product_type: text(node, "/productType"),
        vendor: text(node, "/vendor"),
        seo: Some(Seo { title: text(node, "/seo/title"), description: text(node, "/seo/description") }),
        image_alts: Some(
            children_of(children, "MediaImage")
                .map(|image| text(image, "/alt").filter(|alt| !alt.trim().is_empty()))
                .collect(),
        ),
        collections: Some(children_of(children, "Collection").filter_map(numeric).collect()),
        variants: Some(
            children_of(children, "ProductVariant")
                .filter_map(|variant| {
                    Some(VariantRow {
                        variant_id: numeric(variant)?,
                        title: text(variant, "/title"),
                        sku: text(variant, "/sku").filter(|sku| !sku.trim().is_empty()),
                        barcode: text(variant, "/barcode").filter(|barcode| !barcode.trim().is_empty()),
                        price: text(variant, "/price"),
                        compare_at_price: text(variant, "/compareAtPrice"),
                        inventory_quantity: variant.get("inventoryQuantity").and_then(Value::as_i64),
                    })
                })
                .collect(),
        ),
        updated_at: snapshot_at,
        deleted: false,
    }
}
