//! Seglink's backend: installs the app into a shop, verifies what Shopify sends, and serves the
//! merchant's admin.

pub mod admin;
#[cfg(test)]
mod api_types;
pub mod app;
pub mod backfill;
pub mod billing;
pub mod catalog;
pub mod checks;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod discounts;
pub mod error;
pub mod flow;
mod group_commit;
mod health;
mod input;
pub mod install;
pub mod jobs;
pub mod keyed_locks;
pub mod log;
pub mod lookup;
pub mod meta;
pub mod metrics;
pub mod pixel;
mod privacy;
mod recent;
pub mod router;
pub mod segments;
pub mod serve;
mod settings;
pub mod shop_domain;
pub mod shopify;
pub mod startup;
mod sync_health;
pub mod webhooks;
