//! The typed Admin client: every operation validates against the full official schema; a
//! `@oneOf` input carries only its chosen field; a mutation that may have run is not sent twice,
//! while a query is retried, and a 429 waits as long as `Retry-After` says in seconds.

use std::path::Path;

use graphql_client::GraphQLQuery;
use seglink::shopify::ShopDomain;
use seglink::shopify::admin::ShopifyError;
use seglink::shopify::operations::{
    CreateAutomaticAppDiscount, CreateWebPixel, CurrentWebPixel, create_automatic_app_discount as discount,
    create_web_pixel, current_web_pixel,
};
use serde_json::{Value, json};
use shopify_sim::server::{Fault, FaultKind};

use crate::helpers::{Fresh, SimulatedShop, TestApp};

#[test]
fn every_operation_validates_against_the_full_official_schema() {
    // The simulator's copy of the schema is the full one the pinned script writes.
    let schema = shopify_sim::AdminSchema::get();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("graphql")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "graphql")
            && !path.ends_with("schema.graphql")
        {
            let source = std::fs::read_to_string(&path).unwrap();
            if let Err(errors) = schema.validate(&source) {
                panic!("{}: {errors:?}", path.display());
            }
            checked += 1;
        }
    }
    let declared = std::fs::read_to_string(root.join("src/shopify/operations.rs"))
        .unwrap()
        .lines()
        .filter(|line| line.starts_with("operation!("))
        .count();
    assert_eq!(checked, declared, "one file per operation, each declared");
    assert!(checked >= 18);
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(fields) => fields.values().any(contains_null),
        _ => false,
    }
}

#[test]
fn a_one_of_input_is_sent_with_its_chosen_field_only() {
    let variables = discount::Variables {
        discount: discount::DiscountAutomaticAppInput {
            title: Some("t".to_owned()),
            function_handle: Some("segment-discount".to_owned()),
            function_id: None,
            discount_classes: Some(vec![discount::DiscountClass::ORDER]),
            starts_at: None,
            ends_at: None,
            context: Some(discount::DiscountContextInput::All(discount::DiscountBuyerSelection::ALL)),
            metafields: None,
            applies_on_one_time_purchase: None,
            applies_on_subscription: None,
            combines_with: None,
            recurring_cycle_limit: None,
            tags: None,
        },
    };
    let body = serde_json::to_value(CreateAutomaticAppDiscount::build_query(variables)).unwrap();
    let input = &body["variables"]["discount"];
    assert_eq!(input["context"], json!({ "all": "ALL" }));
    assert!(!contains_null(&body["variables"]), "no nulls are sent: {input}");
}

#[tokio::test]
async fn a_mutation_is_not_repeated_after_a_server_error_and_a_query_is() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    app.open_admin(&shop).await;
    let domain = ShopDomain::parse(&shop.domain).unwrap();
    let unavailable = || Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Status { status: 503 },
        times: 1,
        after: 0,
    };

    shop.sim.inject(unavailable());
    let settings = json!({ "accountId": "a", "publicKey": "p", "apiEndpoint": "e", "samplingRate": "1",
        "trackedEvents": "", "enableConsoleLogging": "false", "metaPixelId": "" });
    let variables =
        create_web_pixel::Variables { pixel: create_web_pixel::WebPixelInput { settings: settings.clone() } };
    let answer = app.state.shopify.run::<CreateWebPixel>(&domain, variables).await;
    assert!(matches!(answer, Err(ShopifyError::Failed(_))), "{answer:?}");

    // The fault is spent on the mutation: had the client repeated it, the pixel would exist.
    shop.sim.inject(unavailable());
    let pixel = app.state.shopify.run::<CurrentWebPixel>(&domain, current_web_pixel::Variables {}).await;
    assert!(pixel.unwrap().web_pixel.is_none(), "retried past the 503, and no pixel was made");

    shop.sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::TooManyRequests { retry_after_secs: 1 },
        times: 1,
        after: 0,
    });
    let started = std::time::Instant::now();
    let variables = create_web_pixel::Variables { pixel: create_web_pixel::WebPixelInput { settings } };
    let created = app.state.shopify.run::<CreateWebPixel>(&domain, variables).await.unwrap();
    assert!(
        created.web_pixel_create.unwrap().web_pixel.is_some(),
        "a 429 ran nothing, so the mutation is sent again"
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "Retry-After is seconds");
}
