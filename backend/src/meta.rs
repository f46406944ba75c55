//! Forwarding to Meta's Conversions API, opt-in per shop (docs/meta.md): product views, adds to
//! cart and checkouts from the pixel (only with the visitor's marketing consent) and purchases
//! from the verified order webhook, written to an outbox and sent in batches by a job that
//! retries with backoff and gives up after a bound, counting why.

pub mod api;
mod conversions;
mod forward;

pub use conversions::{BrowserContext, GRAPH_VERSION};
pub use forward::{Forward, Forwarding, queue_pixel_events, queue_purchase};
