//! Seglink's checkout discount: buyers carrying a segment tag get the merchant's best rule for
//! each discount class, decided here with no call to Seglink's servers.

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

pub use cart_delivery_options_discounts_generate_run::cart_delivery_options_discounts_generate_run;
pub use cart_lines_discounts_generate_run::cart_lines_discounts_generate_run;

/// Running the module rather than one of its exports is a mistake: says so and aborts.
#[cfg(not(target_arch = "wasm32"))]
pub fn invoked_directly() -> ! {
    log::log(&["Invoke a named export"]);
    std::process::abort();
}
