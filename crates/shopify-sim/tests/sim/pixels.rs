//! The app's web pixel: created once, updated by id, settings checked against the keys the
//! deployed extension declares, returned as a JSON string.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);
const PIXEL_SCOPES: [&str; 2] = ["write_pixels", "read_customer_events"];

fn installed(scopes: &[&str], deployed: bool) -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 1, products: 1, orders: 1, ..SeedOptions::default() });
    let (mut api, token) = crate::common::install(shop, "9", scopes, Plan::Standard, NOW);
    if deployed {
        api.deploy_web_pixel(&["shopKey", "endpoint"]);
    }
    (api, token)
}

const CREATE: &str = "mutation ($settings: JSON!) { webPixelCreate(webPixel: { settings: $settings }) { webPixel { id settings } userErrors { field message code } } }";
const UPDATE: &str = "mutation ($id: ID!, $settings: JSON!) { webPixelUpdate(id: $id, webPixel: { settings: $settings }) { webPixel { id settings } userErrors { field message code } } }";

fn call(api: &mut AdminApi, token: &str, query: &str, variables: Value) -> Value {
    api.graphql(token, &json!({ "query": query, "variables": variables }), NOW).body
}

fn payload(body: &Value, name: &str) -> Value {
    assert!(body.get("errors").is_none(), "{body}");
    body["data"][name].clone()
}

#[test]
fn the_pixel_is_created_once_then_updated() {
    let (mut api, token) = installed(&PIXEL_SCOPES, true);
    let settings = json!({ "shopKey": "pk_1", "endpoint": "https://collect.example/e" });
    let created = payload(&call(&mut api, &token, CREATE, json!({ "settings": settings })), "webPixelCreate");
    assert_eq!(created["userErrors"], json!([]));
    let stored: Value =
        serde_json::from_str(created["webPixel"]["settings"].as_str().expect("a JSON string")).unwrap();
    assert_eq!(stored, settings);
    let id = created["webPixel"]["id"].clone();

    let again = payload(&call(&mut api, &token, CREATE, json!({ "settings": settings })), "webPixelCreate");
    assert_eq!(again["userErrors"][0]["code"], "TAKEN");

    let as_string = json!({ "shopKey": "pk_2", "endpoint": "https://collect.example/e" }).to_string();
    let updated = payload(
        &call(&mut api, &token, UPDATE, json!({ "id": id, "settings": as_string })),
        "webPixelUpdate",
    );
    assert_eq!(updated["userErrors"], json!([]));
    let read = payload(&call(&mut api, &token, "{ webPixel { id settings } }", json!({})), "webPixel");
    assert!(read["settings"].as_str().unwrap().contains("pk_2"));
    let wrong = payload(
        &call(&mut api, &token, UPDATE, json!({ "id": "gid://shopify/WebPixel/2", "settings": settings })),
        "webPixelUpdate",
    );
    assert_eq!(wrong["userErrors"][0]["code"], "NOT_FOUND");
}

#[test]
fn settings_must_match_the_declared_keys() {
    let (mut api, token) = installed(&PIXEL_SCOPES, true);
    let refused = |api: &mut AdminApi, settings: Value| -> (String, String) {
        let result = payload(&call(api, &token, CREATE, json!({ "settings": settings })), "webPixelCreate");
        assert_eq!(result["webPixel"], Value::Null);
        assert_eq!(result["userErrors"][0]["field"], json!(["webPixel"]));
        (
            result["userErrors"][0]["code"].as_str().unwrap().to_owned(),
            result["userErrors"][0]["message"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        refused(&mut api, json!({})),
        ("INVALID_SETTINGS".to_owned(), "Missing keys: shopKey, endpoint".to_owned())
    );
    assert_eq!(
        refused(&mut api, json!({ "shopKey": "a", "endpoint": "b", "extra": "c" })).0,
        "INVALID_SETTINGS"
    );
    assert_eq!(refused(&mut api, json!({ "shopKey": 1, "endpoint": "b" })).0, "INVALID_SETTINGS");
    assert_eq!(refused(&mut api, json!("{not json")).0, "INVALID_CONFIGURATION_JSON");
    assert_eq!(refused(&mut api, json!([1])).0, "INVALID_SETTINGS");
    assert_eq!(payload(&call(&mut api, &token, "{ webPixel { id } }", json!({})), "webPixel"), Value::Null);
}

#[test]
fn the_extension_must_be_deployed_and_both_scopes_held() {
    let (mut api, token) = installed(&PIXEL_SCOPES, false);
    let settings = json!({ "shopKey": "a", "endpoint": "b" });
    let result = payload(&call(&mut api, &token, CREATE, json!({ "settings": settings })), "webPixelCreate");
    assert_eq!(result["userErrors"][0]["code"], "NO_EXTENSION");

    let (mut api, token) = installed(&["write_pixels"], true);
    let body = call(&mut api, &token, CREATE, json!({ "settings": settings }));
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("read_customer_events"));
}
