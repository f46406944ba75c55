//! The Function module: Shopify calls the targets' exports, which the library defines.

// Without a `main`, std's start-up code (thread ids, stdio) stays out of the module, which keeps
// it within its size budget.
#![cfg_attr(target_arch = "wasm32", no_main)]

// Naming the library links its exports into the module.
use segment_discount as _;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    segment_discount::invoked_directly();
}
