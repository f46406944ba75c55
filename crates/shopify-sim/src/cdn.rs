//! Shopify's side of the embedded admin, for tests and the demo: the admin page that frames an
//! app with a signed launch query, stand-ins for the two scripts Shopify's CDN serves
//! (`app-bridge.js` and `polaris-1.js`, in `cdn/`), the session tokens the App Bridge stand-in
//! asks for, and the resources its picker lists.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::server::Simulator;
use crate::shop::gid;

const APP_BRIDGE: &str = include_str!("../cdn/app-bridge.js");
const POLARIS: &str = include_str!("../cdn/polaris.js");

fn cross_origin(mut response: Response) -> Response {
    // The stand-ins load into the app's origin, as Shopify's CDN scripts do.
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

fn script(source: &'static str) -> Response {
    cross_origin(([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], source).into_response())
}

/// `GET /shopifycloud/app-bridge.js`.
pub async fn app_bridge() -> Response {
    script(APP_BRIDGE)
}

/// `GET /shopifycloud/polaris-1.js`.
pub async fn polaris() -> Response {
    script(POLARIS)
}

/// `GET /shopifycloud/id-token?shop=`: a session token for staff member 1, as the admin hands
/// App Bridge one; only for the simulated shop.
pub async fn id_token(State(sim): State<Simulator>, Query(params): Query<Vec<(String, String)>>) -> Response {
    let shop = params.iter().find(|(key, _)| key == "shop").map(|(_, value)| value.as_str());
    let token = sim.with_admin(|admin| {
        (Some(admin.oauth().shop()) == shop)
            .then(|| admin.oauth().session_token(1, crate::server::unix_now()))
    });
    cross_origin(match token {
        Some(token) => Json(json!({ "token": token })).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "error": "not the simulated shop" }))).into_response(),
    })
}

/// `GET /shopifycloud/resources?type=product|collection`: what the resource picker offers.
pub async fn resources(
    State(sim): State<Simulator>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let kind =
        params.iter().find(|(key, _)| key == "type").map(|(_, value)| value.as_str()).unwrap_or("product");
    let listed: Vec<serde_json::Value> = sim.with_admin(|admin| {
        let shop = admin.shop();
        match kind {
            "collection" => shop
                .collections
                .iter()
                .map(
                    |collection| json!({ "id": gid("Collection", collection.id), "title": collection.title }),
                )
                .collect(),
            _ => shop
                .products
                .iter()
                .map(|product| {
                    // As App Bridge's picker answers: the product with its variants and prices.
                    let variants: Vec<serde_json::Value> = product
                        .variants
                        .iter()
                        .map(|variant| {
                            json!({
                                "id": gid("ProductVariant", variant.id),
                                "title": variant.title,
                                "price": crate::money::amount(variant.price_cents),
                            })
                        })
                        .collect();
                    json!({ "id": gid("Product", product.id), "title": product.title, "variants": variants })
                })
                .collect(),
        }
    });
    cross_origin(Json(listed).into_response())
}

/// `GET /store/{handle}/apps/{api_key}` and any path below it: the admin with the app framed,
/// launched with `embedded`, `host`, `id_token`, `shop` and a signed `hmac`, as Shopify does.
pub async fn admin_page(State(sim): State<Simulator>, Path(path): Path<Vec<(String, String)>>) -> Response {
    let value = |name: &str| path.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let (handle, key, rest) = (value("handle"), value("api_key"), value("rest").unwrap_or_default());
    let framed = sim.with_admin(|admin| {
        let oauth = admin.oauth();
        let shop_handle = oauth.shop().trim_end_matches(".myshopify.com").to_owned();
        let launch = oauth.app_load_query(1, crate::server::unix_now());
        (handle.as_deref() == Some(shop_handle.as_str()) && key.as_deref() == Some(oauth.client_id()))
            .then(|| (oauth.shop().to_owned(), launch))
    });
    let Some((shop, launch)) = framed else {
        return (StatusCode::NOT_FOUND, "no such app in this admin").into_response();
    };
    let Some(app_url) = sim.app_url() else {
        return (StatusCode::NOT_FOUND, "the simulator was started without --app-url").into_response();
    };
    let source = format!("{app_url}/{}?{launch}", rest.trim_start_matches('/'));
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Seglink · {shop} · Shopify admin (simulated)</title>\
         <style>body{{margin:0;font:14px system-ui;background:#f1f1f1}}header{{background:#1a1a1a;color:#fff;padding:10px 16px}}\
         header a{{color:#fff;margin-left:12px}}iframe{{border:0;width:100%;height:calc(100vh - 40px);display:block}}</style></head>\
         <body><header>Shopify admin (simulated) · {shop} <nav aria-label=\"Admin\">{links}</nav></header>\
         <iframe id=\"app-iframe\" title=\"Seglink\" src=\"{source}\"></iframe></body></html>",
        shop = escape(&shop),
        source = escape(&source),
        links =
            crate::admin_pages::nav(&handle.clone().unwrap_or_default(), &key.clone().unwrap_or_default()),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// Text made safe for HTML.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
