//! The simulator's integration tests, one binary, a module per area.

mod admin_api;
mod bulk;
mod checkout;
mod cli;
mod common;
mod cost;
mod discounts;
mod events;
mod input_rules;
mod metafields;
mod oauth;
mod orders;
mod pixels;
mod product_set;
mod seed;
mod segments;
mod server;
mod storefront;
mod validation;
mod webhooks;
