//! Catalog benchmarks (not tests); docs/benchmarks.md gives the figures and this command:
//!
//!   cargo run --release -p seglink --example catalog_bench -- [PRODUCTS] [CHANGED_PERCENT]
//!
//! `score`: the four metafield values and their digests for PRODUCTS generated products, and the
//! diff against the digests of a run before. `nightly`: the Shopify simulator holds PRODUCTS
//! products; a first run writes every product's metafields, then CHANGED_PERCENT of the listings
//! change and the nightly run writes again; each line reports the `metafieldsSet` calls and the
//! Admin API points the simulator charged, beside what writing every product every night (the
//! naive way) costs. Output: JSON lines.

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use seglink::app::{App, AppState};
use seglink::catalog::WriteProductMetafields;
use seglink::catalog::values::{ProductValues, StoreFacts};
use seglink::clock::{UnixTime, unix_now};
use seglink::db::{ProductRow, Seo, Store, StoredProduct, VariantRow};
use seglink::jobs::Job as _;
use seglink::shop_domain::ShopDomain;
use serde_json::json;
use shopify_sim::shop::Product;

#[path = "common/simulated.rs"]
mod simulated;

/// The row Seglink would store for a simulated product.
fn row(product: &Product, updated_at: UnixTime) -> ProductRow {
    let listing = &product.listing;
    ProductRow {
        product_id: product.id.to_string(),
        title: Some(product.title.clone()),
        handle: Some(product.handle.clone()),
        status: Some("active".to_owned()),
        tags: product.tags.join(", "),
        description_html: Some(listing.description_html.clone()),
        product_type: Some(product.product_type.clone()),
        vendor: Some(listing.vendor.clone()),
        seo: Some(Seo { title: listing.seo_title.clone(), description: listing.seo_description.clone() }),
        image_alts: Some(listing.images.iter().map(|image| image.alt.clone()).collect()),
        collections: Some(Vec::new()),
        variants: Some(
            product
                .variants
                .iter()
                .map(|variant| VariantRow {
                    variant_id: variant.id.to_string(),
                    title: Some(variant.title.clone()),
                    sku: Some(variant.sku.clone()),
                    barcode: variant.barcode.clone(),
                    price: Some(format!("{}.{:02}", variant.price_cents / 100, variant.price_cents % 100)),
                    compare_at_price: None,
                    inventory_quantity: Some(variant.inventory_quantity),
                })
                .collect(),
        ),
        updated_at,
        deleted: false,
    }
}

fn stored(product: &Product) -> (StoredProduct, Vec<VariantRow>) {
    let row = row(product, UnixTime::EPOCH);
    let images = row
        .image_alts
        .as_ref()
        .map(|alts| json!(alts.iter().map(|alt| json!({ "alt": alt })).collect::<Vec<_>>()).to_string());
    let stored = StoredProduct {
        product_id: row.product_id.clone(),
        title: row.title.clone(),
        handle: row.handle.clone(),
        status: row.status.clone(),
        description_html: row.description_html.clone(),
        product_type: row.product_type.clone(),
        vendor: row.vendor.clone(),
        seo_title: row.seo.as_ref().and_then(|seo| seo.title.clone()),
        seo_description: row.seo.as_ref().and_then(|seo| seo.description.clone()),
        images,
        updated_at: UnixTime::EPOCH,
        deleted: false,
    };
    (stored, row.variants.unwrap_or_default())
}

/// The merchant's edit: an SEO title set where there was none, removed where there was one, so
/// the listing's score moves.
fn toggled(title: Option<String>, index: usize) -> Option<String> {
    match title {
        Some(_) => None,
        None => Some(format!("Edited {index}")),
    }
}

fn seeded(products: usize) -> shopify_sim::shop::Shop {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    shopify_sim::seed_shop(&shopify_sim::SeedOptions {
        customers: 10,
        products,
        orders: 0,
        now,
        ..Default::default()
    })
}

fn score(products: usize, changed_percent: usize) {
    let shop = seeded(products);
    let catalog: Vec<(StoredProduct, Vec<VariantRow>)> = shop.products.iter().map(stored).collect();
    let facts = StoreFacts::default();
    let started = Instant::now();
    let before: HashMap<String, String> = catalog
        .iter()
        .map(|(product, variants)| {
            (product.product_id.clone(), ProductValues::of(product, variants, &facts).digest())
        })
        .collect();
    let first = started.elapsed();
    // A share of the listings gain an SEO title, as a merchant's edits would.
    let edited: Vec<(StoredProduct, Vec<VariantRow>)> = catalog
        .into_iter()
        .enumerate()
        .map(|(index, (mut product, variants))| {
            if index % 100 < changed_percent {
                product.seo_title = toggled(product.seo_title.take(), index);
            }
            (product, variants)
        })
        .collect();
    let started = Instant::now();
    let changed = edited
        .iter()
        .filter(|(product, variants)| {
            before.get(&product.product_id) != Some(&ProductValues::of(product, variants, &facts).digest())
        })
        .count();
    let diff = started.elapsed();
    println!(
        "{}",
        json!({ "bench": "score", "products": products, "score_and_digest_ms": first.as_millis(),
                "score_digest_and_diff_ms": diff.as_millis(), "changed": changed })
    );
}

async fn nightly(products: usize, changed_percent: usize) {
    let shop = seeded(products);
    let catalog = shop.products.clone();
    let domain = ShopDomain::parse(&shop.domain).expect("a shop domain");
    // Enterprise limits so the run is not paced: the points charged are the same on every plan.
    let served =
        simulated::serve_shop(shop, shopify_sim::Plan::Enterprise, &["read_products", "write_products"])
            .await;
    let (sim, origin) = (&served.sim, &served.origin);

    let file = std::env::temp_dir().join("seglink_bench_catalog.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await.expect("the benchmark database opens");
    let app =
        AppState(std::sync::Arc::new(App::new(simulated::config(&url, Some(origin), &[]), store.clone())));
    let now = unix_now();
    simulated::connect(&app, &domain, &served.token, "read_products,write_products", now).await;
    for product in &catalog {
        store.upsert_product(&domain, &row(product, now)).await.expect("a product");
    }
    let spent = || {
        sim.with_admin(|admin| (admin.calls().len(), admin.calls().iter().map(|call| call.cost).sum::<u64>()))
    };
    let report = |label: &str, changed: i64, started: Instant, before: (usize, u64)| {
        let (calls, cost) = spent();
        let (calls, cost) = (calls - before.0, cost - before.1);
        println!(
            "{}",
            json!({ "bench": "nightly", "run": label, "products": products, "changed": changed, "calls": calls,
                    "cost": cost, "cost_per_changed_product": cost as f64 / changed.max(1) as f64,
                    "seconds": started.elapsed().as_secs_f64() })
        );
        cost
    };
    let before = spent();
    let started = Instant::now();
    WriteProductMetafields::default().run(&app, &domain).await.expect("the first run");
    let changed = store.metafield_run(&domain).await.expect("a run").map_or(0, |run| run.changed);
    let naive_cost =
        report("first (every product, as the naive way does every night)", changed, started, before);

    for (index, product) in catalog.iter().enumerate().filter(|(index, _)| index % 100 < changed_percent) {
        let mut edited = row(product, now + 1);
        edited.seo = Some(Seo {
            title: toggled(product.listing.seo_title.clone(), index),
            description: product.listing.seo_description.clone(),
        });
        store.upsert_product(&domain, &edited).await.expect("an edit");
    }
    let before = spent();
    let started = Instant::now();
    WriteProductMetafields::default().run(&app, &domain).await.expect("the nightly run");
    let changed = store.metafield_run(&domain).await.expect("a run").map_or(0, |run| run.changed);
    let seglink_cost = report("nightly, only what changed", changed, started, before);
    println!(
        "{}",
        json!({ "bench": "nightly", "naive_cost_per_night": naive_cost, "seglink_cost_per_night": seglink_cost,
                "ratio": naive_cost as f64 / seglink_cost.max(1) as f64 })
    );
}

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args().skip(1);
    let products: usize = arguments.next().and_then(|text| text.parse().ok()).unwrap_or(50_000);
    let changed_percent: usize = arguments.next().and_then(|text| text.parse().ok()).unwrap_or(10);
    score(products, changed_percent);
    nightly(products, changed_percent).await;
}
