//! Everything that speaks Shopify's protocols: shop domains, session tokens, webhooks.

pub mod session_token;
mod shop_domain;
pub mod webhook;

pub use shop_domain::{InvalidShopDomain, ShopDomain};
