//! The storefront a person clicks: its pages publish Shopify's standard events in the pixel
//! API's shapes, the cart and the sign-in live in the visitor's cookies, the checkout is priced
//! by the plugged-in Function, and paying places the order with the checkout's token and the
//! discount, whose thank-you page only its buyer sees.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use shopify_sim::checkout_page::FunctionRunner;
use shopify_sim::server::Simulator;
use shopify_sim::webhooks::Delivery;
use shopify_sim::{Plan, SeedOptions, seed_shop};
use tower::ServiceExt;

/// 10% off the order for a signed-in buyer, nothing for a guest.
struct TenPercentForCustomers;

impl FunctionRunner for TenPercentForCustomers {
    fn name(&self) -> String {
        "a test runner".to_owned()
    }

    fn lines_query(&self) -> String {
        "query Input { cart { buyerIdentity { customer { id } } } }".to_owned()
    }

    fn input_variables(&self) -> Option<(String, String)> {
        None
    }

    fn run_lines(&self, input: &Value) -> Result<Value, String> {
        if input["cart"]["buyerIdentity"]["customer"].is_null() {
            return Ok(json!({ "operations": [] }));
        }
        Ok(json!({ "operations": [{ "orderDiscountsAdd": { "selectionStrategy": "MAXIMUM", "candidates": [{
            "message": "Members 10%", "targets": [{ "orderSubtotal": { "excludedCartLineIds": [] } }],
            "value": { "percentage": { "value": "10" } } }] } }] }))
    }
}

fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

/// A seeded store with the app's discount, its pixel and an `orders/paid` subscription.
fn store() -> (Simulator, String) {
    let shop = seed_shop(&SeedOptions { customers: 5, products: 3, orders: 5, ..SeedOptions::default() });
    let handle = shop.domain.trim_end_matches(".myshopify.com").to_owned();
    let (mut api, token) = crate::common::install(
        shop,
        "client",
        &["write_discounts", "read_orders", "write_pixels", "read_customer_events"],
        Plan::Standard,
        now(),
    );
    api.deploy_function("segment-discount", "discount", "Segment discount");
    api.deploy_web_pixel(&["publicKey"]);
    for (query, variables) in [
        (
            "mutation ($d: DiscountAutomaticAppInput!) { discountAutomaticAppCreate(automaticAppDiscount: $d) { userErrors { message } } }",
            json!({ "d": { "title": "Seglink", "functionHandle": "segment-discount", "discountClasses": ["ORDER"] } }),
        ),
        (
            "mutation ($s: JSON!) { webPixelCreate(webPixel: { settings: $s }) { userErrors { message } } }",
            json!({ "s": { "publicKey": "pk_test" } }),
        ),
        (
            "mutation { webhookSubscriptionCreate(topic: ORDERS_PAID, webhookSubscription: { uri: \"https://app.example/webhooks\" }) { userErrors { message } } }",
            json!({}),
        ),
    ] {
        let body = api.graphql(&token, &json!({ "query": query, "variables": variables }), now()).body;
        assert!(body.get("errors").is_none(), "{body}");
        assert!(!body.to_string().contains("\"message\""), "{body}");
    }
    let sim = Simulator::new(api);
    sim.set_function_runner(Arc::new(TenPercentForCustomers));
    sim.set_web_pixel_script("/* the app's pixel */");
    (sim, format!("/storefront/{handle}"))
}

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    location: Option<String>,
    body: String,
}

impl Answer {
    /// The page's pixel configuration: settings, init and the events it publishes.
    fn pixel(&self) -> Value {
        let start = self.body.find("id=\"web-pixel-config\">").expect("a pixel config") + 22;
        let end = start + self.body[start..].find("</script>").unwrap();
        serde_json::from_str(&self.body[start..end]).unwrap()
    }

    fn events(&self) -> Vec<Value> {
        self.pixel()["events"].as_array().unwrap().clone()
    }
}

/// One browser: its cookies go with every request.
struct Browser {
    sim: Simulator,
    cookies: Vec<(String, String)>,
}

impl Browser {
    async fn send(&mut self, method: &str, path: &str, form: Option<&str>, accept_json: bool) -> Answer {
        let cookie: Vec<String> =
            self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let mut request =
            Request::builder().method(method).uri(path).header(header::COOKIE, cookie.join("; "));
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        if accept_json {
            request = request.header(header::ACCEPT, "application/json");
        }
        let request = request.body(Body::from(form.unwrap_or_default().to_owned())).unwrap();
        let response = self.sim.router().oneshot(request).await.unwrap();
        let status = response.status();
        let header_text = |name| {
            response.headers().get(name).map(|value: &header::HeaderValue| value.to_str().unwrap().to_owned())
        };
        let location = header_text(header::LOCATION);
        let cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect();
        for cookie in &cookies {
            let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(known, _)| known != name);
            if !attributes.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Answer { status, cookies, location, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, None, false).await
    }

    async fn post(&mut self, path: &str, form: &str) -> Answer {
        self.send("POST", path, Some(form), false).await
    }
}

fn first_variant(sim: &Simulator) -> (String, u64, u64) {
    sim.with_admin(|admin| {
        let product = &admin.shop().products[0];
        (product.handle.clone(), product.variants[0].id, product.variants[0].price_cents)
    })
}

#[tokio::test]
async fn pages_publish_the_standard_events_in_the_pixel_apis_shapes() {
    let (sim, base) = store();
    let (product, variant, price_cents) = first_variant(&sim);
    let mut browser = Browser { sim: sim.clone(), cookies: Vec::new() };

    let home = browser.get(&base).await;
    assert_eq!(home.status, StatusCode::OK);
    let pixel = home.pixel();
    assert_eq!(
        pixel["settings"],
        json!({ "publicKey": "pk_test" }),
        "the settings the app gave webPixelCreate"
    );
    assert_eq!(pixel["bundle"], format!("{base}/pixel/web-pixel.js"));
    assert_eq!(pixel["init"]["customerPrivacy"]["analyticsProcessingAllowed"], false, "no consent yet");
    assert_eq!(pixel["consentRequired"], true);
    assert_eq!(
        home.events().iter().map(|event| event["name"].clone()).collect::<Vec<_>>(),
        vec!["page_viewed"]
    );

    let page = browser.get(&format!("{base}/products/{product}")).await;
    let viewed = &page.events()[1];
    assert_eq!(viewed["name"], "product_viewed");
    let shown = &viewed["data"]["productVariant"];
    assert_eq!(shown["id"], variant.to_string());
    assert_eq!(
        shown["price"]["amount"],
        json!(price_cents as f64 / 100.0),
        "a number, as the pixel API gives it"
    );
    assert!(shown["product"]["id"].is_string());

    let title = sim.with_admin(|admin| admin.shop().products[0].title.clone());
    let found = browser.get(&format!("{base}/search?q={}", title.replace(' ', "+"))).await;
    let searched = &found.events()[1];
    assert_eq!(searched["name"], "search_submitted");
    assert_eq!(searched["data"]["searchResult"]["query"], title.as_str());
    assert!(
        searched["data"]["searchResult"]["productVariants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|shown| shown["id"].as_str() == Some(variant.to_string().as_str()))
    );

    let empty = browser.get(&format!("{base}/cart")).await;
    assert_eq!(empty.events()[1]["data"]["cart"], Value::Null, "an empty cart is null");
    let added = browser
        .send("POST", &format!("{base}/cart/add"), Some(&format!("variant={variant}&quantity=2")), true)
        .await;
    assert_eq!(added.status, StatusCode::OK);
    let line: Value = serde_json::from_str(&added.body).unwrap();
    assert_eq!(line["cartLine"]["quantity"], 2);
    assert_eq!(line["cartLine"]["merchandise"]["id"], variant.to_string());
    let cart = browser.get(&format!("{base}/cart")).await;
    let viewed = &cart.events()[1]["data"]["cart"];
    assert_eq!(viewed["lines"][0]["quantity"], 2);
    assert_eq!(viewed["cost"]["totalAmount"]["amount"], json!((price_cents * 2) as f64 / 100.0));

    // Consent is remembered, and the next page starts the pixel with it.
    let answered =
        browser.post(&format!("{base}/consent"), &format!("analytics=granted&back={base}/cart")).await;
    assert_eq!(answered.location.as_deref(), Some(format!("{base}/cart").as_str()));
    let next = browser.get(&base).await;
    assert_eq!(next.pixel()["init"]["customerPrivacy"]["analyticsProcessingAllowed"], true);
    assert_eq!(next.pixel()["consentRequired"], false);
}

#[tokio::test]
async fn what_the_storefront_cannot_take_is_refused_plainly() {
    let (sim, base) = store();
    let mut browser = Browser { sim: sim.clone(), cookies: Vec::new() };
    let unknown = browser.send("POST", &format!("{base}/cart/add"), Some("variant=1&quantity=1"), true).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        serde_json::from_str::<Value>(&unknown.body).unwrap()["message"],
        "no such variant in this store"
    );
    assert!(unknown.cookies.is_empty(), "the cart is left as it was");
    let consent = browser.post(&format!("{base}/consent"), "analytics=maybe").await;
    assert_eq!(consent.status, StatusCode::UNPROCESSABLE_ENTITY);
    let elsewhere =
        browser.post(&format!("{base}/consent"), "analytics=denied&back=https://evil.example/").await;
    assert_eq!(elsewhere.location.as_deref(), Some(base.as_str()), "back only to this storefront");
    assert_eq!(browser.get("/storefront/another-shop").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get(&format!("{base}/products/no-such-product")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.post(&format!("{base}/account/sign-in"), "customer=1").await.status,
        StatusCode::NOT_FOUND
    );

    // A guest must give an email; the cart is kept.
    let (_, variant, _) = first_variant(&sim);
    browser.post(&format!("{base}/cart/add"), &format!("variant={variant}&quantity=1")).await;
    browser.get(&format!("{base}/checkout")).await;
    let refused = browser.post(&format!("{base}/checkout"), "email=not-an-email").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Enter an email address"), "{}", refused.body);
    assert_eq!(sim.with_admin(|admin| admin.shop().orders.len()), 5, "no order placed");
    assert!(browser.get(&format!("{base}/cart")).await.body.contains("Check out"), "the cart is still there");
}

#[tokio::test]
async fn paying_places_the_order_with_the_checkouts_token_and_its_discount() {
    let (sim, base) = store();
    let (product, variant, price_cents) = first_variant(&sim);
    let customer = sim.with_admin(|admin| admin.shop().customers[0].id);
    let mut browser = Browser { sim: sim.clone(), cookies: Vec::new() };
    browser.post(&format!("{base}/account/sign-in"), &format!("customer={customer}")).await;
    browser.get(&format!("{base}/products/{product}")).await;
    browser.post(&format!("{base}/cart/add"), &format!("variant={variant}&quantity=3")).await;

    let checkout = browser.get(&format!("{base}/checkout")).await;
    let subtotal = price_cents * 3;
    let discount = (subtotal + 5) / 10;
    assert!(
        checkout.body.contains(&format!(
            "data-discount>Members 10%: −{}.{:02} on the order",
            discount / 100,
            discount % 100
        )),
        "{}",
        checkout.body
    );
    assert!(checkout.body.contains("data-runner>Decided by the discount Function: a test runner"));
    let started = &checkout.events()[1];
    assert_eq!(started["name"], "checkout_started");
    let token = started["data"]["checkout"]["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32);

    let paid = browser.post(&format!("{base}/checkout"), "").await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER);
    let thanks = paid.location.unwrap();
    let order = sim.with_admin(|admin| admin.shop().orders.last().cloned().unwrap());
    assert_eq!((order.customer_id, order.checkout_token.as_str()), (Some(customer), token.as_str()));
    assert_eq!((order.subtotal_cents, order.discount_cents), (subtotal, discount));

    let mut sent: Vec<Delivery> = Vec::new();
    sim.with_admin(|admin| {
        admin.webhooks_mut().deliver_due(now() + Duration::from_secs(60), |delivery| {
            sent.push(delivery.clone());
            Some(200)
        })
    });
    let payload: Value = serde_json::from_slice(&sent.last().expect("orders/paid").body).unwrap();
    assert_eq!(payload["checkout_token"], token.as_str());
    let money = |cents: u64| format!("{}.{:02}", cents / 100, cents % 100);
    assert_eq!(payload["total_discounts"], money(discount).as_str());
    assert_eq!(payload["total_price"], money(subtotal - discount).as_str());

    let page = browser.get(&thanks).await;
    let completed = &page.events()[1];
    assert_eq!(completed["name"], "checkout_completed");
    assert_eq!(completed["data"]["checkout"]["token"], token.as_str());
    assert_eq!(completed["data"]["checkout"]["order"]["id"], order.id.to_string());
    assert_eq!(
        completed["data"]["checkout"]["totalPrice"]["amount"],
        json!((subtotal - discount) as f64 / 100.0)
    );
    assert!(completed["id"].as_str().unwrap().contains(&token), "a reload publishes the same event");
    assert!(browser.get(&format!("{base}/cart")).await.body.contains("Your cart is empty"));

    // Another browser cannot see the order, nor claim its checkout.
    let mut stranger = Browser { sim: sim.clone(), cookies: Vec::new() };
    assert_eq!(stranger.get(&thanks).await.status, StatusCode::NOT_FOUND);

    // Signing out starts a new visitor: the page script's id is forgotten.
    let out = browser.post(&format!("{base}/account/sign-out"), "").await;
    assert!(
        out.cookies.iter().any(|cookie| cookie.starts_with("sim_client=;") && cookie.contains("Path=/;"))
    );
}
