//! Seglink's checkout discount: buyers carrying a segment tag get the merchant's best rule for
//! each discount class, decided here with no call to Seglink's servers.

// Shopify calls the targets' exports; without a `main`, std's start-up code (thread ids,
// stdio) stays out of the module, which keeps it within its size budget.
#![cfg_attr(target_arch = "wasm32", no_main)]

use shopify_function::wasm_api::{self, Deserialize, Value};

#[cfg(target_arch = "wasm32")]
mod bump;
mod buyer;
mod cart_delivery_options_discounts_generate_run;
mod cart_lines_discounts_generate_run;
mod io;
mod log;
mod output;
mod shape;
#[cfg(test)]
mod tests;

// The Function reads and writes through `io`; the types generated from Shopify's schema
// serve the tests, which read every output back into them.
#[cfg(test)]
#[shopify_function::typegen("schema.graphql")]
pub mod schema {}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: bump::BumpAllocator = bump::BumpAllocator::new();

/// The input as Shopify's provider holds it; read lazily through `io::Node`.
pub struct RawInput(Value);

impl Deserialize for RawInput {
    fn deserialize(value: &Value) -> Result<Self, wasm_api::read::Error> {
        Ok(Self(*value))
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // Shopify calls the exported targets; running the module's entry point is a mistake.
    log::log(&["Invoke a named export"]);
    std::process::abort();
}
