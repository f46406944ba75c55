//! A local stand-in for Shopify for Seglink's tests and `seglink demo` (DESIGN.md §11).
//!
//! It imports nothing from Seglink's own crates, so it cannot agree with them by construction,
//! and it is no more lenient than Shopify: every GraphQL document is validated against the
//! official Admin 2026-10 schema before anything runs.

mod admin;
mod errors;

pub use admin::{ADMIN_API_VERSION, AdminSchema};
pub use errors::{GraphqlError, GraphqlErrors, Location};
