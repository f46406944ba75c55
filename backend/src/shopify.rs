//! Everything that speaks Shopify's protocols: shop domains, session tokens, signed queries,
//! webhooks.

pub mod admin;
pub mod bulk_query;
pub mod gid;
pub mod http;
pub mod operations;
pub mod retry_policy;
pub mod session_token;
pub(crate) mod signature;
pub mod signed_query;
pub mod storage;
pub mod token_grant;
pub mod webhook;

pub use crate::shop_domain::{InvalidShopDomain, ShopDomain};
