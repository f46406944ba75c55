//! Products in full, on every database: the backfill reads each product with its description,
//! vendor, SEO fields, images, collections and variants, and each order with its lines; webhooks
//! keep them current under the same `updated_at` guard as customers and orders.

use serde_json::{Value, json};
use shopify_sim::shop::{FinancialStatus, Product};

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, installed, now, on_each_engine};

fn alt_texts(stored: Option<&str>) -> Vec<Option<String>> {
    let images: Vec<Value> = serde_json::from_str(stored.unwrap_or("[]")).unwrap();
    images.iter().map(|image| image["alt"].as_str().map(str::to_owned)).collect()
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Every stored field of `product` equals the simulator's.
async fn assert_stored_in_full(
    app: &TestApp,
    shop: &SimulatedShop,
    product: &Product,
    collections: Vec<String>,
) {
    let store = &app.state.store;
    let domain = domain(&shop.domain);
    let id = product.id.to_string();
    let stored = store.product(&domain, &id).await.unwrap().expect("stored");
    let listing = &product.listing;
    assert_eq!(stored.title.as_deref(), Some(product.title.as_str()));
    assert_eq!(stored.description_html.as_deref(), Some(listing.description_html.as_str()));
    assert_eq!(stored.vendor.as_deref(), Some(listing.vendor.as_str()));
    assert_eq!(stored.product_type.as_deref(), Some(product.product_type.as_str()));
    assert_eq!(
        (stored.seo_title, stored.seo_description),
        (listing.seo_title.clone(), listing.seo_description.clone())
    );
    let alts: Vec<Option<String>> = listing.images.iter().map(|image| image.alt.clone()).collect();
    assert_eq!(alt_texts(stored.images.as_deref()), alts);
    assert_eq!(store.product_collections(&domain, &id).await.unwrap(), Some(collections));
    let variants = store.variants(&domain, &id).await.unwrap();
    assert_eq!(variants.len(), product.variants.len());
    for (stored, variant) in variants.iter().zip(&product.variants) {
        assert_eq!(stored.variant_id, variant.id.to_string());
        assert_eq!(stored.sku.as_deref(), Some(variant.sku.as_str()));
        assert_eq!(stored.barcode, variant.barcode);
        assert_eq!(stored.price, Some(money(variant.price_cents)));
        assert_eq!(stored.compare_at_price, variant.compare_at_price_cents.map(money));
        assert_eq!(stored.inventory_quantity, Some(variant.inventory_quantity));
    }
}

async fn the_backfill_reads_every_product_in_full(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    let products = shop.sim.with_admin(|admin| {
        let state = admin.shop();
        state
            .products
            .iter()
            .map(|product| {
                let collections = state
                    .collections
                    .iter()
                    .filter(|collection| collection.product_ids.contains(&product.id))
                    .map(|collection| collection.id.to_string())
                    .collect::<Vec<_>>();
                (product.clone(), collections)
            })
            .collect::<Vec<_>>()
    });
    assert!(
        products.iter().any(|(product, _)| product.listing.images.iter().any(|image| image.alt.is_none())),
        "the seeded shop has an image without alt text"
    );
    for (product, collections) in products {
        assert_stored_in_full(&app, &shop, &product, collections).await;
    }
}
on_each_engine!(the_backfill_reads_every_product_in_full);

async fn the_backfill_reads_each_orders_lines(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    // The latest paid order: within the backfill's 90 days, and a purchase.
    let order = shop.sim.with_admin(|admin| {
        let state = admin.shop();
        let paid = state.orders.iter().filter(|order| order.financial_status == FinancialStatus::Paid);
        paid.max_by_key(|order| order.created_at).expect("a paid order").clone()
    });
    let stored = app.state.store.order(&domain(&shop.domain), &order.id.to_string()).await.unwrap().unwrap();
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            json!({
                "product_id": line.product_id.to_string(), "variant_id": line.variant_id.to_string(),
                "quantity": line.quantity, "price": money(line.price_cents),
            })
        })
        .collect();
    assert_eq!(serde_json::from_str::<Value>(&stored.line_items).unwrap(), Value::from(lines.clone()));
    let events = app.state.store.events(&domain(&shop.domain)).await.unwrap();
    let order_id = order.id.to_string();
    let purchase = events
        .iter()
        .find(|event| event.kind == "purchase" && event.order_id.as_deref() == Some(order_id.as_str()))
        .expect("the paid order's purchase");
    let properties: Value = serde_json::from_str(&purchase.properties).unwrap();
    assert_eq!(properties["line_items"], Value::from(lines), "behaviour rules read the products bought");
}
on_each_engine!(the_backfill_reads_each_orders_lines);

/// A product of the installed shop with every webhook topic subscribed.
async fn subscribed(fresh: &Fresh) -> (SimulatedShop, TestApp, Product) {
    let (shop, app) = installed(fresh.store.clone(), 5).await;
    shop.subscribe_declared_topics();
    let product = shop.sim.with_admin(|admin| admin.shop().products[0].clone());
    (shop, app, product)
}

async fn a_product_update_replaces_the_listing_and_keeps_what_webhooks_lack(fresh: Fresh) {
    let (shop, app, product) = subscribed(&fresh).await;
    let domain = domain(&shop.domain);
    let id = product.id.to_string();
    let collections_before = app.state.store.product_collections(&domain, &id).await.unwrap();
    shop.sim
        .with_admin(|admin| {
            admin.edit_listing(
                product.id,
                |listing| {
                    listing.description_html = "<p>Rewritten for the season.</p>".to_owned();
                    listing.images.truncate(1);
                },
                now(),
            )
        })
        .unwrap();
    assert_eq!(shop.forward_webhooks(&app).await, 1);
    app.run_jobs().await;
    let stored = app.state.store.product(&domain, &id).await.unwrap().unwrap();
    assert_eq!(stored.description_html.as_deref(), Some("<p>Rewritten for the season.</p>"));
    assert_eq!(alt_texts(stored.images.as_deref()).len(), product.listing.images.len().min(1));
    assert_eq!(stored.seo_title, product.listing.seo_title, "the REST payload has no SEO: kept");
    assert_eq!(
        app.state.store.product_collections(&domain, &id).await.unwrap(),
        collections_before,
        "nor collections: kept"
    );
    assert_eq!(app.state.store.variants(&domain, &id).await.unwrap().len(), product.variants.len());
}
on_each_engine!(a_product_update_replaces_the_listing_and_keeps_what_webhooks_lack);

async fn a_product_update_older_than_what_is_stored_changes_nothing(fresh: Fresh) {
    let (shop, app, product) = subscribed(&fresh).await;
    let domain = domain(&shop.domain);
    let id = product.id.to_string();
    let before = app.state.store.product(&domain, &id).await.unwrap().unwrap();
    let stale = json!({
        "id": product.id, "title": "An old title", "body_html": "", "tags": "",
        "updated_at": "2020-01-01T00:00:00Z",
        "variants": [{ "id": 1, "sku": "OLD", "price": "1.00" }],
    });
    app.deliver(&shop.domain, "products/update", "stale-update", &stale).await;
    app.run_jobs().await;
    assert_eq!(app.state.store.product(&domain, &id).await.unwrap().unwrap(), before);
    let variants = app.state.store.variants(&domain, &id).await.unwrap();
    assert_eq!(variants.len(), product.variants.len(), "the variants too");
}
on_each_engine!(a_product_update_older_than_what_is_stored_changes_nothing);

async fn a_deleted_product_is_marked_deleted(fresh: Fresh) {
    let (shop, app, product) = subscribed(&fresh).await;
    shop.sim.with_admin(|admin| admin.delete_product(product.id, now())).unwrap();
    assert_eq!(shop.forward_webhooks(&app).await, 1);
    app.run_jobs().await;
    let (products, _, _) = app.state.store.counts(&domain(&shop.domain)).await.unwrap();
    let remaining = shop.sim.with_admin(|admin| admin.shop().products.len());
    assert_eq!(products as usize, remaining, "the count leaves it out");
}
on_each_engine!(a_deleted_product_is_marked_deleted);
