//! Seglink's backend: installs the app into a shop, verifies what Shopify sends, and serves the
//! merchant's admin.

pub mod app;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
mod health;
pub mod metrics;
pub mod router;
mod session;
pub mod shopify;
mod webhooks;
