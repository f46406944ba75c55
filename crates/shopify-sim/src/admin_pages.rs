//! The simulated admin's own pages, where an app's effects show as a merchant would look for
//! them in Shopify: customers with their tags, customer segments, discounts with their
//! metafields, products with their metafields, and the webhooks sent with the app's answers.
//! Plain HTML from the shop's state, read when the page is asked for.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::AdminApi;
use crate::cdn::escape;
use crate::server::Simulator;
use crate::shop::gid;

/// The pages, by their path under `/store/<handle>/`, with their titles.
pub const PAGES: [(&str, &str); 6] = [
    ("checkout", "Checkout"),
    ("customers", "Customers"),
    ("segments", "Segments"),
    ("discounts", "Discounts"),
    ("products", "Products"),
    ("webhooks", "Webhooks"),
];

/// A page's search box: `?q=`.
#[derive(serde::Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

/// Most customers the list shows, as Shopify's admin pages its list.
const CUSTOMERS_SHOWN: usize = 250;

/// `GET /store/{handle}/{page}`.
pub async fn page(
    State(sim): State<Simulator>,
    Path((handle, name)): Path<(String, String)>,
    Query(search): Query<Search>,
) -> Response {
    let Some((_, title)) = PAGES.iter().find(|(path, _)| *path == name) else {
        return (StatusCode::NOT_FOUND, "no such page in this admin").into_response();
    };
    let rendered = sim.with_admin(|admin| {
        crate::checkout_page::same_store(admin, &handle).then(|| {
            let body = match name.as_str() {
                "customers" => customers(admin, &handle, search.q.trim()),
                "segments" => segments(admin),
                "discounts" => discounts(admin),
                "products" => products(admin),
                _ => webhooks(admin),
            };
            frame(admin, &handle, title, &body)
        })
    });
    match rendered {
        Some(html) => Html(html).into_response(),
        None => (StatusCode::NOT_FOUND, "no such store").into_response(),
    }
}

/// The admin's links: its pages, the online store and the app.
pub fn nav(handle: &str, client_id: &str) -> String {
    let handle = escape(handle);
    PAGES
        .iter()
        .map(|(path, name)| format!("<a href=\"/store/{handle}/{path}\">{name}</a>"))
        .chain([
            format!("<a href=\"/storefront/{handle}\">Online store</a>"),
            format!("<a href=\"/store/{handle}/apps/{}\">Seglink</a>", escape(client_id)),
        ])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The admin's chrome around a page: the store, and links to every page and to the app.
pub fn frame(admin: &AdminApi, handle: &str, title: &str, body: &str) -> String {
    let links = nav(handle, admin.oauth().client_id());
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · {shop} · Shopify admin (simulated)</title>\
         <style>body{{margin:0;font:14px system-ui;background:#f1f1f1}}header{{background:#1a1a1a;color:#fff;padding:10px 16px}}\
         header a{{color:#fff;margin-left:12px}}main{{padding:16px}}table{{border-collapse:collapse;background:#fff;width:100%}}\
         th,td{{text-align:left;padding:6px 8px;border-bottom:1px solid #ddd;vertical-align:top}}code{{white-space:pre-wrap;word-break:break-all}}</style></head>\
         <body><header>Shopify admin (simulated) · {shop} <nav aria-label=\"Admin\">{links}</nav></header><main><h1>{title}</h1>{body}</main></body></html>",
        shop = escape(&admin.shop().domain),
    )
}

fn table(headers: &[&str], rows: Vec<Vec<String>>, empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p>{empty}</p>");
    }
    let head: String = headers.iter().map(|header| format!("<th>{header}</th>")).collect();
    let body: String = rows
        .into_iter()
        .map(|cells| {
            format!(
                "<tr>{}</tr>",
                cells.into_iter().map(|cell| format!("<td>{cell}</td>")).collect::<String>()
            )
        })
        .collect();
    format!("<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
}

/// Customers with their tags; `query` finds them by name, email or tag, as the admin's search does.
fn customers(admin: &AdminApi, handle: &str, query: &str) -> String {
    let shop = admin.shop();
    let needle = query.to_lowercase();
    let found: Vec<&crate::shop::Customer> = shop
        .customers
        .iter()
        .filter(|customer| {
            needle.is_empty()
                || format!("{} {} {}", customer.first_name, customer.last_name, customer.email)
                    .to_lowercase()
                    .contains(&needle)
                || customer.tags.iter().any(|tag| tag.to_lowercase().contains(&needle))
        })
        .collect();
    let rows = found
        .iter()
        .take(CUSTOMERS_SHOWN)
        .map(|customer| {
            vec![
                customer.id.to_string(),
                escape(&format!("{} {}", customer.first_name, customer.last_name)),
                escape(&customer.email),
                escape(&customer.tags.join(", ")),
            ]
        })
        .collect();
    let shown = if found.len() > CUSTOMERS_SHOWN {
        format!("{} customers; the first {CUSTOMERS_SHOWN} are shown.", found.len())
    } else if found.len() == 1 {
        "1 customer.".to_owned()
    } else {
        format!("{} customers.", found.len())
    };
    format!(
        "<form action=\"/store/{handle}/customers\"><label>Search by name, email or tag <input type=\"search\" name=\"q\" value=\"{}\"></label> \
         <button>Search</button></form><p data-count>{shown}</p>{}",
        escape(query),
        table(&["Id", "Name", "Email", "Tags"], rows, "No customers.")
    )
}

fn segments(admin: &AdminApi) -> String {
    let rows = admin
        .segments()
        .into_iter()
        .map(|segment| vec![escape(&segment.name), format!("<code>{}</code>", escape(&segment.query))])
        .collect();
    table(&["Segment", "Query"], rows, "No customer segments.")
}

fn metafields_of(admin: &AdminApi, owner: &str) -> String {
    let shop = admin.shop();
    let Some(owned) = shop.metafields.get(owner) else { return String::new() };
    owned
        .values()
        .map(|metafield| {
            format!(
                "<div><strong>{}.{}</strong> <code>{}</code></div>",
                escape(&metafield.namespace),
                escape(&metafield.key),
                escape(&metafield.value)
            )
        })
        .collect()
}

fn discounts(admin: &AdminApi) -> String {
    let rows = admin
        .automatic_discounts()
        .into_iter()
        .map(|discount| {
            vec![
                escape(&discount.title),
                escape(&discount.function_handle),
                escape(&discount.classes.join(", ")),
                metafields_of(admin, &gid("DiscountAutomaticNode", discount.id)),
            ]
        })
        .collect();
    table(&["Discount", "Function", "Classes", "Metafields"], rows, "No automatic discounts.")
}

fn products(admin: &AdminApi) -> String {
    let products: Vec<(u64, String)> =
        admin.shop().products.iter().map(|product| (product.id, product.title.clone())).collect();
    let rows = products
        .into_iter()
        .map(|(id, title)| vec![escape(&title), metafields_of(admin, &gid("Product", id))])
        .collect();
    table(&["Product", "Metafields"], rows, "No products.")
}

fn webhooks(admin: &AdminApi) -> String {
    let rows = admin
        .webhooks_sent()
        .into_iter()
        .rev()
        .map(|sent| {
            vec![
                crate::shop::iso8601(sent.at),
                escape(&sent.topic),
                escape(&sent.event_id),
                (sent.attempt + 1).to_string(),
                sent.answer.map_or_else(|| "unreachable".to_owned(), |status| status.to_string()),
            ]
        })
        .collect();
    table(&["Sent", "Topic", "Event", "Attempt", "App's answer"], rows, "No webhook sent yet.")
}
