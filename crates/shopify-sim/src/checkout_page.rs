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
use crate::cdn::escape;
use crate::money::amount;
use crate::server::Simulator;
use crate::shop::gid;
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
                body.push_str(&priced(admin, &handle, &cart, runner.as_deref()));
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

fn same_store(admin: &AdminApi, handle: &str) -> bool {
    admin.shop().domain.trim_end_matches(".myshopify.com") == handle
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
fn checkout(admin: &AdminApi, cart: &Cart, runner: &dyn FunctionRunner) -> Option<Checkout> {
    let discount = admin.automatic_discounts().into_iter().next()?;
    let variables = runner.input_variables();
    let node = admin.checkout_discount(
        &discount.node_id(),
        variables.as_ref().map(|(namespace, key)| (namespace.as_str(), key.as_str())),
    )?;
    let shop = admin.shop();
    let customer = cart
        .customer
        .and_then(|id| shop.customers.iter().find(|customer| customer.id == id))
        .map(|found| Customer { id: gid("Customer", found.id), tags: found.tags.clone() });
    let lines = cart
        .lines
        .iter()
        .enumerate()
        .filter_map(|(index, (variant_id, quantity))| {
            let (product, variant) = shop.products.iter().find_map(|product| {
                product
                    .variants
                    .iter()
                    .find(|variant| variant.id == *variant_id)
                    .map(|variant| (product, variant))
            })?;
            let collections = shop
                .collections
                .iter()
                .filter(|collection| collection.product_ids.contains(&product.id))
                .map(|collection| gid("Collection", collection.id))
                .collect();
            Some(CartLine {
                id: gid("CartLine", index as u64 + 1),
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

fn priced(admin: &AdminApi, handle: &str, cart: &Cart, runner: Option<&dyn FunctionRunner>) -> String {
    let subtotal_cents: u64 = {
        let shop = admin.shop();
        cart.lines
            .iter()
            .filter_map(|(variant_id, quantity)| {
                shop.products
                    .iter()
                    .flat_map(|product| &product.variants)
                    .find(|variant| variant.id == *variant_id)
                    .map(|variant| variant.price_cents * u64::from(*quantity))
            })
            .sum()
    };
    let mut html = format!("<h2>Price</h2><p>Subtotal {}</p>", amount(subtotal_cents));
    match runner {
        None => html.push_str(
            "<p>No discount Function runner is plugged in: the cart is priced without discounts.</p>",
        ),
        Some(runner) => match checkout(admin, cart, runner) {
            None => html.push_str("<p>The app has no automatic discount in this store yet.</p>"),
            Some(checkout) => html.push_str(&decided(runner, &checkout)),
        },
    }
    html.push_str(&format!(
        "<form method=\"post\" action=\"/store/{handle}/checkout?{}\"><p><button type=\"submit\">Place the order</button></p></form>",
        escape(&cart.query())
    ));
    html
}

fn decided(runner: &dyn FunctionRunner, checkout: &Checkout) -> String {
    let input = match crate::function_input(&runner.lines_query(), checkout) {
        Ok(input) => input,
        Err(errors) => {
            return format!(
                "<p role=\"alert\">The input query failed: {}</p>",
                escape(&errors.to_json().to_string())
            );
        }
    };
    let output = match runner.run_lines(&input) {
        Ok(output) => output,
        Err(error) => return format!("<p role=\"alert\">The Function failed: {}</p>", escape(&error)),
    };
    let mut items = String::new();
    for operation in output["operations"].as_array().into_iter().flatten() {
        for (kind, add) in operation.as_object().into_iter().flatten() {
            for candidate in add["candidates"].as_array().into_iter().flatten() {
                let value = &candidate["value"];
                let value =
                    match (value["percentage"]["value"].as_str(), value["fixedAmount"]["amount"].as_str()) {
                        (Some(percent), _) => format!("{}%", plain(percent)),
                        (None, Some(fixed)) => format!("{} off", plain(fixed)),
                        _ => value.to_string(),
                    };
                let minimum = candidate["conditions"][0]["orderMinimumSubtotal"]["minimumAmount"]
                    .as_str()
                    .map(|minimum| format!(" (from a subtotal of {minimum})"))
                    .unwrap_or_default();
                let class = if kind.starts_with("order") { "order" } else { "products" };
                items.push_str(&format!(
                    "<li data-discount>{}: {} on the {class}{minimum}</li>",
                    escape(candidate["message"].as_str().unwrap_or_default()),
                    escape(&value)
                ));
            }
        }
    }
    let verdict = if items.is_empty() {
        "<p data-no-discount>No discount for this buyer and cart.</p>".to_owned()
    } else {
        format!(
            "<ul>{items}</ul><p>Shopify applies the largest order discount and the largest product discount whose conditions the cart meets.</p>"
        )
    };
    format!("{verdict}<p data-runner>Decided by the discount Function: {}.</p>", escape(&runner.name()))
}

/// `10.0` as `10`, `2.50` as `2.5`: a decimal without trailing zeros.
fn plain(decimal: &str) -> &str {
    if decimal.contains('.') { decimal.trim_end_matches('0').trim_end_matches('.') } else { decimal }
}
