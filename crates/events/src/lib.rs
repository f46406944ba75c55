//! Seglink's canonical events (docs/pixel.md) and the normaliser that turns Shopify's web
//! pixel standard events into them. It has no dependencies: the same code runs natively in the
//! backend and as Wasm inside the pixel, where `no_std` keeps the module small.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod canonical;
pub mod json;
pub mod model;
pub mod normalize;

pub use model::{Event, Kind, Line, Money};
pub use normalize::{NormalizeError, Outcome, TRACKABLE_EVENTS, normalize, normalize_text};
