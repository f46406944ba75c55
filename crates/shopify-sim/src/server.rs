//! The simulator over HTTP: OAuth, the Admin GraphQL endpoint, and the faults a test scripts.
//!
//! One shop, one app. Time is the machine's clock here; the library types underneath take time
//! as an argument for tests that need to move it.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin_api::AdminApi;
use crate::admin_api::schema::ADMIN_API_VERSION;
use crate::oauth::OAuthError;

/// What a scripted fault does to a request.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status (a 5xx, typically) and a JSON error, without running anything.
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// HTTP 429 with `Retry-After` in seconds, as Shopify's REST-style throttle does.
    TooManyRequests {
        /// The `Retry-After` value.
        retry_after_secs: u64,
    },
    /// Wait this long, then handle the request normally.
    Delay {
        /// Milliseconds.
        millis: u64,
    },
    /// Never answer; the client's own timeout ends it.
    Timeout,
    /// Close the connection without a complete answer.
    DropConnection,
    /// Empty the shop's rate-limit bucket, as a burst of the app's other traffic would, then
    /// handle the request: it and those after it are `THROTTLED` until the bucket restores.
    ThrottledBurst,
}

/// A fault for the next `times` requests whose path starts with `path_prefix`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Fault {
    /// Such as `/admin/api/` or `/admin/oauth/access_token`.
    pub path_prefix: String,
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it applies to.
    #[serde(default = "one")]
    pub times: u32,
    /// How many matching requests pass untouched before it applies: a fault in the middle of a
    /// run of calls.
    #[serde(default)]
    pub after: u32,
}

fn one() -> u32 {
    1
}

/// A running simulator's state, shared by its handlers and the test that drives it.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

struct Inner {
    admin: Mutex<AdminApi>,
    faults: Mutex<Vec<Fault>>,
    /// The app's URL, which the admin page frames.
    app_url: Mutex<Option<String>>,
    /// The app's discount Function, as the checkout runs it.
    runner: Mutex<crate::checkout_page::Runner>,
    /// What `/` says, when something runs the simulator for people (a demo's guide).
    welcome: Mutex<Option<String>>,
    /// The app's built web pixel bundle, which the storefront runs.
    web_pixel_script: Mutex<Option<Arc<str>>>,
}

impl Simulator {
    /// Serves `admin`.
    pub fn new(admin: AdminApi) -> Self {
        Self {
            inner: Arc::new(Inner {
                admin: Mutex::new(admin),
                faults: Mutex::new(Vec::new()),
                app_url: Mutex::new(None),
                runner: Mutex::new(None),
                welcome: Mutex::new(None),
                web_pixel_script: Mutex::new(None),
            }),
        }
    }

    /// Where the app is served: the admin page (`/store/<handle>/apps/<client id>`) frames it.
    pub fn set_app_url(&self, url: &str) {
        *lock(&self.inner.app_url) = Some(url.trim_end_matches('/').to_owned());
    }

    /// The app's URL, once set.
    pub fn app_url(&self) -> Option<String> {
        lock(&self.inner.app_url).clone()
    }

    /// Plugs in the app's discount Function, which the checkout page runs.
    pub fn set_function_runner(&self, runner: std::sync::Arc<dyn crate::checkout_page::FunctionRunner>) {
        *lock(&self.inner.runner) = Some(runner);
    }

    /// Serves `body` (HTML) at `/`, inside the admin's chrome: a demo's guide.
    pub fn set_welcome(&self, body: &str) {
        *lock(&self.inner.welcome) = Some(body.to_owned());
    }

    /// Deploys the app's built web pixel bundle (the one file `shopify app build` makes), which
    /// the storefront runs in its sandbox.
    pub fn set_web_pixel_script(&self, script: &str) {
        *lock(&self.inner.web_pixel_script) = Some(Arc::from(script));
    }

    /// The web pixel bundle, once deployed.
    pub(crate) fn web_pixel_script(&self) -> Option<Arc<str>> {
        lock(&self.inner.web_pixel_script).clone()
    }

    /// The Function runner plugged in, if any.
    pub(crate) fn function_runner(&self) -> crate::checkout_page::Runner {
        lock(&self.inner.runner).clone()
    }

    /// Runs `change` on the shop's API: to seed state, mint tokens or read what an app did.
    pub fn with_admin<R>(&self, change: impl FnOnce(&mut AdminApi) -> R) -> R {
        change(&mut lock(&self.inner.admin))
    }

    /// Delivers webhooks as they fall due, retries included, checking every second; runs until
    /// its task is dropped.
    pub async fn deliver_webhooks_forever(self) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            self.deliver_webhooks().await;
        }
    }

    /// Sends every webhook delivery due now to the app over HTTP, retrying later what fails.
    /// Returns what happened.
    pub async fn deliver_webhooks(&self) -> crate::webhooks::DeliveryReport {
        let now = now();
        let due: Vec<crate::webhooks::Delivery> = self.with_admin(|admin| {
            let mut due = Vec::new();
            admin.webhooks_mut().take_due(now, &mut due);
            due
        });
        let mut answers = Vec::with_capacity(due.len());
        for delivery in &due {
            answers.push(crate::delivery::post(delivery).await);
        }
        self.with_admin(|admin| admin.webhooks_mut().settle(due, &answers, now))
    }

    /// Sends Flow's lifecycle callbacks and action calls waiting to go, in order, and logs each
    /// action's answer in its run; the app's answers (`None`: not reached).
    pub async fn deliver_flow_callbacks(&self) -> Vec<Option<u16>> {
        let callbacks = self.with_admin(|admin| admin.flow_mut().take_callbacks());
        let mut answers = Vec::with_capacity(callbacks.len());
        for callback in &callbacks {
            let answer = crate::delivery::post_to(&callback.uri, &callback.headers, &callback.body).await;
            self.with_admin(|admin| admin.flow_mut().record_answer(callback, answer));
            answers.push(answer);
        }
        answers
    }

    /// Scripts a fault.
    pub fn inject(&self, fault: Fault) {
        lock(&self.inner.faults).push(fault);
    }

    /// The routes: `/admin/oauth/authorize`, `/admin/oauth/access_token`,
    /// `/admin/api/{version}/graphql.json`, `/__sim/faults` to script faults over HTTP,
    /// `/__sim/bulk/{id}.jsonl` for bulk results, `/__sim/uploads` for staged uploads, and the
    /// embedded admin's side (`crate::cdn`): the admin page framing the app and the CDN scripts.
    pub fn router(&self) -> Router {
        crate::storefront::routes(Router::new())
            .route("/", get(welcome))
            .route(
                "/store/{handle}/checkout",
                get(crate::checkout_page::show).post(crate::checkout_page::place),
            )
            .route("/store/{handle}/{page}", get(crate::admin_pages::page))
            .route("/store/{handle}/charges/{app}/pricing_plans", get(crate::plan_page::plans))
            .route(
                "/store/{handle}/charges/{app}/pricing_plans/{plan}",
                get(crate::plan_page::approval).post(crate::plan_page::answer),
            )
            .route("/store/{handle}/apps/{api_key}", get(crate::cdn::admin_page))
            .route("/store/{handle}/apps/{api_key}/{*rest}", get(crate::cdn::admin_page))
            .route("/shopifycloud/app-bridge.js", get(crate::cdn::app_bridge))
            .route("/shopifycloud/polaris-1.js", get(crate::cdn::polaris))
            .route("/shopifycloud/id-token", get(crate::cdn::id_token))
            .route("/shopifycloud/resources", get(crate::cdn::resources))
            .route("/admin/oauth/authorize", get(authorize))
            .route("/admin/oauth/access_token", post(access_token))
            .route("/admin/api/{version}/graphql.json", post(graphql))
            .route("/__sim/faults", post(inject_fault))
            .route("/__sim/uninstall", post(uninstall))
            .route("/__sim/bulk/{file}", get(bulk_result))
            .route(
                "/__sim/uploads",
                post(upload).layer(DefaultBodyLimit::max(
                    crate::bulk_mutation::MAX_UPLOAD_BYTES as usize + 64 * 1024,
                )),
            )
            .layer(middleware::from_fn_with_state(self.clone(), apply_faults))
            .with_state(self.clone())
    }
}

/// A poisoned lock means a handler panicked mid-change; the state is still the best there is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// The machine's clock in Unix seconds.
pub(crate) fn unix_now() -> u64 {
    now().as_secs()
}

fn json_response(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

fn oauth_error(error: OAuthError) -> Response {
    json_response(error.status, error.body)
}

async fn authorize(State(sim): State<Simulator>, Query(params): Query<Vec<(String, String)>>) -> Response {
    let params: Vec<(&str, &str)> =
        params.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
    let redirect = sim.with_admin(|admin| admin.oauth_mut().authorize(&params, now().as_secs()));
    match redirect.map(|url| HeaderValue::from_str(&url)) {
        Ok(Ok(location)) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Ok(Err(_)) => oauth_error(OAuthError { status: 400, body: json!({ "error": "invalid_request" }) }),
        Err(error) => oauth_error(error),
    }
}

async fn access_token(State(sim): State<Simulator>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        let description = "The request body must be a JSON object.";
        return json_response(400, json!({ "error": "invalid_request", "error_description": description }));
    };
    match sim.with_admin(|admin| admin.oauth_mut().access_token(&request, now().as_secs())) {
        Ok(token) => json_response(200, token),
        Err(error) => oauth_error(error),
    }
}

async fn graphql(
    State(sim): State<Simulator>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version != ADMIN_API_VERSION {
        return json_response(404, json!({ "errors": format!("API version {version} is not served") }));
    }
    let token =
        headers.get("x-shopify-access-token").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return json_response(400, json!({ "errors": { "query": "Required parameter missing or invalid" } }));
    };
    let response = sim.with_admin(|admin| admin.graphql(token, &request, now()));
    json_response(response.status, response.body)
}

async fn bulk_result(State(sim): State<Simulator>, Path(file): Path<String>) -> Response {
    let result = file
        .strip_suffix(".jsonl")
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(|id| sim.with_admin(|admin| admin.bulk_result(id)));
    match result {
        Some(jsonl) => ([(header::CONTENT_TYPE, "application/jsonl")], jsonl).into_response(),
        None => json_response(404, json!({ "errors": "Not Found" })),
    }
}

/// A staged upload, as a multipart form like the one Shopify's storage takes: the target's
/// parameters, then `file`.
async fn upload(State(sim): State<Simulator>, mut form: Multipart) -> Response {
    let mut key = None;
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let Ok(bytes) = field.bytes().await else {
                    return xml_error(400, "MalformedPOSTRequest");
                };
                match name.as_str() {
                    "key" => key = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    "file" => file = Some(bytes.to_vec()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return xml_error(400, "MalformedPOSTRequest"),
        }
    }
    let (Some(key), Some(file)) = (key, file) else {
        return xml_error(400, "InvalidArgument");
    };
    if !sim.with_admin(|admin| admin.store_upload(&key, file)) {
        return xml_error(403, "AccessDenied");
    }
    let body = format!("<?xml version='1.0' encoding='UTF-8'?><PostResponse><Key>{key}</Key></PostResponse>");
    (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// Errors in the storage service's XML form.
fn xml_error(status: u16, code: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = format!("<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>");
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

async fn inject_fault(State(sim): State<Simulator>, body: Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) => {
            sim.inject(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => json_response(400, json!({ "error": format!("not a fault: {error}") })),
    }
}

/// `GET /`: the welcome a demo set, or nothing.
async fn welcome(State(sim): State<Simulator>) -> Response {
    let Some(body) = lock(&sim.inner.welcome).clone() else {
        return (StatusCode::NOT_FOUND, "nothing here: the admin is at /store/<handle>/…").into_response();
    };
    let page = sim.with_admin(|admin| {
        let handle = admin.shop().handle().to_owned();
        crate::admin_pages::frame(admin, &handle, "Welcome", &body)
    });
    axum::response::Html(page).into_response()
}

/// The merchant uninstalls the app in the shop's admin: its tokens, pixel, discounts and reserved
/// definitions go, and `app/uninstalled` is queued for the app.
async fn uninstall(State(sim): State<Simulator>) -> Response {
    sim.with_admin(|admin| admin.uninstall(now()));
    StatusCode::NO_CONTENT.into_response()
}

async fn apply_faults(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let fault = if path.starts_with("/__sim/") {
        None
    } else {
        let mut faults = lock(&sim.inner.faults);
        let found = faults.iter().position(|fault| path.starts_with(&fault.path_prefix));
        let waiting = found.filter(|index| faults[*index].after > 0);
        if let Some(index) = waiting {
            faults[index].after -= 1;
        }
        found.filter(|_| waiting.is_none()).map(|index| {
            let kind = faults[index].kind.clone();
            faults[index].times = faults[index].times.saturating_sub(1);
            if faults[index].times == 0 {
                faults.remove(index);
            }
            kind
        })
    };
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Status { status }) => {
            json_response(status, json!({ "errors": "Internal Server Error" }))
        }
        Some(FaultKind::TooManyRequests { retry_after_secs }) => {
            let mut response = json_response(
                429,
                json!({ "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }),
            );
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Some(FaultKind::Delay { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(FaultKind::Timeout) => std::future::pending().await,
        Some(FaultKind::ThrottledBurst) => {
            sim.with_admin(|admin| admin.bucket_mut().drain(now()));
            next.run(request).await
        }
        Some(FaultKind::DropConnection) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], Body::new(Severed)).into_response()
        }
    }
}

/// A body that fails at once, so the server closes the connection instead of answering.
struct Severed;

impl http_body::Body for Severed {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: connection dropped",
        ))))
    }
}

/// Serves `sim` on `listener` until the process ends.
pub async fn serve(sim: &Simulator, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_with(sim, listener, Router::new()).await
}

/// As [`serve`], with `extra` routes beside the simulator's (a stand-in for another service).
pub async fn serve_with(
    sim: &Simulator,
    listener: tokio::net::TcpListener,
    extra: Router,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    sim.with_admin(|admin| admin.set_public_url(&format!("http://{address}")));
    axum::serve(listener, sim.router().merge(extra)).await
}
