//! The storefront's pages as HTML, each with the standard events it publishes to the pixel.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::events::{self, CheckoutFacts, PageEvent};
use super::visitor::Visitor;
use crate::AdminApi;
use crate::cdn::escape;
use crate::checkout_page::FunctionRunner;
use crate::money::amount;
use crate::shop::{Product, Shop};

/// Most products a list shows, and most customers the sign-in page lists.
const LIST_LIMIT: usize = 24;

/// A page's title, body and the events it publishes.
pub struct Page {
    pub title: String,
    pub body: String,
    pub events: Vec<PageEvent>,
    pub status: StatusCode,
}

impl Page {
    fn new(title: &str, body: String, mut events: Vec<PageEvent>) -> Self {
        events.insert(0, PageEvent::new("page_viewed", json!({})));
        Self { title: title.to_owned(), body, events, status: StatusCode::OK }
    }
}

/// The theme around a page: the store's header (search, account, cart), the consent banner until
/// it is answered, the pixel's activity, and the pixel's sandbox started with what Shopify gives a
/// pixel.
pub fn layout(admin: &AdminApi, handle: &str, visitor: &Visitor, bundle: bool, page: &Page) -> String {
    let shop = admin.shop();
    let base = format!("/storefront/{handle}");
    let items: u32 = visitor.cart.iter().map(|(_, quantity)| quantity).sum();
    let customer = visitor.customer.and_then(|id| shop.customers.iter().find(|customer| customer.id == id));
    let account = customer.map_or_else(
        || "Sign in".to_owned(),
        |customer| format!("Signed in as {}", escape(&customer.first_name)),
    );
    let banner = if visitor.analytics.is_none() {
        format!(
            "<form class=\"banner\" data-consent method=\"post\" action=\"{base}/consent\" aria-label=\"Cookie consent\">\
             <p>This store and its apps use analytics to improve your experience.</p>\
             <input type=\"hidden\" name=\"back\" value=\"\">\
             <button name=\"analytics\" value=\"granted\">Accept</button> <button name=\"analytics\" value=\"denied\">Decline</button></form>"
        )
    } else {
        String::new()
    };
    let settings =
        admin.pixels.borrow().pixel.as_ref().and_then(|(_, text)| serde_json::from_str::<Value>(text).ok());
    let config = json!({
        "bundle": bundle.then(|| format!("{base}/pixel/web-pixel.js")),
        "sandbox": "/storefront-assets/sandbox.js",
        "settings": settings,
        "init": {
            "customerPrivacy": privacy(visitor.analytics == Some(true)),
            "data": {
                "shop": {
                    "myshopifyDomain": shop.domain,
                    "name": handle,
                    "paymentSettings": { "currencyCode": shop.currency },
                    "storefrontUrl": base,
                },
                "customer": customer.map(|customer| json!({
                    "id": customer.id.to_string(),
                    "email": customer.email,
                    "firstName": customer.first_name,
                    "lastName": customer.last_name,
                })),
                "cart": null,
            },
        },
        "consentRequired": visitor.analytics.is_none(),
        "events": page.events.iter().map(PageEvent::to_json).collect::<Vec<_>>(),
    });
    // `<` escaped so no text in the data can close the script element.
    let config = config.to_string().replace('<', "\\u003c");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} · {store} (simulated storefront)</title>\
         <style>body{{margin:0;font:15px system-ui;color:#1a1a1a;background:#fafafa}}header{{display:flex;gap:16px;align-items:center;flex-wrap:wrap;padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}}\
         header .store{{font-weight:700;font-size:18px;color:inherit;text-decoration:none;margin-right:auto}}main{{max-width:960px;margin:0 auto;padding:20px}}\
         .grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;list-style:none;padding:0}}\
         .grid li,.card{{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px}}.banner{{position:sticky;top:0;background:#fff8db;padding:8px 20px;border-bottom:1px solid #e6d48a}}\
         .banner p{{display:inline;margin-right:12px}}table{{border-collapse:collapse;width:100%;background:#fff}}th,td{{text-align:left;padding:6px 8px;border-bottom:1px solid #eee}}\
         .pixel{{max-width:960px;margin:20px auto;padding:0 20px;color:#555;font-size:13px}}.pixel li{{font-family:ui-monospace,monospace}}\
         [role=alert]{{color:#8e1f0b}}button{{font:inherit;padding:6px 12px;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}}button.primary{{background:#1a1a1a;color:#fff}}</style></head>\
         <body>{banner}<header><a class=\"store\" href=\"{base}\">{store}</a>\
         <form role=\"search\" action=\"{base}/search\"><label>Search <input type=\"search\" name=\"q\"></label> <button>Search</button></form>\
         <a href=\"{base}/account\">{account}</a> <a href=\"{base}/cart\">Cart (<span data-cart-count>{items}</span>)</a>\
         <a href=\"/store/{handle}/customers\">Shopify admin</a></header>\
         <main><h1>{title}</h1>{body}</main>\
         <section class=\"pixel\" aria-label=\"Web pixel activity\"><h2>Web pixel</h2><p data-pixel-status>Starting the app's pixel…</p><ol data-pixel-log></ol></section>\
         <script type=\"application/json\" id=\"web-pixel-config\">{config}</script><script src=\"/storefront-assets/host.js\" defer></script></body></html>",
        title = escape(&page.title),
        store = escape(handle),
        body = page.body,
    )
}

/// `customerPrivacy` as the pixel API reports it: analytics as chosen, nothing else.
pub fn privacy(analytics: bool) -> Value {
    json!({
        "analyticsProcessingAllowed": analytics,
        "marketingAllowed": false,
        "preferencesProcessingAllowed": false,
        "saleOfDataAllowed": false,
    })
}

fn product_list(shop: &Shop, handle: &str, products: &[&Product]) -> String {
    let items: String = products
        .iter()
        .take(LIST_LIMIT)
        .map(|product| {
            let from = product.variants.iter().map(|variant| variant.price_cents).min().unwrap_or_default();
            format!(
                "<li><a href=\"/storefront/{handle}/products/{}\">{}</a><br>{} · from {} {}</li>",
                escape(&product.handle),
                escape(&product.title),
                escape(&product.product_type),
                amount(from),
                escape(&shop.currency)
            )
        })
        .collect();
    format!("<ul class=\"grid\">{items}</ul>")
}

pub fn home(admin: &AdminApi, handle: &str) -> Page {
    let shop = admin.shop();
    let products: Vec<&Product> = shop.products.iter().collect();
    let more = if products.len() > LIST_LIMIT {
        format!("<p>{} more: search to find them.</p>", products.len() - LIST_LIMIT)
    } else {
        String::new()
    };
    Page::new("Products", format!("{}{more}", product_list(&shop, handle, &products)), Vec::new())
}

pub fn search(admin: &AdminApi, handle: &str, query: &str) -> Page {
    let shop = admin.shop();
    let needle = query.to_lowercase();
    let found: Vec<&Product> = shop
        .products
        .iter()
        .filter(|product| {
            !needle.is_empty()
                && (product.title.to_lowercase().contains(&needle)
                    || product.product_type.to_lowercase().contains(&needle)
                    || product.tags.iter().any(|tag| tag.to_lowercase() == needle))
        })
        .collect();
    let body = if query.is_empty() {
        "<p>Type what you are looking for in the search box.</p>".to_owned()
    } else if found.is_empty() {
        format!("<p>No products match “{}”.</p>", escape(query))
    } else {
        format!(
            "<p>{} products match “{}”.</p>{}",
            found.len(),
            escape(query),
            product_list(&shop, handle, &found)
        )
    };
    let mut events = Vec::new();
    if !query.is_empty() {
        let variants: Vec<Value> = found
            .iter()
            .take(LIST_LIMIT)
            .filter_map(|product| {
                product.variants.first().map(|variant| events::variant(&shop, product, variant))
            })
            .collect();
        events.push(PageEvent::new(
            "search_submitted",
            json!({ "searchResult": { "query": query, "productVariants": variants } }),
        ));
    }
    Page::new("Search", body, events)
}

pub fn product(admin: &AdminApi, handle: &str, product_handle: &str) -> Option<Page> {
    let shop = admin.shop();
    let product = shop.products.iter().find(|product| product.handle == product_handle)?;
    let first = product.variants.first()?;
    let options: String = product
        .variants
        .iter()
        .map(|variant| {
            format!(
                "<option value=\"{}\">{} · {} {}</option>",
                variant.id,
                escape(&variant.title),
                amount(variant.price_cents),
                escape(&shop.currency)
            )
        })
        .collect();
    let body = format!(
        "<div class=\"card\"><p>{kind}</p><p><strong>{price} {currency}</strong></p>\
         <form data-add-to-cart method=\"post\" action=\"/storefront/{handle}/cart/add\">\
         <p><label>Variant <select name=\"variant\">{options}</select></label> \
         <label>Quantity <input name=\"quantity\" type=\"number\" min=\"1\" max=\"999\" value=\"1\"></label></p>\
         <p><button class=\"primary\">Add to cart</button> <span role=\"status\" data-added></span></p></form></div>",
        kind = escape(&product.product_type),
        price = amount(first.price_cents),
        currency = escape(&shop.currency),
    );
    let viewed =
        PageEvent::new("product_viewed", json!({ "productVariant": events::variant(&shop, product, first) }));
    Some(Page::new(&product.title, body, vec![viewed]))
}

pub fn cart(admin: &AdminApi, handle: &str, cart: &[(u64, u32)]) -> Page {
    let shop = admin.shop();
    let lines = events::lines(&shop, cart);
    let body = if lines.is_empty() {
        format!("<p>Your cart is empty. <a href=\"/storefront/{handle}\">Keep shopping</a>.</p>")
    } else {
        let rows: String = lines
            .iter()
            .map(|(product, variant, quantity)| {
                format!(
                    "<tr><td>{} · {}</td><td>{}</td><td><form method=\"post\" action=\"/storefront/{handle}/cart/change\">\
                     <input type=\"hidden\" name=\"variant\" value=\"{}\"><label>Quantity <input name=\"quantity\" type=\"number\" min=\"0\" max=\"999\" value=\"{quantity}\"></label> \
                     <button>Update</button></form></td><td>{}</td></tr>",
                    escape(&product.title),
                    escape(&variant.title),
                    amount(variant.price_cents),
                    variant.id,
                    amount(variant.price_cents * u64::from(*quantity)),
                )
            })
            .collect();
        let subtotal: u64 =
            lines.iter().map(|(_, variant, quantity)| variant.price_cents * u64::from(*quantity)).sum();
        format!(
            "<table><thead><tr><th>Item</th><th>Price</th><th>Quantity</th><th>Total</th></tr></thead><tbody>{rows}</tbody></table>\
             <p>Subtotal {} {}. Discounts are worked out at checkout.</p><p><a href=\"/storefront/{handle}/checkout\">Check out</a></p>",
            amount(subtotal),
            escape(&shop.currency)
        )
    };
    let viewed = PageEvent::new("cart_viewed", json!({ "cart": events::cart(&shop, cart) }));
    Page::new("Your cart", body, vec![viewed])
}

pub fn account(admin: &AdminApi, handle: &str, visitor: &Visitor, query: &str) -> Page {
    let shop = admin.shop();
    let signed_in = visitor.customer.and_then(|id| shop.customers.iter().find(|customer| customer.id == id));
    let mut body = match signed_in {
        Some(customer) => format!(
            "<p>Signed in as {} {} ({}). <form method=\"post\" action=\"/storefront/{handle}/account/sign-out\"><button>Sign out</button></form></p>",
            escape(&customer.first_name),
            escape(&customer.last_name),
            escape(&customer.email)
        ),
        None => "<p>You are a guest. This simulated store signs you in as any of its customers, without a password.</p>".to_owned(),
    };
    let needle = query.to_lowercase();
    let rows: String = shop
        .customers
        .iter()
        .filter(|customer| {
            needle.is_empty()
                || format!("{} {} {} {}", customer.first_name, customer.last_name, customer.email, customer.tags.join(" "))
                    .to_lowercase()
                    .contains(&needle)
        })
        .take(LIST_LIMIT)
        .map(|customer| {
            format!(
                "<tr><td>{} {}</td><td>{}</td><td>{}</td><td><form method=\"post\" action=\"/storefront/{handle}/account/sign-in\">\
                 <input type=\"hidden\" name=\"customer\" value=\"{}\"><button aria-label=\"Sign in as {} {}\">Sign in</button></form></td></tr>",
                escape(&customer.first_name),
                escape(&customer.last_name),
                escape(&customer.email),
                escape(&customer.tags.join(", ")),
                customer.id,
                escape(&customer.first_name),
                escape(&customer.last_name),
            )
        })
        .collect();
    body.push_str(&format!(
        "<h2>Sign in as a customer</h2><form action=\"/storefront/{handle}/account\"><label>Find by name, email or tag \
         <input type=\"search\" name=\"q\" value=\"{}\"></label> <button>Find</button></form>\
         <table><thead><tr><th>Name</th><th>Email</th><th>Tags</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
        escape(query)
    ));
    Page::new("Account", body, Vec::new())
}

pub fn checkout(
    admin: &AdminApi,
    handle: &str,
    visitor: &Visitor,
    token: &str,
    runner: Option<&dyn FunctionRunner>,
    error: Option<&str>,
) -> Page {
    let shop = admin.shop();
    let lines = events::lines(&shop, &visitor.cart);
    if lines.is_empty() {
        return Page::new(
            "Checkout",
            format!("<p>Your cart is empty. <a href=\"/storefront/{handle}\">Keep shopping</a>.</p>"),
            Vec::new(),
        );
    }
    let customer = visitor.customer.and_then(|id| shop.customers.iter().find(|customer| customer.id == id));
    let email = customer.map(|customer| customer.email.clone());
    let rows: String = lines
        .iter()
        .map(|(product, variant, quantity)| {
            format!(
                "<tr><td>{} · {}</td><td>{quantity}</td><td>{}</td></tr>",
                escape(&product.title),
                escape(&variant.title),
                amount(variant.price_cents * u64::from(*quantity))
            )
        })
        .collect();
    drop(shop);
    let priced = crate::checkout_page::price(admin, visitor.customer, &visitor.cart, runner);
    let buyer = match &email {
        Some(email) => format!("<p>Buying as {} (signed in).</p>", escape(email)),
        None => "<p><label>Email (a guest checkout) <input name=\"email\" type=\"email\" required autocomplete=\"email\"></label></p>".to_owned(),
    };
    let alert = error.map(|message| format!("<p role=\"alert\">{}</p>", escape(message))).unwrap_or_default();
    let currency = admin.shop().currency.clone();
    let body = format!(
        "<table><thead><tr><th>Item</th><th>Quantity</th><th>Total</th></tr></thead><tbody>{rows}</tbody></table>\
         <div class=\"card\"><p>Subtotal {subtotal} {currency}</p><h2>Discounts</h2>{decision}<p data-total><strong>Total {total} {currency}</strong></p></div>\
         <form method=\"post\" action=\"/storefront/{handle}/checkout\">{alert}{buyer}<p><button class=\"primary\">Pay now</button></p></form>",
        subtotal = amount(priced.subtotal_cents),
        decision = priced.html,
        total = amount(priced.total_cents()),
    );
    let data = events::checkout(
        &admin.shop(),
        &CheckoutFacts {
            token,
            email: email.as_deref(),
            cart: &visitor.cart,
            subtotal_cents: priced.subtotal_cents,
            total_cents: priced.total_cents(),
            order: None,
        },
    );
    let mut started = PageEvent::new("checkout_started", json!({ "checkout": data }));
    started.id = Some(format!("checkout-started-{token}"));
    Page::new("Checkout", body, vec![started])
}

pub fn thank_you(admin: &AdminApi, handle: &str, order_id: u64) -> Option<Page> {
    let shop = admin.shop();
    let order = shop.orders.iter().find(|order| order.id == order_id)?;
    let cart: Vec<(u64, u32)> = order.lines.iter().map(|line| (line.variant_id, line.quantity)).collect();
    let email = order.guest_email.clone().or_else(|| {
        let customer =
            order.customer_id.and_then(|id| shop.customers.iter().find(|customer| customer.id == id));
        customer.map(|customer| customer.email.clone())
    });
    let data = events::checkout(
        &shop,
        &CheckoutFacts {
            token: &order.checkout_token,
            email: email.as_deref(),
            cart: &cart,
            subtotal_cents: order.subtotal_cents,
            total_cents: order.total_cents(),
            order: Some((order.id, order.customer_id)),
        },
    );
    let body = format!(
        "<div class=\"card\"><p data-order>Order {} is confirmed.</p><p>Shopify sends <code>orders/create</code> and \
         <code>orders/paid</code> to the app now (see the <a href=\"/store/{handle}/webhooks\">webhooks</a>), and this page \
         publishes <code>checkout_completed</code> to the pixel.</p><p><a href=\"/storefront/{handle}\">Keep shopping</a></p></div>",
        escape(&order.name)
    );
    let mut completed = PageEvent::new("checkout_completed", json!({ "checkout": data }));
    completed.id = Some(format!("checkout-completed-{}", order.checkout_token));
    Some(Page::new("Thank you", body, vec![completed]))
}
