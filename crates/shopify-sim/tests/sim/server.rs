//! The simulator over real HTTP on a local port: OAuth, Admin GraphQL, and every fault knob.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use crate::common::SECRET;
use serde_json::{Value, json};
use shopify_sim::server::{Fault, FaultKind, Simulator, serve};
use shopify_sim::{Plan, SeedOptions, seed_shop};

const CALLBACK: &str = "https://app.example/auth/callback";

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }
}

/// Binds before the server thread starts, so connections queue until it accepts them.
/// Also returns an offline access token for the installed app.
fn start() -> (Simulator, SocketAddr, String) {
    let shop = seed_shop(&SeedOptions { customers: 20, products: 4, orders: 40, ..SeedOptions::default() });
    let now = Duration::from_secs(now_secs());
    let (api, token) =
        crate::common::install(shop, "client", &["read_customers", "write_customers"], Plan::Standard, now);
    let sim = Simulator::new(api);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let served = sim.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            serve(&served, listener).await
        })
    });
    (sim, address, token)
}

fn send(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::new(ErrorKind::UnexpectedEof, text.clone()))?;
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_default();
    Ok(Reply { status, head: head.to_owned(), body: body.to_owned() })
}

fn post_json(address: SocketAddr, path: &str, token: Option<&str>, body: &Value) -> Reply {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(token) = token {
        headers.push(("X-Shopify-Access-Token", token));
    }
    send(address, "POST", path, &headers, &body.to_string()).expect("an answer")
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

const GRAPHQL: &str = "/admin/api/2026-10/graphql.json";

#[test]
fn the_authorization_code_flow_runs_over_http() {
    let (_sim, address, _) = start();
    let authorize = format!(
        "/admin/oauth/authorize?client_id=client&scope=read_customers&redirect_uri={}&state=xyz",
        "https%3A%2F%2Fapp.example%2Fauth%2Fcallback"
    );
    let redirect = send(address, "GET", &authorize, &[], "").unwrap();
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    let code = location.split(['?', '&']).find_map(|pair| pair.strip_prefix("code=")).unwrap().to_owned();

    let request = json!({ "client_id": "client", "client_secret": SECRET, "code": code });
    let token = post_json(address, "/admin/oauth/access_token", None, &request);
    assert_eq!(token.status, 200);
    let access_token = token.json()["access_token"].as_str().unwrap().to_owned();
    let shop =
        post_json(address, GRAPHQL, Some(&access_token), &json!({ "query": "{ shop { myshopifyDomain } }" }));
    assert_eq!(shop.json()["data"]["shop"]["myshopifyDomain"], "seglink-demo-1.myshopify.com");

    let reused = post_json(address, "/admin/oauth/access_token", None, &request);
    assert_eq!(reused.status, 400);
    assert_eq!(reused.json()["error"], "invalid_request");
    let not_json = send(address, "POST", "/admin/oauth/access_token", &[], "code=1").unwrap();
    assert_eq!(not_json.status, 400);
}

#[test]
fn graphql_answers_and_refuses_over_http() {
    let (sim, address, token) = start();
    let query = json!({ "query": "mutation { tagsAdd(id: \"gid://shopify/Customer/7100000002\", tags: [\"seglink:vip\"]) { userErrors { message } } }" });
    let added = post_json(address, GRAPHQL, Some(&token), &query);
    assert_eq!(added.status, 200);
    assert_eq!(added.json()["data"]["tagsAdd"]["userErrors"], json!([]));
    let tagged = sim.with_admin(|admin| admin.shop().customers[2].tags.contains(&"seglink:vip".to_owned()));
    assert!(tagged, "the change is in the shop");

    assert_eq!(post_json(address, GRAPHQL, None, &query).status, 401);
    assert_eq!(post_json(address, "/admin/api/2025-01/graphql.json", Some(&token), &query).status, 404);
    let garbage = send(address, "POST", GRAPHQL, &[("X-Shopify-Access-Token", &token)], "{not json").unwrap();
    assert_eq!(garbage.status, 400);
}

#[test]
fn a_server_error_fault_answers_then_clears() {
    let (sim, address, token) = start();
    sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::Status { status: 503 },
        times: 2,
        after: 0,
    });
    let query = json!({ "query": "{ shop { name } }" });
    assert_eq!(post_json(address, GRAPHQL, Some(&token), &query).status, 503);
    assert_eq!(post_json(address, GRAPHQL, Some(&token), &query).status, 503);
    assert_eq!(post_json(address, GRAPHQL, Some(&token), &query).status, 200);
}

#[test]
fn a_fault_can_wait_for_requests_to_pass_first() {
    let (sim, address, token) = start();
    let fault = json!({ "path_prefix": "/admin/api/", "kind": "status", "status": 500, "after": 2 });
    assert_eq!(post_json(address, "/__sim/faults", None, &fault).status, 204);
    let query = json!({ "query": "{ shop { name } }" });
    let statuses: Vec<u16> =
        (0..4).map(|_| post_json(address, GRAPHQL, Some(&token), &query).status).collect();
    assert_eq!(statuses, [200, 200, 500, 200]);
    assert_eq!(sim.with_admin(|admin| admin.calls().len()), 3, "the failed request ran nothing");
}

#[test]
fn a_rate_limit_fault_sends_retry_after_in_seconds() {
    let (_sim, address, token) = start();
    let fault = json!({ "path_prefix": "/admin/api/", "kind": "too_many_requests", "retry_after_secs": 2 });
    assert_eq!(post_json(address, "/__sim/faults", None, &fault).status, 204);
    let throttled = post_json(address, GRAPHQL, Some(&token), &json!({ "query": "{ shop { name } }" }));
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after").as_deref(), Some("2"));
    let bad_fault = post_json(address, "/__sim/faults", None, &json!({ "kind": "meteor" }));
    assert_eq!(bad_fault.status, 400);
}

#[test]
fn a_dropped_connection_never_completes_its_response() {
    let (sim, address, token) = start();
    sim.inject(Fault {
        path_prefix: "/admin/api/".to_owned(),
        kind: FaultKind::DropConnection,
        times: 1,
        after: 0,
    });
    match send(
        address,
        "POST",
        GRAPHQL,
        &[("X-Shopify-Access-Token", &token)],
        "{\"query\":\"{ shop { name } }\"}",
    ) {
        Err(_) => {}
        Ok(reply) => {
            assert!(!reply.body.contains("\"data\"") && !reply.body.ends_with("0\r\n\r\n"), "{}", reply.body)
        }
    }
}

#[test]
fn a_timeout_fault_never_answers_and_a_delay_fault_answers() {
    let (sim, address, _) = start();
    sim.inject(Fault {
        path_prefix: "/admin/oauth/".to_owned(),
        kind: FaultKind::Timeout,
        times: 1,
        after: 0,
    });
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    stream
        .write_all(b"POST /admin/oauth/access_token HTTP/1.1\r\nHost: sim\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    let mut buffer = [0u8; 64];
    let read = stream.read(&mut buffer);
    assert!(
        matches!(&read, Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "no answer: {read:?}"
    );

    sim.inject(Fault {
        path_prefix: "/admin/oauth/".to_owned(),
        kind: FaultKind::Delay { millis: 20 },
        times: 1,
        after: 0,
    });
    let refused = post_json(
        address,
        "/admin/oauth/access_token",
        None,
        &json!({ "client_id": "client", "client_secret": "wrong" }),
    );
    assert_eq!(refused.status, 401, "a delayed request is still handled");
}

#[test]
fn a_bulk_result_is_served_at_its_url() {
    let (_sim, address, token) = start();
    let run = json!({
        "query": "mutation ($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { url } userErrors { message } } }",
        "variables": { "q": "{ customers { nodes { id } } }" },
    });
    let reply = post_json(address, GRAPHQL, Some(&token), &run).json();
    let url = reply["data"]["bulkOperationRunQuery"]["bulkOperation"]["url"].as_str().unwrap().to_owned();
    let path = url.strip_prefix(&format!("http://{address}")).expect("the server's own address");
    let result = send(address, "GET", path, &[], "").unwrap();
    assert_eq!(result.status, 200);
    assert_eq!(result.body.lines().count(), 20);
    assert_eq!(send(address, "GET", "/__sim/bulk/99.jsonl", &[], "").unwrap().status, 404);
}

/// A one-shot app endpoint: accepts one request, answers `status`, and hands back the request.
fn app_endpoint(status: u16) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut raw = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let read = stream.read(&mut buffer).unwrap();
            raw.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&raw).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("Content-Length: "))
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(0);
                if body.len() >= length || read == 0 {
                    break;
                }
            }
        }
        stream.write_all(format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n").as_bytes()).unwrap();
        String::from_utf8_lossy(&raw).into_owned()
    });
    (uri, handle)
}

fn deliver(sim: &Simulator) -> shopify_sim::webhooks::DeliveryReport {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(sim.deliver_webhooks())
}

#[test]
fn webhooks_are_posted_to_the_app_over_http() {
    let (sim, _, _) = start();
    let (uri, request) = app_endpoint(200);
    sim.with_admin(|admin| {
        admin.webhooks_mut().subscribe("customers/create", &uri).unwrap();
        admin.create_customer("http@example.com", "US", Duration::from_secs(now_secs())).unwrap();
    });
    let report = deliver(&sim);
    assert_eq!(report.delivered, 1);
    let request = request.join().unwrap();
    let (head, body) = request.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("POST /webhooks HTTP/1.1"));
    assert!(head.contains("X-Shopify-Topic: customers/create"));
    let hmac = head.lines().find_map(|line| line.strip_prefix("X-Shopify-Hmac-Sha256: ")).unwrap();
    assert_eq!(hmac, shopify_sim::signing::webhook_hmac(SECRET, body.as_bytes()));
    assert!(sim.with_admin(|admin| admin.webhooks_mut().pending().is_empty()));
}

#[test]
fn a_failing_or_unreachable_app_gets_a_retry() {
    let (sim, _, _) = start();
    let (uri, request) = app_endpoint(500);
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/webhooks", listener.local_addr().unwrap())
    };
    sim.with_admin(|admin| {
        admin.webhooks_mut().subscribe("customers/create", &uri).unwrap();
        admin.webhooks_mut().subscribe("customers/create", &closed).unwrap();
        admin.create_customer("retry@example.com", "US", Duration::from_secs(now_secs())).unwrap();
    });
    let report = deliver(&sim);
    request.join().unwrap();
    assert_eq!((report.delivered, report.retrying), (0, 2));
    let attempts: Vec<u32> = sim
        .with_admin(|admin| admin.webhooks_mut().pending().iter().map(|delivery| delivery.attempt).collect());
    assert_eq!(attempts, [1, 1]);
}

#[test]
fn a_staged_upload_is_posted_as_a_multipart_form() {
    let (_sim, address, token) = start();
    let stage = json!({ "query": "mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: \"v.jsonl\", mimeType: \"text/jsonl\", httpMethod: POST }]) { stagedTargets { url parameters { name value } } } }" });
    let target = post_json(address, GRAPHQL, Some(&token), &stage).json()["data"]["stagedUploadsCreate"]["stagedTargets"][0].clone();
    let url = target["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("http://{address}/__sim/uploads"));
    let form = |parameters: &[(String, String)]| {
        let mut body = String::new();
        for (name, value) in parameters {
            body.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.jsonl\"\r\nContent-Type: text/jsonl\r\n\r\n{\"id\":\"x\"}\n\r\n--XyZ--\r\n");
        body
    };
    let parameters: Vec<(String, String)> = target["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|parameter| {
            (parameter["name"].as_str().unwrap().to_owned(), parameter["value"].as_str().unwrap().to_owned())
        })
        .collect();
    let content_type = [("Content-Type", "multipart/form-data; boundary=XyZ")];
    let uploaded = send(address, "POST", "/__sim/uploads", &content_type, &form(&parameters)).unwrap();
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    assert!(uploaded.body.contains("<Key>tmp/sim/1/v.jsonl</Key>"));
    let again = send(address, "POST", "/__sim/uploads", &content_type, &form(&parameters)).unwrap();
    assert_eq!(again.status, 403, "a target takes one upload");
    let forged = send(
        address,
        "POST",
        "/__sim/uploads",
        &content_type,
        &form(&[("key".to_owned(), "tmp/other".to_owned())]),
    )
    .unwrap();
    assert_eq!(forged.status, 403);
}

#[test]
fn a_throttled_burst_empties_the_bucket() {
    let (_sim, address, token) = start();
    let fault = json!({ "path_prefix": "/admin/api/", "kind": "throttled_burst" });
    assert_eq!(post_json(address, "/__sim/faults", None, &fault).status, 204);
    let reply = post_json(
        address,
        GRAPHQL,
        Some(&token),
        &json!({ "query": "{ customers(first: 50) { nodes { id } } }" }),
    );
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 52);
}

#[test]
fn the_admin_pages_show_tags_webhooks_and_their_answers() {
    let (sim, address, token) = start();
    let (uri, request) = app_endpoint(503);
    let (customer, handle) = sim.with_admin(|admin| {
        admin.webhooks_mut().subscribe("customers/create", &uri).unwrap();
        let shop = admin.shop();
        (shop.customers[0].id, shop.domain.trim_end_matches(".myshopify.com").to_owned())
    });
    let tag = json!({ "query": format!(r#"mutation {{ tagsAdd(id: "gid://shopify/Customer/{customer}", tags: ["seglink:vip"]) {{ userErrors {{ message }} }} }}"#) });
    assert_eq!(post_json(address, GRAPHQL, Some(&token), &tag).status, 200);
    sim.with_admin(|admin| {
        admin.create_customer("pages@example.com", "US", Duration::from_secs(now_secs())).unwrap()
    });
    deliver(&sim);
    request.join().unwrap();

    let page = |name: &str| send(address, "GET", &format!("/store/{handle}/{name}"), &[], "").unwrap();
    let customers = page("customers");
    assert_eq!(customers.status, 200);
    assert!(
        customers.body.contains("seglink:vip") && customers.body.contains("pages@example.com"),
        "{}",
        customers.body
    );
    let webhooks = page("webhooks");
    assert!(
        webhooks.body.contains("customers/create") && webhooks.body.contains("<td>503</td>"),
        "{}",
        webhooks.body
    );
    for name in ["segments", "discounts", "products"] {
        assert_eq!(page(name).status, 200, "{name}");
    }
    assert_eq!(page("orders-of-the-moon").status, 404);
    assert_eq!(send(address, "GET", "/store/another-shop/customers", &[], "").unwrap().status, 404);
}
