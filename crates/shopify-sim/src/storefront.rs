//! A storefront a person can click, at `/storefront/<handle>`: products, search, a cart, signing
//! in as a customer (or staying a guest), a consent banner, and a checkout whose price the app's
//! discount Function decides. Completing it places the order (`orders/create`, `orders/paid`) and
//! the thank-you page publishes `checkout_completed`.
//!
//! Every page publishes Shopify's standard events (`page_viewed`, `product_viewed`,
//! `search_submitted`, `product_added_to_cart`, `cart_viewed`, `checkout_started`,
//! `checkout_completed`) to the app's web pixel, which runs as Shopify runs a strict pixel: its
//! built bundle in a Web Worker, handed `analytics.subscribe`, `browser`, `init`, `settings` and
//! `customerPrivacy` through `shopify.extend` (`storefront/sandbox.js`), with the settings the app
//! gave `webPixelCreate`. What the pixel sends goes to the app itself, over the network, as from a
//! shopper's browser; the page lists each request and its answer.

mod events;
mod pages;
mod visitor;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::AdminApi;
use crate::checkout_page::same_store;
use crate::events::CompletedCheckout;
use crate::server::Simulator;
use pages::Page;
use visitor::{Cookies, Visitor};

/// The storefront's routes, under `/storefront/{handle}`.
pub(crate) fn routes(router: Router<Simulator>) -> Router<Simulator> {
    router
        .route("/storefront/{handle}", get(home))
        .route("/storefront/{handle}/search", get(search))
        .route("/storefront/{handle}/products/{product}", get(product))
        .route("/storefront/{handle}/cart", get(cart))
        .route("/storefront/{handle}/cart/add", post(add_to_cart))
        .route("/storefront/{handle}/cart/change", post(change_cart))
        .route("/storefront/{handle}/account", get(account))
        .route("/storefront/{handle}/account/sign-in", post(sign_in))
        .route("/storefront/{handle}/account/sign-out", post(sign_out))
        .route("/storefront/{handle}/consent", post(consent))
        .route("/storefront/{handle}/checkout", get(checkout).post(pay))
        .route("/storefront/{handle}/orders/{order}", get(thank_you))
        .route("/storefront/{handle}/pixel/web-pixel.js", get(pixel_bundle))
        .route("/storefront-assets/host.js", get(|| script(include_str!("storefront/host.js"))))
        .route("/storefront-assets/sandbox.js", get(|| script(include_str!("storefront/sandbox.js"))))
}

async fn script(text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], text).into_response()
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, Html(format!("<!doctype html><title>Not found</title><p>{what}</p>")))
        .into_response()
}

/// Renders what `build` makes of the store, or 404 when `handle` is not this store's.
fn show(
    sim: &Simulator,
    handle: &str,
    visitor: &Visitor,
    build: impl FnOnce(&mut AdminApi) -> Option<Page>,
) -> Response {
    let bundle = sim.web_pixel_script().is_some();
    let rendered = sim.with_admin(|admin| {
        if !same_store(admin, handle) {
            return Err("no such store");
        }
        let page = build(admin).ok_or("no such page in this store")?;
        Ok((page.status, pages::layout(admin, handle, visitor, bundle, &page)))
    });
    match rendered {
        Ok((status, html)) => (status, Html(html)).into_response(),
        Err(what) => not_found(what),
    }
}

async fn home(State(sim): State<Simulator>, Path(handle): Path<String>, headers: HeaderMap) -> Response {
    let visitor = Visitor::from_headers(&headers);
    show(&sim, &handle, &visitor, |admin| Some(pages::home(admin, &handle)))
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    let visitor = Visitor::from_headers(&headers);
    show(&sim, &handle, &visitor, |admin| Some(pages::search(admin, &handle, query.q.trim())))
}

async fn product(
    State(sim): State<Simulator>,
    Path((handle, product)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let visitor = Visitor::from_headers(&headers);
    show(&sim, &handle, &visitor, |admin| pages::product(admin, &handle, &product))
}

async fn cart(State(sim): State<Simulator>, Path(handle): Path<String>, headers: HeaderMap) -> Response {
    let visitor = Visitor::from_headers(&headers);
    show(&sim, &handle, &visitor, |admin| Some(pages::cart(admin, &handle, &visitor.cart)))
}

#[derive(Deserialize)]
struct LineForm {
    variant: u64,
    quantity: u32,
}

/// `POST /cart/add`: as Shopify's AJAX cart (`Accept: application/json`) it answers the added
/// line as `product_added_to_cart` reports it; a plain form goes on to the cart.
async fn add_to_cart(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    headers: HeaderMap,
    Form(line): Form<LineForm>,
) -> Response {
    let mut visitor = Visitor::from_headers(&headers);
    let quantity = line.quantity.clamp(1, visitor::MAX_QUANTITY);
    let added = sim.with_admin(|admin| {
        if !same_store(admin, &handle) {
            return None;
        }
        let shop = admin.shop();
        let (product, variant) = crate::checkout_page::find_variant(&shop, line.variant)?;
        Some(events::cart_line(&shop, product, variant, quantity))
    });
    let Some(added) = added else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "message": "no such variant in this store" })),
        )
            .into_response();
    };
    visitor.add(line.variant, quantity);
    let cookies = Cookies::new(&handle).cart(&visitor.cart).into_headers();
    let items: u32 = visitor.cart.iter().map(|(_, quantity)| quantity).sum();
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    if wants_json {
        (cookies, Json(json!({ "cartLine": added, "items": items }))).into_response()
    } else {
        (cookies, Redirect::to(&format!("/storefront/{handle}/cart"))).into_response()
    }
}

async fn change_cart(Path(handle): Path<String>, headers: HeaderMap, Form(line): Form<LineForm>) -> Response {
    let mut visitor = Visitor::from_headers(&headers);
    visitor.change(line.variant, line.quantity);
    (
        Cookies::new(&handle).cart(&visitor.cart).into_headers(),
        Redirect::to(&format!("/storefront/{handle}/cart")),
    )
        .into_response()
}

async fn account(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    let visitor = Visitor::from_headers(&headers);
    show(&sim, &handle, &visitor, |admin| Some(pages::account(admin, &handle, &visitor, query.q.trim())))
}

#[derive(Deserialize)]
struct SignInForm {
    customer: u64,
}

async fn sign_in(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    Form(form): Form<SignInForm>,
) -> Response {
    let known = sim.with_admin(|admin| {
        same_store(admin, &handle)
            && admin.shop().customers.iter().any(|customer| customer.id == form.customer)
    });
    if !known {
        return not_found("no such customer in this store");
    }
    // A new buyer means a new checkout.
    let cookies = Cookies::new(&handle).customer(Some(form.customer)).checkout(None).into_headers();
    (cookies, Redirect::to(&format!("/storefront/{handle}"))).into_response()
}

/// Signing out also starts a new visitor (a new `clientId`), so that the people a demo plays in
/// one browser stay apart, as they would on their own devices.
async fn sign_out(Path(handle): Path<String>) -> Response {
    let cookies = Cookies::new(&handle).customer(None).checkout(None).new_visitor().into_headers();
    (cookies, Redirect::to(&format!("/storefront/{handle}"))).into_response()
}

#[derive(Deserialize)]
struct ConsentForm {
    analytics: String,
    #[serde(default)]
    back: String,
}

/// The banner's answer. The page's script tells the pixel at once (`visitorConsentCollected`).
async fn consent(Path(handle): Path<String>, Form(form): Form<ConsentForm>) -> Response {
    let allowed = match form.analytics.as_str() {
        "granted" => true,
        "denied" => false,
        _ => {
            return (StatusCode::UNPROCESSABLE_ENTITY, "analytics must be granted or denied").into_response();
        }
    };
    // Back to a page of this storefront only.
    let home = format!("/storefront/{handle}");
    let back = if form.back.starts_with(&format!("{home}/")) || form.back == home { form.back } else { home };
    (Cookies::new(&handle).analytics(allowed).into_headers(), Redirect::to(&back)).into_response()
}

async fn checkout(State(sim): State<Simulator>, Path(handle): Path<String>, headers: HeaderMap) -> Response {
    let visitor = Visitor::from_headers(&headers);
    let token = visitor.checkout.clone().unwrap_or_else(new_token);
    let runner = sim.function_runner();
    let page = show(&sim, &handle, &visitor, |admin| {
        Some(pages::checkout(admin, &handle, &visitor, &token, runner.as_deref(), None))
    });
    (Cookies::new(&handle).checkout(Some(&token)).into_headers(), page).into_response()
}

#[derive(Deserialize)]
struct PayForm {
    #[serde(default)]
    email: String,
}

/// `POST /checkout`: places the order, as the buyer signed in or as a guest with an email.
async fn pay(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    headers: HeaderMap,
    Form(form): Form<PayForm>,
) -> Response {
    let visitor = Visitor::from_headers(&headers);
    let Some(token) = visitor.checkout.clone() else {
        return Redirect::to(&format!("/storefront/{handle}/checkout")).into_response();
    };
    let email = form.email.trim().to_lowercase();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let runner = sim.function_runner();
    let placed = sim.with_admin(|admin| {
        if !same_store(admin, &handle) {
            return Err("no such store".to_owned());
        }
        if visitor.customer.is_none() && !valid_email(&email) {
            return Err("Enter an email address to check out as a guest.".to_owned());
        }
        // Priced again now: the cart, the buyer's tags or the rules may have changed since the
        // page was shown, and the order keeps what the Function decides at payment.
        let priced = crate::checkout_page::price(admin, visitor.customer, &visitor.cart, runner.as_deref());
        let checkout = CompletedCheckout {
            customer_id: visitor.customer,
            guest_email: visitor.customer.is_none().then_some(email.as_str()),
            lines: &visitor.cart,
            token: &token,
            discount_cents: priced.subtotal_cents - priced.total_cents(),
        };
        admin.complete_checkout(&checkout, now).map_err(|error| error.to_string())
    });
    match placed {
        Ok(order) => {
            let cookies = Cookies::new(&handle).cart(&[]).checkout(None).last_order(order).into_headers();
            (cookies, Redirect::to(&format!("/storefront/{handle}/orders/{order}"))).into_response()
        }
        Err(message) => show(&sim, &handle, &visitor, |admin| {
            let mut page =
                pages::checkout(admin, &handle, &visitor, &token, runner.as_deref(), Some(&message));
            page.status = StatusCode::UNPROCESSABLE_ENTITY;
            Some(page)
        }),
    }
}

fn valid_email(email: &str) -> bool {
    email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace)
}

/// The thank-you page, shown only to the browser that placed the order (its cookie), which
/// publishes `checkout_completed`.
async fn thank_you(
    State(sim): State<Simulator>,
    Path((handle, order)): Path<(String, u64)>,
    headers: HeaderMap,
) -> Response {
    let visitor = Visitor::from_headers(&headers);
    if visitor.last_order != Some(order) {
        return not_found("no such order for this browser");
    }
    show(&sim, &handle, &visitor, |admin| pages::thank_you(admin, &handle, order))
}

/// The app's built pixel bundle, as the simulator was given it.
async fn pixel_bundle(State(sim): State<Simulator>) -> Response {
    match sim.web_pixel_script() {
        Some(bundle) => {
            ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], bundle.to_string()).into_response()
        }
        None => not_found("no web pixel bundle is deployed"),
    }
}

/// A checkout token: 32 hex digits, as Shopify's are, unguessable enough for a simulator.
fn new_token() -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let digest = Sha256::digest(format!("{nanos}:{count}:{}", std::process::id()));
    digest.iter().take(16).map(|byte| format!("{byte:02x}")).collect()
}
