//! Bulk queries: checked like Shopify's, run over every object, and written as JSONL with
//! nested objects after their parent.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

const NOW: Duration = Duration::from_secs(1_790_812_800);

fn installed() -> (AdminApi, String) {
    let shop =
        seed_shop(&SeedOptions { customers: 1_000, products: 2, orders: 10, ..SeedOptions::default() });
    crate::common::install(shop, "3", &["read_customers"], Plan::Standard, NOW)
}

const RUN: &str = "mutation ($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status url objectCount rootObjectCount }
    userErrors { field message code }
  }
}";

fn run(api: &mut AdminApi, token: &str, query: &str) -> Value {
    let body = api.graphql(token, &json!({ "query": RUN, "variables": { "query": query } }), NOW).body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["bulkOperationRunQuery"].clone()
}

#[test]
fn a_bulk_query_returns_every_customer_as_jsonl() {
    let (mut api, token) = installed();
    api.webhooks_mut().subscribe("bulk_operations/finish", "https://app.example/hooks").unwrap();
    let result = run(
        &mut api,
        &token,
        "{ customers(query: \"tag:newsletter\") { edges { node { id email tags } } } }",
    );
    assert_eq!(result["userErrors"], json!([]));
    let operation = &result["bulkOperation"];
    assert_eq!(operation["status"], "COMPLETED");
    let id: u64 = operation["id"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(operation["url"], format!("http://shopify-sim.invalid/__sim/bulk/{id}.jsonl"));

    let jsonl = api.bulk_result(id).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let expected: Vec<String> = api
        .shop()
        .customers
        .iter()
        .filter(|customer| customer.tags.iter().any(|tag| tag == "newsletter"))
        .map(|customer| format!("gid://shopify/Customer/{}", customer.id))
        .collect();
    assert!(expected.len() > 250, "more than one page: {}", expected.len());
    let ids: Vec<&str> = lines.iter().map(|line| line["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    assert_eq!(operation["objectCount"], expected.len().to_string());

    let status = api
        .graphql(&token, &json!({ "query": "{ currentBulkOperation { id status objectCount } }" }), NOW)
        .body;
    assert_eq!(status["data"]["currentBulkOperation"]["id"], operation["id"]);

    let mut sent = Vec::new();
    api.webhooks_mut().deliver_due(NOW, |delivery| {
        sent.push(serde_json::from_slice::<Value>(&delivery.body).unwrap());
        Some(200)
    });
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["admin_graphql_api_id"], operation["id"]);
    assert_eq!(sent[0]["status"], "completed");
}

#[test]
fn nested_objects_follow_their_parent() {
    let data = json!({ "customers": { "edges": [
        { "node": { "id": "gid://shopify/Customer/1", "orders": { "edges": [ { "node": { "id": "gid://shopify/Order/9" } } ] } } },
        { "node": { "id": "gid://shopify/Customer/2", "orders": { "nodes": [] } } },
    ] } });
    let (jsonl, objects, roots) = shopify_sim::bulk::to_jsonl(&data);
    assert_eq!(
        jsonl,
        "{\"id\":\"gid://shopify/Customer/1\"}\n{\"id\":\"gid://shopify/Order/9\",\"__parentId\":\"gid://shopify/Customer/1\"}\n{\"id\":\"gid://shopify/Customer/2\"}\n"
    );
    assert_eq!((objects, roots), (3, 2));
}

#[test]
fn bulk_queries_are_checked_first() {
    let (mut api, token) = installed();
    let message = |result: Value| result["userErrors"][0]["message"].as_str().unwrap_or("none").to_owned();
    assert!(message(run(&mut api, &token, "{ shop { name } }")).contains("at least one connection"));
    assert!(message(run(&mut api, &token, "{ shop { nam } }")).starts_with("Invalid bulk query"));
    let deep = "{ customers { edges { node { orders { edges { node { lineItems { edges { node { id } } } } } } } } } }";
    assert!(message(run(&mut api, &token, deep)).contains("nesting depth"));
    let six = "{ a: customers { nodes { id } } b: customers { nodes { id } } c: customers { nodes { id } } d: customers { nodes { id } } e: customers { nodes { id } } f: customers { nodes { id } } }";
    assert!(message(run(&mut api, &token, six)).contains("more than 5"));
    assert!(message(run(&mut api, &token, "{ collections { nodes { id } } }")).contains("`collections`"));
    assert!(api.bulk_result(1).is_none(), "nothing ran");
}

const STAGE: &str = "mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: \"vars.jsonl\", mimeType: \"text/jsonl\", httpMethod: POST }]) {
  stagedTargets { url resourceUrl parameters { name value } }
  userErrors { field message }
} }";

const RUN_MUTATION: &str = "mutation ($m: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $m, stagedUploadPath: $path) {
    bulkOperation { id status type objectCount }
    userErrors { field message code }
  }
}";

const TAGS_ADD: &str = "mutation ($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { message } } }";

fn writer() -> (AdminApi, String) {
    let shop = seed_shop(&SeedOptions { customers: 5, products: 1, orders: 1, ..SeedOptions::default() });
    crate::common::install(shop, "3", &["write_customers"], Plan::Standard, NOW)
}

fn stage(api: &mut AdminApi, token: &str) -> String {
    let body = api.graphql(token, &json!({ "query": STAGE }), NOW).body;
    let parameters =
        body["data"]["stagedUploadsCreate"]["stagedTargets"][0]["parameters"].as_array().unwrap().clone();
    parameters.iter().find(|parameter| parameter["name"] == "key").unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn run_mutation(api: &mut AdminApi, token: &str, mutation: &str, path: &str) -> Value {
    let body = api
        .graphql(token, &json!({ "query": RUN_MUTATION, "variables": { "m": mutation, "path": path } }), NOW)
        .body;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["bulkOperationRunMutation"].clone()
}

#[test]
fn a_bulk_mutation_runs_once_per_staged_line() {
    let (mut api, token) = writer();
    let key = stage(&mut api, &token);
    let ids: Vec<u64> = api.shop().customers.iter().map(|customer| customer.id).take(3).collect();
    let file: String = ids
        .iter()
        .map(|id| {
            format!("{}\n", json!({ "id": format!("gid://shopify/Customer/{id}"), "tags": ["seglink:bulk"] }))
        })
        .collect();
    assert!(api.store_upload(&key, file.into_bytes()));
    assert!(!api.store_upload(&key, b"again".to_vec()), "a key takes one upload");

    let result = run_mutation(&mut api, &token, TAGS_ADD, &key);
    assert_eq!(result["userErrors"], json!([]));
    assert_eq!(result["bulkOperation"]["type"], "MUTATION");
    assert_eq!(result["bulkOperation"]["objectCount"], "3");
    for id in &ids {
        let tags = api.shop().customers.iter().find(|customer| customer.id == *id).unwrap().tags.clone();
        assert!(tags.contains(&"seglink:bulk".to_owned()));
    }
    let jsonl = api.bulk_result(1).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["__lineNumber"], 2);
    assert_eq!(lines[0]["data"]["tagsAdd"]["node"]["id"], format!("gid://shopify/Customer/{}", ids[0]));
}

#[test]
fn bulk_mutations_refuse_what_shopify_refuses() {
    let (mut api, token) = writer();
    let code = |result: Value| result["userErrors"][0]["code"].as_str().unwrap_or("none").to_owned();
    assert_eq!(code(run_mutation(&mut api, &token, TAGS_ADD, "tmp/nowhere")), "NO_SUCH_FILE");
    let key = stage(&mut api, &token);
    assert_eq!(code(run_mutation(&mut api, &token, TAGS_ADD, &key)), "NO_SUCH_FILE", "nothing uploaded yet");
    assert!(
        api.store_upload(
            &key,
            b"{\"id\":\"gid://shopify/Customer/1\",\"tags\":[\"a\"]}\nnot json\n".to_vec()
        )
    );
    assert_eq!(code(run_mutation(&mut api, &token, TAGS_ADD, &key)), "INVALID_STAGED_UPLOAD_FILE");
    assert_eq!(code(run_mutation(&mut api, &token, "{ shop { name } }", &key)), "INVALID_MUTATION");
    assert_eq!(
        code(run_mutation(&mut api, &token, "mutation { tagsAdd(id: 1) { node { id } } }", &key)),
        "INVALID_MUTATION"
    );
    assert!(api.bulk_result(1).is_none());

    let other = "mutation { stagedUploadsCreate(input: [{ resource: IMAGE, filename: \"a.png\", mimeType: \"image/png\", httpMethod: POST }]) { stagedTargets { url } userErrors { message } } }";
    let body = api.graphql(&token, &json!({ "query": other }), NOW).body;
    assert!(
        body["data"]["stagedUploadsCreate"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("BULK_MUTATION_VARIABLES")
    );
}
