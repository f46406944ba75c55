//! The demo as the README starts it: one command brings up the simulated shop and Seglink and
//! installs it; Ctrl-C stops both; a second start finds Seglink's data; a busy port is named,
//! with the flag that picks another.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use shopify_sim::signing::{SessionClaims, session_token};

const DEMO: &str = env!("CARGO_BIN_EXE_seglink-demo");

struct Demo {
    child: Child,
    lines: BufReader<ChildStdout>,
    landing: String,
    admin: String,
}

impl Demo {
    /// Starts the demo on free ports and waits for the line with its URL.
    fn start(data: &std::path::Path) -> Self {
        let mut child = Command::new(DEMO)
            .args([
                "--port",
                "0",
                "--app-port",
                "0",
                "--customers",
                "40",
                "--orders",
                "120",
                "--products",
                "8",
                "--no-open",
            ])
            .arg("--data")
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts");
        let mut lines = BufReader::new(child.stdout.take().expect("its output"));
        let landing = read_line(&mut lines)
            .strip_prefix("Seglink demo: open ")
            .expect("the URL line")
            .trim()
            .to_owned();
        // The guide's first link: Seglink in the simulated admin of the seeded shop.
        let admin = format!("{landing}store/seglink-demo-1/apps/seglink-demo");
        Self { child, lines, landing, admin }
    }

    /// Ctrl-C, and what it says as it stops.
    fn interrupt(mut self) -> String {
        let status =
            Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(status.success());
        let mut said = String::new();
        while let Ok(read) = self.lines.read_line(&mut said) {
            if read == 0 {
                break;
            }
        }
        let exit = self.child.wait().expect("it exits");
        assert!(exit.success(), "a clean stop: {exit}");
        said
    }
}

/// A test that fails leaves no demo running behind it.
impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_line(lines: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    lines.read_line(&mut line).expect("a line");
    line
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The app's URL, from the iframe of the simulated admin page.
async fn app_url(admin: &str) -> String {
    let page = reqwest::get(admin).await.unwrap().text().await.unwrap();
    let source = page.split("src=\"").nth(1).expect("the app's frame").split('"').next().unwrap().to_owned();
    source.split("/?").next().unwrap().trim_end_matches('/').to_owned()
}

/// `GET /api/session` as the shop's staff, signed with the demo's app secret.
async fn session(data: &std::path::Path, app_url: &str) -> Value {
    let secret = std::fs::read_to_string(data.join("app-secret")).unwrap();
    let claims = SessionClaims::new("seglink-demo-1.myshopify.com", "seglink-demo", 1, now());
    let token = session_token(secret.trim(), &claims);
    let answer =
        reqwest::Client::new().get(format!("{app_url}/api/session")).bearer_auth(token).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

#[tokio::test]
async fn one_command_installs_the_shop_and_a_second_start_finds_seglinks_data() {
    let data = std::env::temp_dir().join(format!("seglink-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);

    let first = Demo::start(&data);
    assert!(
        first.admin.starts_with("http://127.0.0.1:") && first.admin.ends_with("/apps/seglink-demo"),
        "{}",
        first.admin
    );
    let guide = reqwest::get(&first.landing).await.unwrap().text().await.unwrap();
    assert!(
        guide.contains("<ol>")
            && guide.contains("/apps/seglink-demo/discounts")
            && guide.contains("/checkout"),
        "the landing page walks the loop: {guide}"
    );
    let app = app_url(&first.admin).await;
    let installed = session(&data, &app).await;
    let public_key =
        installed["workspace"]["public_key"].as_str().expect("installed: a workspace").to_owned();
    assert!(installed["server_key"].is_null(), "the demo's own first open saw the key, not this one");
    let said = first.interrupt();
    assert!(said.contains("stopped; the data stays in"), "{said}");

    let second = Demo::start(&data);
    let app = app_url(&second.admin).await;
    let again = session(&data, &app).await;
    assert_eq!(
        again["workspace"]["public_key"],
        public_key.as_str(),
        "the same workspace: the data was reused"
    );
    second.interrupt();
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_busy_port_is_named_with_the_flag_that_picks_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let data = std::env::temp_dir().join(format!("seglink-demo-busy-{}", std::process::id()));
    let output = Command::new(DEMO)
        .args(["--port", &port, "--no-open"])
        .arg("--data")
        .arg(&data)
        .output()
        .expect("the demo runs");
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains(&format!("port {port} is busy")) && message.contains("--port"), "{message}");
    let _ = std::fs::remove_dir_all(&data);
}

/// An admin API call as the shop's staff.
async fn admin_call(
    data: &std::path::Path,
    app_url: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let secret = std::fs::read_to_string(data.join("app-secret")).unwrap();
    let claims = SessionClaims::new("seglink-demo-1.myshopify.com", "seglink-demo", 1, now());
    let request = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{app_url}{path}"))
        .bearer_auth(session_token(secret.trim(), &claims));
    let request = match body {
        Some(body) => request.header("Content-Type", "application/json").body(body.to_string()),
        None => request,
    };
    let answer = request.send().await.unwrap();
    let status = answer.status();
    let text = answer.text().await.unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asks `check` again every 100 ms until it holds; fails after 60 s. For what another task
/// reaches in its own time (provisioning, a push).
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "not reached within 60 s: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The amount after `label` on a page, in cents: `Total 12.34` is 1234.
fn cents_after(page: &str, label: &str) -> u64 {
    let text = page.split(label).nth(1).unwrap_or_else(|| panic!("no {label:?} in {page}"));
    let amount: String = text.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let (whole, fraction) = amount.split_once('.').expect("two decimals");
    whole.parse::<u64>().unwrap() * 100 + fraction.parse::<u64>().unwrap()
}

#[tokio::test]
async fn a_members_checkout_gets_the_discount_from_the_function_and_a_guests_does_not() {
    let data = std::env::temp_dir().join(format!("seglink-demo-checkout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let demo = Demo::start(&data);
    let app = app_url(&demo.admin).await;
    eventually("the discount is provisioned and the history read", || async {
        let setup = admin_call(&data, &app, "GET", "/api/setup", None).await;
        let done = |name: &str| {
            setup["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|step| step["step"] == name && step["state"] == "done")
        };
        done("discount") && done("backfill")
    })
    .await;
    let segment =
        serde_json::json!({ "name": "Buyers", "rules": { "if": "orders_count", "op": ">=", "value": 1 } });
    admin_call(&data, &app, "POST", "/api/segments", Some(segment)).await;
    let rule = serde_json::json!({ "segment": "buyers", "title": "Buyers 10% off", "value": { "percentage": "10" }, "target": { "type": "orderSubtotal" } });
    admin_call(&data, &app, "POST", "/api/discount-rules", Some(rule)).await;
    // The history's orders reach membership as their events are processed, in the workers' time.
    eventually("the segment has members", || async {
        admin_call(&data, &app, "GET", "/api/segments/buyers/members", None).await["members"][0].is_object()
    })
    .await;
    let member = admin_call(&data, &app, "GET", "/api/segments/buyers/members", None).await["members"][0]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("the member's tag is in Shopify", || {
        let store = demo.admin.split("/apps/").next().unwrap().to_owned();
        let member = member.clone();
        async move {
            let page = reqwest::get(format!("{store}/customers")).await.unwrap().text().await.unwrap();
            page.split("<tr>")
                .any(|row| row.contains(&format!("<td>{member}</td>")) && row.contains("seglink:buyers"))
        }
    })
    .await;

    let store = demo.admin.split("/apps/").next().unwrap().to_owned();
    let form = reqwest::get(format!("{store}/checkout")).await.unwrap().text().await.unwrap();
    let variant = form.split("name=\"qty_").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let priced = |buyer: String| {
        let url = format!("{store}/checkout?customer={buyer}&qty_{variant}=2");
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let members_cart = priced(member.clone()).await;
    assert!(members_cart.contains("data-discount>Buyers 10% off: −"), "{members_cart}");
    let (subtotal, total) =
        (cents_after(&members_cart, "<p>Subtotal "), cents_after(&members_cart, "data-total>Total "));
    assert_eq!(total, subtotal - (subtotal + 5) / 10, "10% off, to the cent: {members_cart}");
    assert!(members_cart.contains("data-runner>Decided by the discount Function: segment-discount"));
    let guests_cart = priced("guest".to_owned()).await;
    assert!(guests_cart.contains("data-no-discount"), "a guest carries no tag: {guests_cart}");

    let placed = reqwest::Client::new()
        .post(format!("{store}/checkout?customer={member}&qty_{variant}=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(placed.contains("data-order>Order #"), "{placed}");
    eventually("Seglink took the order's webhooks", || async {
        let page = reqwest::get(format!("{store}/webhooks")).await.unwrap().text().await.unwrap();
        page.contains("<td>orders/paid</td>") && page.contains("<td>200</td>")
    })
    .await;
    demo.interrupt();
    std::fs::remove_dir_all(&data).unwrap();
}
