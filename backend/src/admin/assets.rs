//! The admin's compiled assets, served from the binary. Their names carry a hash of their
//! content, so they are cached for a year; the document that names them is never cached.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::html::escape;

mod built {
    include!(concat!(env!("OUT_DIR"), "/admin_assets.rs"));
}

/// Every built file: name and bytes.
pub static ASSETS: &[(&str, &[u8])] = built::FILES;

/// `GET /assets/{file}`.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, bytes)) = ASSETS.iter().find(|(name, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// The `<link>` and `<script>` tags that load the admin, or a note when it was not built.
pub fn entry_tags() -> String {
    let Some(script) = built::ENTRY_SCRIPT else {
        return "<script>document.addEventListener('DOMContentLoaded',()=>{document.getElementById('app').textContent='The admin was not built: run npm run build:admin, then build seglink again.'})</script>".to_owned();
    };
    let mut tags = String::new();
    for style in built::ENTRY_STYLES {
        tags.push_str(&format!("<link rel=\"stylesheet\" href=\"/assets/{}\">", escape(style)));
    }
    tags.push_str(&format!("<script type=\"module\" src=\"/assets/{}\"></script>", escape(script)));
    tags
}
