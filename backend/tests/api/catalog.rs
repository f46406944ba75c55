//! Product metafields through the simulator, on every database: the first run writes every
//! product's four values, a run with nothing changed makes no call, an edit rewrites only its
//! product, throttling and 5xx resume without writing anything twice, a product deleted in
//! Shopify is counted missing, and a metafield whose definition says another type fails the run
//! with Shopify's reason.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use shopify_sim::server::{Fault, FaultKind};

use crate::helpers::{Fresh, SimulatedShop, TestApp, installed, now, on_each_engine};

const PRODUCTS: usize = 8;

/// Each product's Seglink metafields in the simulator: `{product id: {key: (type, value)}}`.
fn written(shop: &SimulatedShop) -> BTreeMap<u64, BTreeMap<String, (String, String)>> {
    shop.sim.with_admin(|admin| {
        let state = admin.shop();
        state
            .products
            .iter()
            .map(|product| {
                let owned = state.metafields.get(&format!("gid://shopify/Product/{}", product.id));
                let fields = owned
                    .into_iter()
                    .flat_map(|owned| owned.values())
                    .filter(|metafield| metafield.namespace.ends_with("--seglink"))
                    .map(|metafield| {
                        (metafield.key.clone(), (metafield.kind.clone(), metafield.value.clone()))
                    })
                    .collect();
                (product.id, fields)
            })
            .collect()
    })
}

/// Runs the store's metafield write and answers the run.
async fn write_all(shop: &SimulatedShop, app: &TestApp) -> Value {
    let (status, queued) = app.admin(shop, "POST", "/api/products/metafields", None).await;
    assert_eq!((status, &queued["queued"]), (202, &json!(true)), "{queued}");
    app.run_jobs().await;
    let (status, answer) = app.admin(shop, "GET", "/api/products/metafields", None).await;
    assert_eq!(status, 200);
    answer["run"].clone()
}

fn calls(shop: &SimulatedShop) -> usize {
    shop.calls("metafieldsSet").len()
}

async fn the_first_run_writes_every_products_four_values(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    let before = calls(&shop);
    let run = write_all(&shop, &app).await;
    assert_eq!(run["state"], "done", "{run}");
    assert_eq!(
        (run["products"].as_u64(), run["changed"].as_u64()),
        (Some(PRODUCTS as u64), Some(PRODUCTS as u64))
    );
    assert_eq!(run["written"], 4 * PRODUCTS, "{run}");
    let expected_calls = PRODUCTS.div_ceil(6);
    assert_eq!((run["calls"].as_u64(), calls(&shop) - before), (Some(expected_calls as u64), expected_calls));
    let products = shop.sim.with_admin(|admin| admin.shop().products.clone());
    for (id, fields) in written(&shop) {
        let kinds: Vec<(&str, &str)> =
            fields.iter().map(|(key, (kind, _))| (key.as_str(), kind.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ("listing_score", "number_integer"),
                ("recommendations", "json"),
                ("segment_memberships", "list.single_line_text_field"),
                ("view_count_30d", "number_integer"),
            ],
            "product {id}"
        );
        // The score is the listing's, as the crate computes it from what the simulator holds.
        let product = products.iter().find(|product| product.id == id).unwrap();
        let listing = listing_score::Listing {
            title: product.title.clone(),
            description: listing_score::Listing::plain_text(&product.listing.description_html),
            images: product.listing.images.len(),
            images_with_alt: product.listing.images.iter().filter(|image| image.alt.is_some()).count(),
            seo_title: product.listing.seo_title.is_some(),
            seo_description: product.listing.seo_description.is_some(),
            product_type: !product.product_type.is_empty(),
            variants: product.variants.len(),
            variants_with_sku: product.variants.len(),
            variants_with_barcode: product
                .variants
                .iter()
                .filter(|variant| variant.barcode.is_some())
                .count(),
        };
        let scored = listing_score::score(&listing);
        assert_eq!(fields["listing_score"].1, scored.value.to_string(), "product {id}");
        let recommendations: Value = serde_json::from_str(&fields["recommendations"].1).unwrap();
        assert_eq!(recommendations.as_array().unwrap().len(), scored.recommendations.len());
    }
}
on_each_engine!(the_first_run_writes_every_products_four_values);

async fn a_second_run_with_nothing_changed_makes_no_call(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    write_all(&shop, &app).await;
    let (before, values) = (calls(&shop), written(&shop));
    let run = write_all(&shop, &app).await;
    assert_eq!(
        (run["state"].as_str(), run["changed"].as_u64(), run["calls"].as_u64()),
        (Some("done"), Some(0), Some(0)),
        "{run}"
    );
    assert_eq!(calls(&shop), before, "no metafieldsSet");
    assert_eq!(written(&shop), values);
}
on_each_engine!(a_second_run_with_nothing_changed_makes_no_call);

async fn an_edited_listing_rewrites_its_product_only(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    shop.subscribe_declared_topics();
    write_all(&shop, &app).await;
    let product = shop.sim.with_admin(|admin| admin.shop().products[0].clone());
    shop.sim
        .with_admin(|admin| {
            admin.edit_listing(
                product.id,
                |listing| {
                    listing.description_html =
                        format!("<p>{}</p>", "Soft linen, cut for summer. ".repeat(12));
                    listing.seo_title = Some("Linen".to_owned());
                },
                now(),
            )
        })
        .unwrap();
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;
    let before = calls(&shop);
    let run = write_all(&shop, &app).await;
    assert_eq!((run["changed"].as_u64(), run["calls"].as_u64()), (Some(1), Some(1)), "{run}");
    let sent = shop.calls("metafieldsSet");
    assert_eq!(sent.len() - before, 1);
    let owners: Vec<&str> = sent.last().unwrap()["metafields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|input| input["ownerId"].as_str().unwrap())
        .collect();
    assert!(
        owners.iter().all(|owner| *owner == format!("gid://shopify/Product/{}", product.id)),
        "{owners:?}"
    );
}
on_each_engine!(an_edited_listing_rewrites_its_product_only);

async fn throttling_and_5xx_resume_without_writing_twice(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    let before = calls(&shop);
    // The first call finds the bucket empty and waits; the second fails with a 500, which a
    // mutation is not retried on, so the job stops after one batch and runs again later.
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::ThrottledBurst,
        times: 1,
        after: 0,
    });
    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Status { status: 500 },
        times: 1,
        after: 1,
    });
    assert_eq!(app.admin(&shop, "POST", "/api/products/metafields", None).await.0, 202);
    app.run_jobs().await;
    let (_, stopped) = app.admin(&shop, "GET", "/api/products/metafields", None).await;
    assert_eq!(stopped["run"]["state"], "running", "stopped after the failed call: {stopped}");
    app.run_jobs_ahead(3_600).await;
    let (_, answer) = app.admin(&shop, "GET", "/api/products/metafields", None).await;
    assert_eq!(answer["run"]["state"], "done", "{answer}");
    // Every call Shopify ran wrote products no earlier call had written.
    let mut per_product: BTreeMap<String, usize> = BTreeMap::new();
    for call in &shop.calls("metafieldsSet")[before..] {
        for input in
            call["metafields"].as_array().unwrap().iter().filter(|input| input["key"] == "listing_score")
        {
            *per_product.entry(input["ownerId"].as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    assert_eq!(per_product.len(), PRODUCTS, "every product written");
    assert!(per_product.values().all(|count| *count == 1), "none twice: {per_product:?}");
    assert!(written(&shop).values().all(|fields| fields.len() == 4));
}
on_each_engine!(throttling_and_5xx_resume_without_writing_twice);

async fn a_product_deleted_in_shopify_is_counted_missing(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    // Deleted in Shopify, its webhook not yet processed: Seglink still has it.
    let gone = shop.sim.with_admin(|admin| admin.shop().products[2].id);
    shop.sim.with_admin(|admin| admin.delete_product(gone, now())).unwrap();
    let run = write_all(&shop, &app).await;
    assert_eq!(run["state"], "done", "{run}");
    assert_eq!(
        (run["missing"].as_u64(), run["written"].as_u64()),
        (Some(1), Some(4 * (PRODUCTS as u64 - 1))),
        "{run}"
    );
    assert_eq!(written(&shop).len(), PRODUCTS - 1);
    assert!(written(&shop).values().all(|fields| fields.len() == 4));
}
on_each_engine!(a_product_deleted_in_shopify_is_counted_missing);

async fn a_definition_of_another_type_fails_the_run_with_shopifys_reason(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    shop.sim.with_admin(|admin| {
        let definition =
            admin.definitions_mut().iter_mut().find(|definition| definition.key == "listing_score").unwrap();
        definition.kind = "single_line_text_field".to_owned();
    });
    let run = write_all(&shop, &app).await;
    assert_eq!(run["state"], "failed", "{run}");
    let detail = run["detail"].as_str().unwrap();
    assert!(detail.contains("Type must be single_line_text_field"), "{detail}");
    assert_eq!(app.run_jobs().await, 0, "no retry loop");
    assert!(written(&shop).values().all(BTreeMap::is_empty), "all or nothing: nothing written");
}
on_each_engine!(a_definition_of_another_type_fails_the_run_with_shopifys_reason);

async fn a_deleted_definition_does_not_stop_the_run(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    // The merchant deletes the score's definition: Shopify takes a typed value without one.
    shop.sim
        .with_admin(|admin| admin.definitions_mut().retain(|definition| definition.key != "listing_score"));
    let run = write_all(&shop, &app).await;
    assert_eq!(
        (run["state"].as_str(), run["written"].as_u64()),
        (Some("done"), Some(4 * PRODUCTS as u64)),
        "{run}"
    );
    assert!(written(&shop).values().all(|fields| fields.len() == 4));
}
on_each_engine!(a_deleted_definition_does_not_stop_the_run);

async fn one_product_is_written_on_demand(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 10).await;
    let id = shop.sim.with_admin(|admin| admin.shop().products[1].id);
    let (status, _) = app.admin(&shop, "POST", &format!("/api/products/{id}/metafields"), None).await;
    assert_eq!(status, 202);
    app.run_jobs().await;
    let values = written(&shop);
    assert_eq!(values[&id].len(), 4);
    assert_eq!(values.values().filter(|fields| !fields.is_empty()).count(), 1, "that product only");
    let (status, _) = app.admin(&shop, "POST", "/api/products/1/metafields", None).await;
    assert_eq!(status, 404, "an unknown product");
    let (status, answer) = app.admin(&shop, "POST", "/api/products/shoe/metafields", None).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/id")), "{answer}");
}
on_each_engine!(one_product_is_written_on_demand);
