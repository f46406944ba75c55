//! The few HTML pages the server writes itself, and the headers every one of them carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::shopify::ShopDomain;

/// Text made safe for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The framing policy: Shopify's admin and the shop itself may frame a page rendered for a
/// shop; nothing may frame any other (Shopify's app security checks refuse a missing or wildcard
/// `frame-ancestors`). `simulated_admin` is the local simulator's origin in development and
/// tests (`SEGLINK_SHOPIFY_ORIGIN`), which plays Shopify's admin there.
pub fn frame_ancestors(shop: Option<&ShopDomain>, simulated_admin: Option<&str>) -> String {
    match (shop, simulated_admin) {
        (Some(shop), None) => format!("frame-ancestors https://{} https://admin.shopify.com;", shop.as_str()),
        (Some(shop), Some(admin)) => {
            format!("frame-ancestors https://{} https://admin.shopify.com {admin};", shop.as_str())
        }
        (None, _) => "frame-ancestors 'none';".to_owned(),
    }
}

/// An HTML answer with its framing policy.
pub fn page(status: StatusCode, shop: Option<(&ShopDomain, Option<&str>)>, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let policy = match shop {
        Some((shop, simulated_admin)) => frame_ancestors(Some(shop), simulated_admin),
        None => frame_ancestors(None, None),
    };
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// A short page that says what went wrong and what to do, framed by nothing.
pub fn notice(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
         <body style=\"font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem\">\
         <h1 style=\"font-size: 1.25rem\">{title}</h1><p>{message}</p></body></html>",
        title = escape(title),
        message = escape(message),
    );
    page(status, None, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn only_a_shop_and_shopifys_admin_may_frame_a_shops_page() {
        let shop = ShopDomain::parse("ada.myshopify.com").unwrap();
        assert_eq!(
            frame_ancestors(Some(&shop), None),
            "frame-ancestors https://ada.myshopify.com https://admin.shopify.com;"
        );
        assert_eq!(
            frame_ancestors(Some(&shop), Some("http://127.0.0.1:3457")),
            "frame-ancestors https://ada.myshopify.com https://admin.shopify.com http://127.0.0.1:3457;"
        );
        assert_eq!(frame_ancestors(None, Some("http://127.0.0.1:3457")), "frame-ancestors 'none';");
    }
}
