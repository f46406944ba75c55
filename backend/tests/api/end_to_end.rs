//! The whole loop on every database: a seeded simulator shop installs Seglink; orders arrive as
//! webhooks and the storefront pixel reports the checkout; a segment "spent over $500 in 90 days"
//! is saved and its tag pushed; the rule "VIP 15% off" is written to the discount; the
//! simulator's checkout builds the Function's input from the real input query, and the real
//! Function (the same crate, run natively) gives the member 15% and the non-member nothing. When
//! the member's order is cancelled they leave, the tag goes, and so does the discount.

use serde_json::{Value, json};
use shopify_sim::{CartLine, Checkout, Customer, Merchandise, Product, SeedOptions};

use crate::helpers::{Fresh, SimulatedShop, TestApp, domain, now, on_each_engine};

const LINES_QUERY: &str =
    include_str!("../../../extensions/segment-discount/src/cart_lines_discounts_generate_run.graphql");
const CLIENT: &str = "c-5f1e0a2b-77";
/// The checkout token of the visit's `checkout_completed`.
const VISIT_CHECKOUT: &str = "ck-9a8b7c";

/// The Function's order and product discounts for `customer`'s cart of one 100.00 line, as the
/// simulator's checkout feeds them to it.
fn discounts_at_checkout(shop: &SimulatedShop, discount_id: &str, customer: &str) -> Value {
    let checkout = shop.sim.with_admin(|admin| {
        let tags = admin
            .shop()
            .customers
            .iter()
            .find(|candidate| candidate.id.to_string() == customer)
            .map(|found| found.tags.clone())
            .unwrap();
        Checkout {
            customer: Some(Customer { id: format!("gid://shopify/Customer/{customer}"), tags }),
            lines: vec![CartLine {
                id: "gid://shopify/CartLine/1".to_owned(),
                quantity: 1,
                subtotal: "100.00".to_owned(),
                merchandise: Merchandise::Variant {
                    id: "gid://shopify/ProductVariant/1".to_owned(),
                    product: Product { id: "gid://shopify/Product/1".to_owned(), ..Product::default() },
                },
            }],
            currency: "USD".to_owned(),
            presentment_currency_rate: "1".to_owned(),
            discount: admin.checkout_discount(discount_id, Some(("$app:seglink", "config"))).unwrap(),
            ..Checkout::default()
        }
    });
    let input = shopify_sim::function_input(LINES_QUERY, &checkout).unwrap();
    crate::helpers::run_lines_function(&input)
}

/// The pixel's events of one storefront visit ending in `order_id`'s checkout, as the pixel
/// sends them after normalising.
fn visit(order_id: u64) -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/events/tests/fixtures/pixel_events.json");
    let raw: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    raw.iter()
        .filter_map(|event| match events::normalize_text(&event.to_string()).unwrap() {
            events::Outcome::Event(event) => Some(serde_json::from_str::<Value>(&event.to_json()).unwrap()),
            events::Outcome::Ignored(_) => None,
        })
        .map(|mut event| {
            if event.get("order_id").is_some() {
                event["order_id"] = order_id.to_string().into();
            }
            event
        })
        .collect()
}

async fn a_segment_reaches_checkout_and_leaves_it(fresh: Fresh) {
    let options =
        SeedOptions { customers: 6, products: 4, orders: 0, now: now().as_secs(), ..SeedOptions::default() };
    let shop = SimulatedShop::start_with(options).await;
    shop.subscribe_declared_topics();
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, session) = app.open_admin(&shop).await;
    assert_eq!(status, 200, "{session}");
    let public_key = session["workspace"]["public_key"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;

    // Ada spends over $500; Ben spends less.
    let (ada, ben, variant, price) = shop.sim.with_admin(|admin| {
        let shop = admin.shop();
        let variant = &shop.products[0].variants[0];
        (shop.customers[0].id, shop.customers[1].id, variant.id, variant.price_cents)
    });
    assert!(price < 50_000);
    let (ada_order, _) = shop.sim.with_admin(|admin| {
        // Ada pays in the checkout her browser's pixel reports (the visit's checkout token).
        let lines = [(variant, (50_000 / price + 1) as u32)];
        let big = admin.place_order_from_checkout(Some(ada), &lines, Some(VISIT_CHECKOUT), now()).unwrap();
        let small = admin.place_order(Some(ben), &[(variant, 1)], now()).unwrap();
        (big, small)
    });
    let batch =
        json!({ "key": public_key, "shop": shop.domain, "normalized": true, "events": visit(ada_order) });
    let request = axum::http::Request::post("/v1/pixel/events")
        .header("Content-Type", "text/plain")
        .body(axum::body::Body::from(batch.to_string()))
        .unwrap();
    let (status, _, answer) = app.request(request).await;
    assert_eq!((status, answer.contains("\"rejected\":0")), (200, true), "{answer}");
    assert!(shop.forward_webhooks(&app).await >= 4, "orders/create and orders/paid for each");
    app.run_jobs().await;
    let ada_id = ada.to_string();
    assert_eq!(
        fresh.store.linked_customer(&domain(&shop.domain), CLIENT).await.unwrap(),
        Some(ada_id.clone()),
        "the order webhook tied the storefront visit to Ada"
    );

    let vip = json!({ "name": "VIP", "slug": "vip", "rules": { "if": "amount_spent", "op": ">", "cents": 50_000, "days": 90 } });
    let (status, segment) = app.call("POST", "/api/segments", Some(&shop.session_token()), Some(vip)).await;
    assert_eq!(status, 201, "{segment}");
    assert_eq!(segment["member_count"], 1);
    app.run_jobs().await;
    assert_eq!(shop.tagged("seglink:vip"), [ada_id.clone()].into(), "the tag is pushed to Ada only");

    let rule = json!({ "segment": "vip", "title": "VIP 15% off", "value": { "percentage": "15" }, "target": { "type": "orderSubtotal" } });
    let (status, rules) =
        app.call("POST", "/api/discount-rules", Some(&shop.session_token()), Some(rule)).await;
    assert_eq!(status, 201, "{rules}");
    assert_eq!(rules["sync"]["state"], "synced", "{rules}");
    let discount_id = rules["sync"]["discount_id"].as_str().unwrap().to_owned();

    let member = discounts_at_checkout(&shop, &discount_id, &ada_id);
    let candidate = &member["operations"][0]["orderDiscountsAdd"]["candidates"][0];
    assert_eq!(candidate["message"], "VIP 15% off", "{member}");
    assert_eq!(candidate["value"], json!({ "percentage": { "value": "15.0" } }), "{member}");
    let outsider = discounts_at_checkout(&shop, &discount_id, &ben.to_string());
    assert_eq!(outsider, json!({ "operations": [] }), "Ben gets nothing");

    // Ada's order is cancelled: she leaves, her tag goes, and so does her discount.
    shop.sim.with_admin(|admin| admin.cancel_order(ada_order, now())).unwrap();
    shop.forward_webhooks(&app).await;
    app.run_jobs_ahead(5).await;
    let (_, after) = app.call("GET", "/api/segments/vip", Some(&shop.session_token()), None).await;
    assert_eq!(after["member_count"], 0, "{after}");
    let (_, pushed) = app.call("GET", "/api/segments/vip/push", Some(&shop.session_token()), None).await;
    assert!(shop.tagged("seglink:vip").is_empty(), "the tag is removed: {pushed}");
    assert_eq!(discounts_at_checkout(&shop, &discount_id, &ada_id), json!({ "operations": [] }));
}
on_each_engine!(a_segment_reaches_checkout_and_leaves_it);
