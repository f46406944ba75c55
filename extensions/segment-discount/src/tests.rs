//! Native runs of both targets over inputs built as Shopify builds them (`tests/carts.rs`),
//! with every output checked against Shopify's schema (`tests/support.rs`).

mod cart_lines;
mod carts;
mod contract;
mod delivery;
mod shape;
mod simulated;
mod support;
