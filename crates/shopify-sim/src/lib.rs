//! A local stand-in for Shopify for Seglink's tests and `seglink-demo` (docs/simulator.md).
//!
//! It imports nothing from Seglink's own crates, so it cannot agree with them by construction,
//! and it is no more lenient than Shopify: every GraphQL document is validated against the
//! official Admin 2026-10 schema before anything runs.

mod admin_api;
mod admin_pages;
pub mod applied;
pub mod billing;
pub mod bulk;
pub mod bulk_mutation;
mod cdn;
mod checkout;
pub mod checkout_page;
mod cost;
pub mod delivery;
pub mod deploy;
pub mod discounts;
mod errors;
mod events;
pub mod flow;
mod input_rules;
pub mod meta;
pub mod metafields;
mod money;
pub mod oauth;
pub mod orders;
mod paging;
mod payloads;
pub mod pixels;
pub mod plan_page;
pub mod product_set;
pub(crate) mod products;
mod seed;
pub mod segment_query;
pub mod segments;
pub mod server;
pub mod shop;
pub mod signing;
mod storefront;
mod throttle;
pub mod webhooks;

pub use admin_api::resolvers::MAX_TAG_CHARS;
pub use admin_api::schema::{ADMIN_API_VERSION, AdminSchema};
pub use admin_api::{AdminApi, Call, Response};
pub use checkout::{
    CartLine, Checkout, Customer, DeliveryGroup, DeliveryOption, DiscountNode, MAX_FUNCTION_METAFIELD_BYTES,
    Merchandise, Product, function_input,
};
pub use cost::{MAX_QUERY_COST, MUTATION_COST, requested_cost};
pub use errors::{GraphqlError, GraphqlErrors, Location};
pub use events::{CompletedCheckout, EventError};
pub use paging::MAX_PAGE_SIZE;
pub use seed::{ORDER_WINDOW_DAYS, SeedOptions, seed_shop};
pub use throttle::{Bucket, Plan, Refusal, ThrottleStatus};
