//! `POST /v1/pixel/events`: what the storefront pixel sends. Nothing a browser says is trusted:
//! the public key must name a workspace that holds the shop, every event is normalised again (or
//! checked field by field when the pixel normalised it), a client is linked to a customer only
//! from an order webhook, and requests are limited in size, batch and rate.

mod keys;
mod rate_limit;
mod receive;
pub mod status;
mod writer;

pub use keys::KnownKeys;
pub use rate_limit::RateLimiter;
pub use receive::{preflight, receive};
pub use status::{reconnect, set_settings, status};
pub use writer::EventWriter;

/// Largest body accepted; a `keepalive` fetch can carry no more.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most events in one request.
pub const MAX_BATCH: usize = 50;
