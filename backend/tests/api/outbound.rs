//! The outbound product sync on every database: off until turned on; a product made in Seglink is
//! pushed with productSet and reads back equal in Shopify; a 300-character title is refused or cut
//! per the setting; too many options are refused before any call; what Shopify refuses is recorded
//! on the product.

use seglink::catalog::outbound::PushProduct;
use seglink::clock::unix_now;
use seglink::jobs::Job as _;
use serde_json::{Value, json};

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, installed, on_each_engine};

fn shirt(title: &str) -> Value {
    json!({
        "title": title, "vendor": "Northfield", "product_type": "Tops",
        "options": [{ "name": "Size", "values": ["S", "M"] }],
        "variants": [
            { "options": ["S"], "price": "29.95", "sku": "SHIRT-S", "barcode": "0400001" },
            { "options": ["M"], "price": "31.00", "sku": "SHIRT-M" },
        ],
    })
}

async fn turned_on(fresh: &Fresh, long_titles: &str) -> (SimulatedShop, TestApp) {
    let (shop, app) = installed(fresh.store.clone(), 3).await;
    let settings = json!({ "outbound": true, "long_titles": long_titles });
    let (status, answer) = app.admin(&shop, "PUT", "/api/catalog/settings", Some(settings)).await;
    assert_eq!(status, 200, "{answer}");
    (shop, app)
}

/// The product Shopify holds under `handle`.
fn in_shopify(shop: &SimulatedShop, handle: &str) -> Option<shopify_sim::shop::Product> {
    shop.sim
        .with_admin(|admin| admin.shop().products.iter().find(|product| product.handle == handle).cloned())
}

async fn the_sync_is_off_until_the_merchant_turns_it_on(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 3).await;
    let (_, settings) = app.admin(&shop, "GET", "/api/catalog/settings", None).await;
    assert_eq!(settings, json!({ "outbound": false, "long_titles": "refuse" }));
    let (status, answer) = app.admin(&shop, "POST", "/api/products", Some(shirt("Linen Shirt"))).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(shop.calls("productSet").len(), 0);
}
on_each_engine!(the_sync_is_off_until_the_merchant_turns_it_on);

async fn a_pushed_product_reads_back_equal(fresh: Fresh) {
    let (shop, app) = turned_on(&fresh, "refuse").await;
    let (status, made) = app.admin(&shop, "POST", "/api/products", Some(shirt("Linen Shirt"))).await;
    assert_eq!((status, made["state"].as_str()), (202, Some("pending")), "{made}");
    app.run_jobs().await;
    let (_, listed) = app.admin(&shop, "GET", "/api/products/outbound", None).await;
    let pushed = &listed["products"][0];
    assert_eq!(pushed["state"], "pushed", "{listed}");
    let handle = pushed["handle"].as_str().unwrap();
    let product = in_shopify(&shop, handle).expect("in Shopify under its handle");
    assert_eq!(pushed["product_id"], format!("gid://shopify/Product/{}", product.id));
    assert_eq!(
        (product.title.as_str(), product.listing.vendor.as_str(), product.product_type.as_str()),
        ("Linen Shirt", "Northfield", "Tops")
    );
    let variants: Vec<(&str, &str, u64, Option<&str>)> = product
        .variants
        .iter()
        .map(|variant| {
            (variant.title.as_str(), variant.sku.as_str(), variant.price_cents, variant.barcode.as_deref())
        })
        .collect();
    assert_eq!(variants, [("S", "SHIRT-S", 2995, Some("0400001")), ("M", "SHIRT-M", 3100, None)]);
    // Pushed again (a retry after a lost answer): the same product, not a second one.
    let count = shop.sim.with_admin(|admin| admin.shop().products.len());
    let retry =
        PushProduct { id: made["id"].as_i64().unwrap() }.queued(&domain(&shop.domain), unix_now(), None);
    app.state.store.enqueue(&retry).await.unwrap();
    app.run_jobs().await;
    assert_eq!(shop.sim.with_admin(|admin| admin.shop().products.len()), count);
}
on_each_engine!(a_pushed_product_reads_back_equal);

async fn a_long_title_is_refused_or_cut_as_the_store_chose(fresh: Fresh) {
    let long = "Linen ".repeat(50);
    let (shop, app) = turned_on(&fresh, "refuse").await;
    let (status, answer) = app.admin(&shop, "POST", "/api/products", Some(shirt(&long))).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/title")), "{answer}");
    app.run_jobs().await;
    assert_eq!(shop.calls("productSet").len(), 0, "nothing sent");

    let settings = json!({ "outbound": true, "long_titles": "truncate" });
    assert_eq!(app.admin(&shop, "PUT", "/api/catalog/settings", Some(settings)).await.0, 200);
    let (status, made) = app.admin(&shop, "POST", "/api/products", Some(shirt(&long))).await;
    assert_eq!(status, 202, "{made}");
    assert_eq!(made["detail"], "title cut from 299 to 255 characters");
    app.run_jobs().await;
    let product = in_shopify(&shop, made["handle"].as_str().unwrap()).unwrap();
    assert!(product.title.chars().count() <= 255 && long.starts_with(&product.title), "{}", product.title);
}
on_each_engine!(a_long_title_is_refused_or_cut_as_the_store_chose);

async fn limits_are_refused_first_and_shopifys_refusals_recorded(fresh: Fresh) {
    let (shop, app) = turned_on(&fresh, "refuse").await;
    let mut many = shirt("Many options");
    many["options"] = json!([{ "name": "A", "values": ["1"] }, { "name": "B", "values": ["1"] }, { "name": "C", "values": ["1"] }, { "name": "D", "values": ["1"] }]);
    let (status, answer) = app.admin(&shop, "POST", "/api/products", Some(many)).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/options")));
    // A value the option does not offer: Shopify refuses it, and the product says so.
    let mut unknown = shirt("Odd size");
    unknown["variants"][0]["options"] = json!(["XXL"]);
    let (status, made) = app.admin(&shop, "POST", "/api/products", Some(unknown)).await;
    assert_eq!(status, 202, "{made}");
    app.run_jobs().await;
    let (_, listed) = app.admin(&shop, "GET", "/api/products/outbound", None).await;
    assert_eq!(listed["products"][0]["state"], "refused", "{listed}");
    assert!(listed["products"][0]["detail"].as_str().unwrap().contains("does not exist"), "{listed}");
    assert!(in_shopify(&shop, made["handle"].as_str().unwrap()).is_none());
}
on_each_engine!(limits_are_refused_first_and_shopifys_refusals_recorded);
