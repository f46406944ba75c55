//! A simulated shop served over HTTP, with Seglink's app (the test credentials) installed there as
//! Shopify would have it: the Function and the pixel extension deployed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shopify_sim::oauth::{AppCredentials, OAuthServer};
use shopify_sim::server::{Simulator, serve};
use shopify_sim::{AdminApi, Plan, SeedOptions, seed_shop};

use serde_json::Value;

use crate::helpers::{API_KEY, APP_URL, SCOPES, SECRET, TestApp};

/// The pixel extension's settings keys, as its `shopify.extension.toml` declares them.
pub fn pixel_settings() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../extensions/web-pixel/shopify.extension.toml");
    let config: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    config["settings"]["fields"].as_table().unwrap().keys().cloned().collect()
}

/// The Flow triggers the app's extensions declare (`extensions/*/shopify.extension.toml` of type
/// `flow_trigger`), as a deploy gives them to Flow.
pub fn flow_triggers() -> Vec<shopify_sim::flow::TriggerDefinition> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../extensions");
    let mut triggers = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let Ok(text) = std::fs::read_to_string(entry.unwrap().path().join("shopify.extension.toml")) else {
            continue;
        };
        let config: toml::Table = text.parse().unwrap();
        let Some(extensions) = config.get("extensions").and_then(toml::Value::as_array) else { continue };
        for extension in
            extensions.iter().filter(|extension| extension["type"].as_str() == Some("flow_trigger"))
        {
            let fields = config["settings"]["fields"].as_array().unwrap();
            let kind = |field: &toml::Value| field["type"].as_str().unwrap().to_owned();
            triggers.push(shopify_sim::flow::TriggerDefinition {
                handle: extension["handle"].as_str().unwrap().to_owned(),
                name: extension["name"].as_str().unwrap().to_owned(),
                references: fields
                    .iter()
                    .filter_map(|field| {
                        kind(field).strip_suffix("_reference").map(|object| format!("{object}_id"))
                    })
                    .collect(),
                fields: fields
                    .iter()
                    .filter_map(|field| Some(field.get("key")?.as_str()?.to_owned()))
                    .collect(),
            });
        }
    }
    triggers
}

pub struct SimulatedShop {
    pub sim: Simulator,
    pub origin: String,
    pub domain: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for SimulatedShop {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

impl SimulatedShop {
    pub async fn start() -> Self {
        Self::start_with(SeedOptions { customers: 5, products: 3, orders: 3, ..SeedOptions::default() }).await
    }

    /// A shop seeded with `options`.
    pub async fn start_with(options: SeedOptions) -> Self {
        let shop = seed_shop(&options);
        let domain = shop.domain.clone();
        let app = AppCredentials {
            client_id: API_KEY.to_owned(),
            client_secret: SECRET.to_owned(),
            redirect_urls: vec![format!("{APP_URL}/auth/callback")],
        };
        let scopes: Vec<&str> = SCOPES.split(',').collect();
        let oauth = OAuthServer::new(&domain, app, &scopes);
        let mut admin = AdminApi::new(shop, oauth, Plan::Standard, now());
        admin.deploy_function("segment-discount", "discount", "Seglink segment rewards");
        let keys = pixel_settings();
        admin.deploy_web_pixel(&keys.iter().map(String::as_str).collect::<Vec<_>>());
        for trigger in flow_triggers() {
            admin.flow_mut().deploy_trigger(trigger);
        }
        admin.flow_mut().set_lifecycle_url(&format!("{APP_URL}/flow/lifecycle"));
        // On the largest plan unless a test says otherwise: limits are billing's tests' concern.
        let plans = shopify_sim::billing::plans_from(&seglink::billing::PLANS).unwrap();
        admin.offer_plans(plans, Some("scale"), now());
        let sim = Simulator::new(admin);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let served = sim.clone();
        let server = tokio::spawn(async move {
            let _ = serve(&served, listener).await;
        });
        Self { sim, origin, domain, server }
    }

    /// The merchant picks `plan` on Shopify's plan page and answers `decision` ("approve" or
    /// "decline"), through the page itself; where Shopify sends them next.
    pub async fn choose_plan(&self, plan: &str, decision: &str) -> String {
        let handle = self.domain.trim_end_matches(".myshopify.com");
        let url = format!("{}/store/{handle}/charges/seglink/pricing_plans/{plan}", self.origin);
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(url)
            .form(&[("decision", decision)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "the plan page answered");
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// A session token for staff member 1, as App Bridge would send it.
    pub fn session_token(&self) -> String {
        self.sim.with_admin(|admin| admin.oauth_mut().session_token(1, now().as_secs()))
    }

    /// Runs a query with a token of the test's own, to see what the app did.
    pub fn inspect(&self, query: &str) -> serde_json::Value {
        self.sim.with_admin(|admin| {
            let token =
                admin.oauth_mut().custom_app_token(&["read_pixels", "read_discounts", "read_customers"]);
            admin.graphql(&token, &serde_json::json!({ "query": query }), now()).body
        })
    }
}

impl SimulatedShop {
    /// Subscribes the app to the topics its `shopify.app.toml` declares, as a deploy would.
    pub fn subscribe_declared_topics(&self) {
        let manifest: toml::Value = toml::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shopify.app.toml")).unwrap(),
        )
        .unwrap();
        let subscriptions = manifest["webhooks"]["subscriptions"].as_array().unwrap();
        self.sim.with_admin(|admin| {
            for subscription in subscriptions {
                for topic in subscription.get("topics").and_then(toml::Value::as_array).into_iter().flatten()
                {
                    // Topics the simulator does not emit are left out.
                    let _ = admin
                        .webhooks_mut()
                        .subscribe(topic.as_str().unwrap(), &format!("{APP_URL}/webhooks"));
                }
            }
        });
    }

    /// Hands Flow's lifecycle callbacks and action calls to `app`, as Flow would over HTTP, and
    /// logs each action's answer in its run; the app's answers.
    pub async fn forward_flow_callbacks(
        &self,
        app: &crate::helpers::TestApp,
    ) -> Vec<(u16, serde_json::Value)> {
        let callbacks = self.sim.with_admin(|admin| admin.flow_mut().take_callbacks());
        let mut answers = Vec::new();
        for callback in callbacks {
            let path = callback.uri.strip_prefix(APP_URL).unwrap().to_owned();
            let mut request = axum::http::Request::post(path);
            for (name, value) in &callback.headers {
                request = request.header(name, value);
            }
            let request = request.body(axum::body::Body::from(callback.body.clone())).unwrap();
            let (status, _, body) = app.request(request).await;
            self.sim.with_admin(|admin| admin.flow_mut().record_answer(&callback, Some(status)));
            answers.push((status, serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body))));
        }
        answers
    }

    /// Every trigger Flow accepted, oldest first: its handle and payload.
    pub fn flow_received(&self) -> Vec<(String, serde_json::Value)> {
        self.sim.with_admin(|admin| admin.flow_mut().received().to_vec())
    }

    /// Hands every due webhook delivery to `app`, as Shopify would over HTTP; how many.
    pub async fn forward_webhooks(&self, app: &crate::helpers::TestApp) -> usize {
        let due = self.sim.with_admin(|admin| {
            let mut due = Vec::new();
            admin.webhooks_mut().take_due(now(), &mut due);
            due
        });
        let mut answers = Vec::new();
        for delivery in &due {
            let mut request = axum::http::Request::post("/webhooks");
            for (name, value) in &delivery.headers {
                request = request.header(name, value);
            }
            let request = request.body(axum::body::Body::from(delivery.body.clone())).unwrap();
            let (status, _, body) = app.request(request).await;
            assert_eq!(status, 200, "{body}");
            answers.push(Some(status));
        }
        let count = due.len();
        self.sim.with_admin(|admin| admin.webhooks_mut().settle(due, &answers, now()));
        count
    }

    /// Every customer's tags in the shop, by numeric id.
    pub fn customer_tags(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        self.sim.with_admin(|admin| {
            admin
                .shop()
                .customers
                .iter()
                .map(|customer| (customer.id.to_string(), customer.tags.clone()))
                .collect()
        })
    }

    /// The customers holding `tag` in the shop.
    pub fn tagged(&self, tag: &str) -> std::collections::BTreeSet<String> {
        self.customer_tags()
            .into_iter()
            .filter(|(_, tags)| tags.iter().any(|held| held.eq_ignore_ascii_case(tag)))
            .map(|(id, _)| id)
            .collect()
    }

    /// The variables of every call the app made to the root field `field`, oldest first.
    pub fn calls(&self, field: &str) -> Vec<serde_json::Value> {
        self.sim.with_admin(|admin| {
            admin
                .calls()
                .iter()
                .filter(|call| call.fields.iter().any(|name| name == field))
                .map(|call| call.variables.clone())
                .collect()
        })
    }
}

impl crate::helpers::TestApp {
    /// Opens the app in the shop's admin, as a staff member would: the first time, this installs
    /// it. The status and the answer of `GET /api/session`.
    pub async fn open_admin(&self, shop: &SimulatedShop) -> (u16, serde_json::Value) {
        self.call("GET", "/api/session", Some(&shop.session_token()), None).await
    }
}

/// A listener that stands in for Shopify and counts every connection made to it: a refused
/// request must not reach it.
pub struct Tripwire {
    pub origin: String,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Tripwire {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = hits.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                drop(stream);
            }
        });
        Self { origin, hits, task }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The output of the discount Function's order and product target (the crate itself, run
/// natively) for an input built by the simulator's checkout.
pub fn run_lines_function(input: &serde_json::Value) -> serde_json::Value {
    use shopify_function::wasm_api::{Context, Serialize};
    let result = shopify_function::run_function_with_input(
        segment_discount::cart_lines_discounts_generate_run,
        &input.to_string(),
    )
    .unwrap();
    let mut context = Context::new_with_input(serde_json::Value::Null);
    result.serialize(&mut context).unwrap();
    context.finalize_output_and_return().unwrap()
}

/// A shop with `customers` customers and plenty of orders in the last 90 days, installed, its
/// backfill read.
pub async fn installed(store: seglink::db::Store, customers: usize) -> (SimulatedShop, TestApp) {
    installed_with(store, customers, &[]).await
}

/// `installed`, the app configured with `extra` settings besides the test ones.
pub async fn installed_with(
    store: seglink::db::Store,
    customers: usize,
    extra: &[(&str, &str)],
) -> (SimulatedShop, TestApp) {
    let options = SeedOptions {
        customers,
        products: 8,
        orders: customers * 3,
        now: now().as_secs(),
        ..SeedOptions::default()
    };
    let shop = SimulatedShop::start_with(options).await;
    let app = TestApp::configured(store, crate::helpers::config_with(Some(&shop.origin), extra));
    let (status, _) = app.open_admin(&shop).await;
    assert_eq!(status, 200);
    app.run_jobs().await;
    (shop, app)
}

impl TestApp {
    /// An admin API call as the shop's staff.
    pub async fn admin(
        &self,
        shop: &SimulatedShop,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call(method, path, Some(&shop.session_token()), body).await
    }
}
