//! The lookup API on every database: the server key matrix (valid, another workspace's, rotated,
//! malformed, missing), order numbers with and without a store prefix, product search with pages,
//! customers by email with their segments, and the per-key rate limit.

use seglink::clock::UnixTime;
use seglink::db::{Connection, CustomerRow, OrderRow, ProductRow, SegmentRow, VariantRow};
use serde_json::{Value, json};

use crate::helpers::{Fresh, TestApp, domain, join_workspace, new_workspace, on_each_engine, session_for};

const EU: &str = "eu-store.myshopify.com";
const US: &str = "us-store.myshopify.com";
const OTHER: &str = "other-brand.myshopify.com";

/// Two workspaces: EU and US stores in one, another brand's store in the other, each store with
/// order #1001, a customer ada@example.com, and linen products.
struct Workspaces {
    app: TestApp,
    key: String,
    workspace: String,
    other_key: String,
}

impl Workspaces {
    async fn new(fresh: &Fresh) -> Self {
        let app = TestApp::on(fresh.store.clone(), None);
        let (workspace, key) = new_workspace(&app, EU).await;
        join_workspace(&app, EU, &workspace, Connection::Managed).await;
        join_workspace(&app, US, &workspace, Connection::Custom).await;
        let (other, other_key) = new_workspace(&app, OTHER).await;
        join_workspace(&app, OTHER, &other, Connection::Managed).await;
        for shop in [EU, US, OTHER] {
            seed(&app, shop).await;
        }
        Self { app, key, workspace, other_key }
    }

    async fn get(&self, key: Option<&str>, path: &str) -> (u16, Value) {
        self.app.call("GET", path, key, None).await
    }
}

async fn seed(app: &TestApp, shop: &str) {
    let store = &app.state.store;
    let shop_domain = domain(shop);
    let at = UnixTime::from_secs(1_800_000_000);
    let order = OrderRow {
        order_id: format!("{}01", shop.len()),
        customer_id: Some("42".to_owned()),
        name: Some("#1001".to_owned()),
        total_price: Some("59.90".to_owned()),
        currency: Some("EUR".to_owned()),
        financial_status: Some("paid".to_owned()),
        line_items: json!([{ "product_id": "900", "variant_id": "9001", "quantity": 2, "price": "29.95" }])
            .to_string(),
        updated_at: at,
        ..OrderRow::default()
    };
    store.upsert_order(&shop_domain, &order).await.unwrap();
    let customer = CustomerRow {
        customer_id: "42".to_owned(),
        email: Some("Ada@Example.com".to_owned()),
        first_name: Some("Ada".to_owned()),
        tags: "vip, seglink:regulars".to_owned(),
        updated_at: at,
        ..CustomerRow::default()
    };
    store.upsert_customer(&shop_domain, &customer).await.unwrap();
    store
        .create_segment(
            &shop_domain,
            &SegmentRow::new("regulars", "Regulars", json!({ "if": "tag", "is": "vip" }).to_string(), at),
        )
        .await
        .unwrap();
    seglink::segments::recompute(store, &shop_domain, None, at).await.unwrap();
    for index in 0..30 {
        let product = ProductRow {
            product_id: (900 + index).to_string(),
            title: Some(format!("Linen Shirt {index}")),
            tags: String::new(),
            variants: Some(vec![VariantRow {
                variant_id: format!("{}", 9_000 + index * 10),
                sku: Some(format!("LIN-{index:03}")),
                barcode: Some(format!("0400{index:04}")),
                price: Some("29.95".to_owned()),
                ..VariantRow::default()
            }]),
            updated_at: at,
            ..ProductRow::default()
        };
        store.upsert_product(&shop_domain, &product).await.unwrap();
    }
}

async fn a_server_key_sees_its_own_workspace_and_nothing_else(fresh: Fresh) {
    let spaces = Workspaces::new(&fresh).await;
    let (status, found) = spaces.get(Some(&spaces.key), "/v1/lookup/orders/1001").await;
    assert_eq!(status, 200, "{found}");
    let shops: Vec<&str> =
        found["orders"].as_array().unwrap().iter().map(|order| order["shop"].as_str().unwrap()).collect();
    assert_eq!(shops, [EU, US], "both stores of the workspace, not the other brand's");
    let (status, theirs) = spaces.get(Some(&spaces.other_key), "/v1/lookup/orders/1001").await;
    assert_eq!(status, 200);
    let shops: Vec<&str> =
        theirs["orders"].as_array().unwrap().iter().map(|order| order["shop"].as_str().unwrap()).collect();
    assert_eq!(shops, [OTHER], "another workspace's key sees its own store only");
}
on_each_engine!(a_server_key_sees_its_own_workspace_and_nothing_else);

async fn a_missing_malformed_unknown_or_rotated_key_is_refused(fresh: Fresh) {
    let spaces = Workspaces::new(&fresh).await;
    let path = "/v1/lookup/customers?email=ada@example.com";
    let (status, answer) = spaces.get(None, path).await;
    assert_eq!(
        (status, answer["error"].as_str().unwrap()),
        (401, "send the server key as Authorization: Bearer sk_…")
    );
    for malformed in ["shpat_0123456789abcdef", "sk_short", "sk_0123456789abcdef!!"] {
        let (status, answer) = spaces.get(Some(malformed), path).await;
        assert_eq!(
            (status, answer["error"].as_str().unwrap()),
            (401, "that is not a server key (sk_…)"),
            "{malformed}"
        );
    }
    let (status, _) = spaces.get(Some("sk_0123456789abcdefghijklmnopqrstuv"), path).await;
    assert_eq!(status, 401, "unknown");
    // Rotated by the owner store: the old key stops at once, the new one works.
    let (status, rotated) = spaces.app.call("POST", "/api/server-key", Some(&session_for(EU)), None).await;
    assert_eq!(status, 200, "{rotated}");
    let (status, answer) = spaces.get(Some(&spaces.key), path).await;
    assert_eq!(
        (status, answer["error"].as_str().unwrap()),
        (401, "unknown server key (rotated keys stop working)")
    );
    assert_eq!(spaces.get(Some(rotated["server_key"].as_str().unwrap()), path).await.0, 200);
}
on_each_engine!(a_missing_malformed_unknown_or_rotated_key_is_refused);

async fn a_store_prefix_routes_an_order_number_to_its_store(fresh: Fresh) {
    let spaces = Workspaces::new(&fresh).await;
    let (status, set) = spaces
        .app
        .call("PUT", "/api/order-prefix", Some(&session_for(EU)), Some(json!({ "prefix": "eu" })))
        .await;
    assert_eq!((status, &set["prefix"]), (200, &json!("EU")), "{set}");
    let (status, _) = spaces
        .app
        .call("PUT", "/api/order-prefix", Some(&session_for(US)), Some(json!({ "prefix": "EU" })))
        .await;
    assert_eq!(status, 409, "taken in the workspace");
    let (status, answer) = spaces
        .app
        .call("PUT", "/api/order-prefix", Some(&session_for(US)), Some(json!({ "prefix": "U S" })))
        .await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/prefix")));
    // Another workspace may use the same prefix.
    assert_eq!(
        spaces
            .app
            .call("PUT", "/api/order-prefix", Some(&session_for(OTHER)), Some(json!({ "prefix": "EU" })))
            .await
            .0,
        200
    );

    for number in ["EU-1001", "eu-1001"] {
        let (status, found) = spaces.get(Some(&spaces.key), &format!("/v1/lookup/orders/{number}")).await;
        assert_eq!(status, 200);
        let shops: Vec<&str> =
            found["orders"].as_array().unwrap().iter().map(|order| order["shop"].as_str().unwrap()).collect();
        assert_eq!(shops, [EU], "{number}");
        assert_eq!(found["orders"][0]["line_items"][0]["quantity"], 2);
    }
    let (status, found) = spaces.get(Some(&spaces.key), "/v1/lookup/orders/%231001").await;
    assert_eq!((status, found["orders"].as_array().unwrap().len()), (200, 2), "#1001: every store");
    let (status, answer) = spaces.get(Some(&spaces.key), "/v1/lookup/orders/US-1001").await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/number")), "no store has US: {answer}");
    let (status, answer) = spaces.get(Some(&spaces.key), "/v1/lookup/orders/ten").await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/number")));
    let _ = spaces.workspace;
}
on_each_engine!(a_store_prefix_routes_an_order_number_to_its_store);

async fn products_are_found_by_title_sku_or_barcode_a_page_at_a_time(fresh: Fresh) {
    let spaces = Workspaces::new(&fresh).await;
    let mut seen = Vec::new();
    for page in 1..=4 {
        let (status, found) = spaces
            .get(Some(&spaces.key), &format!("/v1/lookup/products?q=LINEN&per_page=25&page={page}"))
            .await;
        assert_eq!(status, 200, "{found}");
        let products = found["products"].as_array().unwrap();
        seen.extend(products.iter().map(|product| {
            (product["shop"].as_str().unwrap().to_owned(), product["product_id"].as_str().unwrap().to_owned())
        }));
        assert_eq!(found["has_more"], page < 3, "page {page}: 60 products, 25 a page");
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().cloned().collect();
    assert_eq!((seen.len(), unique.len()), (60, 60), "each product once over the pages");
    let (_, by_sku) = spaces.get(Some(&spaces.key), "/v1/lookup/products?q=LIN-007").await;
    assert_eq!(by_sku["products"].as_array().unwrap().len(), 2, "one per store: {by_sku}");
    assert_eq!(by_sku["products"][0]["variants"][0]["sku"], "LIN-007");
    let (_, by_barcode) = spaces.get(Some(&spaces.key), "/v1/lookup/products?q=04000012").await;
    assert_eq!(by_barcode["products"][0]["title"], "Linen Shirt 12");
    let (_, wildcard) = spaces.get(Some(&spaces.key), "/v1/lookup/products?q=%25").await;
    assert_eq!(wildcard["products"], json!([]), "a % is a character, not a wildcard");
    for (query, path) in [("q=", "/q"), ("q=linen&per_page=0", "/per_page"), ("q=linen&page=0", "/page")] {
        let (status, answer) = spaces.get(Some(&spaces.key), &format!("/v1/lookup/products?{query}")).await;
        assert_eq!((status, answer["path"].as_str()), (422, Some(path)), "{query}");
    }
}
on_each_engine!(products_are_found_by_title_sku_or_barcode_a_page_at_a_time);

async fn a_customer_is_found_by_email_with_segments_and_tags(fresh: Fresh) {
    let spaces = Workspaces::new(&fresh).await;
    let (status, found) = spaces.get(Some(&spaces.key), "/v1/lookup/customers?email=ADA@example.COM").await;
    assert_eq!(status, 200, "{found}");
    let customers = found["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 2, "one per store of the workspace");
    assert_eq!(customers[0]["tags"], json!(["vip", "seglink:regulars"]));
    assert_eq!(customers[0]["segments"], json!(["regulars"]));
    let (status, answer) = spaces.get(Some(&spaces.key), "/v1/lookup/customers?email=nobody").await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/email")));
}
on_each_engine!(a_customer_is_found_by_email_with_segments_and_tags);

async fn each_key_has_its_own_rate_limit(fresh: Fresh) {
    let spaces = Workspaces::new(&fresh).await;
    let path = "/v1/lookup/customers?email=ada@example.com";
    let mut refused = None;
    for attempt in 0..200 {
        let (status, answer) = spaces.get(Some(&spaces.key), path).await;
        if status == 429 {
            refused = Some((attempt, answer));
            break;
        }
        assert_eq!(status, 200);
    }
    let (attempt, answer) = refused.expect("the limit is reached within 200 requests");
    assert!(attempt >= 30, "the burst of 30 is served first: refused at {attempt}");
    assert!(answer["error"].as_str().unwrap().contains("rate limit"), "{answer}");
    assert_eq!(spaces.get(Some(&spaces.other_key), path).await.0, 200, "another key is not held back");
}
on_each_engine!(each_key_has_its_own_rate_limit);
