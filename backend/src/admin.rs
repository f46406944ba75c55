//! The embedded admin: the HTML document Shopify frames (verified, installing the store on its
//! first load, with a per-shop `frame-ancestors` policy), the bounce page that gets App Bridge a
//! fresh session token, and the compiled assets (TypeScript in `backend/admin/`, built by Vite
//! and compiled into this binary). How it is built and tested: docs/admin.md.

mod assets;
mod document;
mod html;

pub use assets::{ASSETS, asset};
pub use document::{bounce, document};
