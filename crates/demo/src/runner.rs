//! The discount Function plugged into the simulated checkout: the crate that is compiled to Wasm
//! for Shopify, run natively here, with its own input query.

use serde_json::Value;
use shopify_sim::checkout_page::FunctionRunner;

/// `extensions/segment-discount`, natively.
pub struct NativeFunction;

const LINES_QUERY: &str =
    include_str!("../../../extensions/segment-discount/src/cart_lines_discounts_generate_run.graphql");

impl FunctionRunner for NativeFunction {
    fn name(&self) -> String {
        "segment-discount (the Rust crate built to Wasm for Shopify, run natively)".to_owned()
    }

    fn lines_query(&self) -> String {
        LINES_QUERY.to_owned()
    }

    fn input_variables(&self) -> Option<(String, String)> {
        Some((discount_rules::METAFIELD_NAMESPACE.to_owned(), discount_rules::METAFIELD_KEY.to_owned()))
    }

    fn run_lines(&self, input: &Value) -> Result<Value, String> {
        seglink::discounts::trial::run_lines(input).map_err(|error| error.to_string())
    }
}
