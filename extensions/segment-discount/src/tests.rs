//! Native runs of both targets over inputs built like Shopify's (`tests/carts.rs`).

mod carts;

use shopify_function::run_function_with_input;

use crate::cart_lines_discounts_generate_run::cart_lines_discounts_generate_run;

/// Runs one input file through the cart-lines target many times, for profiling our own code
/// natively: `SEGLINK_PROFILE_INPUT=path cargo test -p segment-discount -- --ignored profile`.
#[test]
#[ignore = "a profiling aid, not a test"]
fn profile() {
    let path = std::env::var("SEGLINK_PROFILE_INPUT").expect("SEGLINK_PROFILE_INPUT");
    let input = std::fs::read_to_string(path).unwrap();
    for _ in 0..200 {
        let result = run_function_with_input(cart_lines_discounts_generate_run, &input).unwrap();
        std::hint::black_box(result);
    }
}
