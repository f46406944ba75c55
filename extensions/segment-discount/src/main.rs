//! Seglink's checkout discount: buyers carrying a segment tag get the merchant's best rule for
//! each discount class, decided here with no call to Seglink's servers.

use std::process;

use shopify_function::prelude::*;

mod buyer;
mod cart_delivery_options_discounts_generate_run;
mod cart_lines_discounts_generate_run;
mod decimal_scalar;

#[typegen("schema.graphql", custom_scalar_overrides = {
    "Percentage.value" => super::decimal_scalar::OutputDecimal,
    "FixedAmount.amount" => super::decimal_scalar::OutputDecimal,
    "ProductDiscountCandidateFixedAmount.amount" => super::decimal_scalar::OutputDecimal,
    "OrderMinimumSubtotal.minimumAmount" => super::decimal_scalar::OutputDecimal,
    "CartLineMinimumSubtotal.minimumAmount" => super::decimal_scalar::OutputDecimal,
})]
pub mod schema {
    #[query("src/cart_lines_discounts_generate_run.graphql", custom_scalar_overrides = {
        "Input.presentmentCurrencyRate" => super::decimal_scalar::InputDecimal,
        "Input.lineCart.lines.cost.subtotalAmount.amount" => super::decimal_scalar::InputDecimal,
    })]
    pub mod cart_lines_discounts_generate_run {}

    #[query("src/cart_delivery_options_discounts_generate_run.graphql", custom_scalar_overrides = {
        "Input.presentmentCurrencyRate" => super::decimal_scalar::InputDecimal,
        "Input.deliveryCart.cost.subtotalAmount.amount" => super::decimal_scalar::InputDecimal,
        "Input.deliveryCart.deliveryGroups.deliveryOptions.cost.amount" => super::decimal_scalar::InputDecimal,
    })]
    pub mod cart_delivery_options_discounts_generate_run {}
}

fn main() {
    // Shopify calls the exported targets; running the module's entry point is a mistake.
    log!("Invoke a named export");
    process::abort();
}
