//! A checkout a person can click: a buyer (a seeded customer, or a guest), a cart of the shop's
//! variants, the price the app's discount Function decides, and placing the order, which sends
//! `orders/create` and `orders/paid` as Shopify does.
//!
//! The simulator knows the Function only as a plugged-in runner (`FunctionRunner`: its input
//! query, input JSON in, output JSON out), so it stays independent of any app's code; the page
//! says which runner decided. The input is built from the runner's own query over the checkout,
//! with the discount's metafield, exactly as tests build it.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

use crate::admin_pages::frame;
use crate::applied::{Applied, PricedLine};
use crate::cdn::escape;
use crate::money::amount;
use crate::server::Simulator;
use crate::shop::{Shop, gid};
use crate::{AdminApi, CartLine, Checkout, Customer, Merchandise, Product};

/// An app's discount Function, as the checkout runs it.
pub trait FunctionRunner: Send + Sync {
    /// Who decides, as the checkout page says it (`segment-discount, native build`).
    fn name(&self) -> String;
    /// The input query of the order and product target (`cart.lines.discounts.generate.run`).
    fn lines_query(&self) -> String;
    /// The metafield whose keys are the query's variables (`[extensions.input.variables]`).
    fn input_variables(&self) -> Option<(String, String)>;
    /// The target's output for `input`.
    fn run_lines(&self, input: &Value) -> Result<Value, String>;
}

/// The runner plugged in, if any.
pub(crate) type Runner = Option<Arc<dyn FunctionRunner>>;

type Params = Vec<(String, String)>;

/// The buyer and the cart a query names: `customer` (an id, or `guest`) and `qty_<variant>`.
struct Cart {
    customer: Option<u64>,
    lines: Vec<(u64, u32)>,
}

impl Cart {
    fn from(params: &Params) -> Self {
        let customer =
            params.iter().find(|(key, _)| key == "customer").and_then(|(_, value)| value.parse().ok());
        let lines = params
            .iter()
            .filter_map(|(key, value)| {
                let variant = key.strip_prefix("qty_")?.parse().ok()?;
                let quantity: u32 = value.trim().parse().ok().filter(|quantity| *quantity > 0)?;
                Some((variant, quantity.min(999)))
            })
            .collect();
        Self { customer, lines }
    }

    fn query(&self) -> String {
        let mut pairs = vec![format!(
            "customer={}",
            self.customer.map_or_else(|| "guest".to_owned(), |id| id.to_string())
        )];
        pairs.extend(self.lines.iter().map(|(variant, quantity)| format!("qty_{variant}={quantity}")));
        pairs.join("&")
    }
}

/// `GET /store/{handle}/checkout`: the form, and the price of the cart it names.
pub async fn show(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let cart = Cart::from(&params);
    let runner = sim.function_runner();
    let page = sim.with_admin(|admin| {
        same_store(admin, &handle).then(|| {
            let mut body = form(admin, &handle, &cart);
            if !cart.lines.is_empty() {
                body.push_str(&summary(admin, &handle, &cart, runner.as_deref()));
            }
            frame(admin, &handle, "Checkout", &body)
        })
    });
    page.map_or_else(
        || (StatusCode::NOT_FOUND, "no such store").into_response(),
        |html| Html(html).into_response(),
    )
}

/// `POST /store/{handle}/checkout?…`: places the order the query names.
pub async fn place(
    State(sim): State<Simulator>,
    Path(handle): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let cart = Cart::from(&params);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let page = sim.with_admin(|admin| {
        if !same_store(admin, &handle) {
            return None;
        }
        let body = match admin.place_order(cart.customer, &cart.lines, now) {
            Ok(id) => {
                let name = admin.shop().orders.iter().find(|order| order.id == id).map(|order| order.name.clone());
                format!(
                    "<p data-order>Order {} placed. Shopify sends <code>orders/create</code> and <code>orders/paid</code> \
                     to the app now; the <a href=\"/store/{handle}/webhooks\">webhooks page</a> shows its answers.</p>\
                     <p><a href=\"/store/{handle}/checkout\">Another checkout</a></p>",
                    escape(&name.unwrap_or_default())
                )
            }
            Err(error) => format!("<p role=\"alert\">The order was refused: {}</p>", escape(&error.to_string())),
        };
        Some(frame(admin, &handle, "Order placed", &body))
    });
    page.map_or_else(
        || (StatusCode::NOT_FOUND, "no such store").into_response(),
        |html| Html(html).into_response(),
    )
}

/// Whether `handle` names this store (the simulator serves one).
pub(crate) fn same_store(admin: &AdminApi, handle: &str) -> bool {
    admin.shop().handle() == handle
}

fn form(admin: &AdminApi, handle: &str, cart: &Cart) -> String {
    let shop = admin.shop();
    let mut customers = format!(
        "<option value=\"guest\"{}>A guest (not signed in)</option>",
        if cart.customer.is_none() { " selected" } else { "" }
    );
    for customer in shop.customers.iter().take(200) {
        let selected = if cart.customer == Some(customer.id) { " selected" } else { "" };
        customers.push_str(&format!(
            "<option value=\"{}\"{selected}>{} {} · {}</option>",
            customer.id,
            escape(&customer.first_name),
            escape(&customer.last_name),
            escape(&customer.email)
        ));
    }
    let mut rows = String::new();
    for product in &shop.products {
        for variant in &product.variants {
            let quantity =
                cart.lines.iter().find(|(id, _)| *id == variant.id).map_or(0, |(_, quantity)| *quantity);
            rows.push_str(&format!(
                "<tr><td><label for=\"qty_{id}\">{} · {}</label></td><td>{}</td><td><input id=\"qty_{id}\" name=\"qty_{id}\" type=\"number\" min=\"0\" max=\"999\" value=\"{quantity}\"></td></tr>",
                escape(&product.title),
                escape(&variant.title),
                amount(variant.price_cents),
                id = variant.id,
            ));
        }
    }
    format!(
        "<form method=\"get\" action=\"/store/{handle}/checkout\"><p><label for=\"customer\">Buyer</label> \
         <select id=\"customer\" name=\"customer\">{customers}</select></p>\
         <table><thead><tr><th>Variant</th><th>Price</th><th>Quantity</th></tr></thead><tbody>{rows}</tbody></table>\
         <p><button type=\"submit\">See the price</button></p></form>"
    )
}

/// The cart as the checkout gives it to a Function.
fn checkout(
    admin: &AdminApi,
    customer: Option<u64>,
    cart: &[(u64, u32)],
    runner: &dyn FunctionRunner,
) -> Option<Checkout> {
    let discount = admin.automatic_discounts().into_iter().next()?;
    let variables = runner.input_variables();
    let node = admin.checkout_discount(
        &discount.node_id(),
        variables.as_ref().map(|(namespace, key)| (namespace.as_str(), key.as_str())),
    )?;
    let shop = admin.shop();
    let customer = customer
        .and_then(|id| shop.customers.iter().find(|customer| customer.id == id))
        .map(|found| Customer { id: gid("Customer", found.id), tags: found.tags.clone() });
    let lines = cart
        .iter()
        .enumerate()
        .filter_map(|(index, (variant_id, quantity))| {
            let (product, variant) = find_variant(&shop, *variant_id)?;
            let collections = shop
                .collections
                .iter()
                .filter(|collection| collection.product_ids.contains(&product.id))
                .map(|collection| gid("Collection", collection.id))
                .collect();
            Some(CartLine {
                id: line_id(index),
                quantity: *quantity,
                subtotal: amount(variant.price_cents * u64::from(*quantity)),
                merchandise: Merchandise::Variant {
                    id: gid("ProductVariant", variant.id),
                    product: Product {
                        id: gid("Product", product.id),
                        collections,
                        tags: product.tags.clone(),
                    },
                },
            })
        })
        .collect();
    Some(Checkout {
        customer,
        lines,
        currency: shop.currency.clone(),
        presentment_currency_rate: "1".to_owned(),
        discount: node,
        ..Checkout::default()
    })
}

/// The id a cart's line at `index` has in the Function's input.
fn line_id(index: usize) -> String {
    gid("CartLine", index as u64 + 1)
}

/// The product and variant of a variant id.
pub(crate) fn find_variant(
    shop: &Shop,
    variant_id: u64,
) -> Option<(&crate::shop::Product, &crate::shop::Variant)> {
    shop.products.iter().find_map(|product| {
        product.variants.iter().find(|variant| variant.id == variant_id).map(|variant| (product, variant))
    })
}

/// A cart priced: its subtotal, what the Function's discounts take off, and what the page says
/// about who decided.
pub(crate) struct Priced {
    pub subtotal_cents: u64,
    pub applied: Vec<Applied>,
    /// The discounts in words, with the runner's name, or why none ran.
    pub html: String,
}

impl Priced {
    pub(crate) fn total_cents(&self) -> u64 {
        self.subtotal_cents.saturating_sub(self.applied.iter().map(|discount| discount.cents).sum())
    }
}

/// Prices `cart` for `customer` (`None`: a guest) with the app's discount Function, as a checkout
/// would.
pub(crate) fn price(
    admin: &AdminApi,
    customer: Option<u64>,
    cart: &[(u64, u32)],
    runner: Option<&dyn FunctionRunner>,
) -> Priced {
    let shop = admin.shop();
    let subtotals: Vec<u64> = cart
        .iter()
        .map(|(variant_id, quantity)| {
            find_variant(&shop, *variant_id)
                .map_or(0, |(_, variant)| variant.price_cents * u64::from(*quantity))
        })
        .collect();
    let subtotal_cents = subtotals.iter().sum();
    drop(shop);
    let decision = match runner {
        None => {
            Err("<p>No discount Function runner is plugged in: the cart is priced without discounts.</p>"
                .to_owned())
        }
        Some(runner) => match checkout(admin, customer, cart, runner) {
            None => Err("<p>The app has no automatic discount in this store yet.</p>".to_owned()),
            Some(checkout) => decide(runner, &checkout, &subtotals),
        },
    };
    match decision {
        Ok((applied, html)) => Priced { subtotal_cents, applied, html },
        Err(html) => Priced { subtotal_cents, applied: Vec::new(), html },
    }
}

/// Runs the Function on `checkout` and applies its output to the lines.
fn decide(
    runner: &dyn FunctionRunner,
    checkout: &Checkout,
    subtotals: &[u64],
) -> Result<(Vec<Applied>, String), String> {
    let input = crate::function_input(&runner.lines_query(), checkout).map_err(|errors| {
        format!("<p role=\"alert\">The input query failed: {}</p>", escape(&errors.to_json().to_string()))
    })?;
    let output = runner
        .run_lines(&input)
        .map_err(|error| format!("<p role=\"alert\">The Function failed: {}</p>", escape(&error)))?;
    let ids: Vec<String> = (0..subtotals.len()).map(line_id).collect();
    let lines: Vec<PricedLine<'_>> = ids
        .iter()
        .zip(subtotals)
        .map(|(id, subtotal_cents)| PricedLine { id, subtotal_cents: *subtotal_cents })
        .collect();
    let (applied, passed) = crate::applied::apply(&output, &lines);
    let mut html = if applied.is_empty() {
        "<p data-no-discount>No discount for this buyer and cart.</p>".to_owned()
    } else {
        let items: String = applied
            .iter()
            .map(|discount| {
                format!(
                    "<li data-discount>{}: −{} on the {}</li>",
                    escape(&discount.message),
                    amount(discount.cents),
                    if discount.class == "order" { "order" } else { "products" }
                )
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    if !passed.is_empty() {
        let items: String = passed
            .iter()
            .map(|candidate| {
                format!("<li>{}: not applied, {}</li>", escape(&candidate.message), escape(&candidate.reason))
            })
            .collect();
        html.push_str(&format!("<p>Also offered by the Function:</p><ul>{items}</ul>"));
    }
    html.push_str(&format!(
        "<p data-runner>Decided by the discount Function: {}.</p>",
        escape(&runner.name())
    ));
    Ok((applied, html))
}

/// The price of the form's cart, and the button that places its order.
fn summary(admin: &AdminApi, handle: &str, cart: &Cart, runner: Option<&dyn FunctionRunner>) -> String {
    let priced = price(admin, cart.customer, &cart.lines, runner);
    format!(
        "<h2>Price</h2><p>Subtotal {}</p>{}<p data-total>Total {}</p>\
         <form method=\"post\" action=\"/store/{handle}/checkout?{}\"><p><button type=\"submit\">Place the order</button></p></form>",
        amount(priced.subtotal_cents),
        priced.html,
        amount(priced.total_cents()),
        escape(&cart.query())
    )
}
