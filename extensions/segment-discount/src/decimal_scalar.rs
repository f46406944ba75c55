//! Shopify's `Decimal` scalar as our fixed-point decimal, so no float parsing or printing code
//! ends up in the module.

use discount_rules::Decimal;
use shopify_function::wasm_api::{self, Context, Deserialize, Serialize, Value};

/// A decimal read from the input; `None` when Shopify sent something we cannot read exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputDecimal(pub Option<Decimal>);

impl Deserialize for InputDecimal {
    fn deserialize(value: &Value) -> Result<Self, wasm_api::read::Error> {
        // Never an error: generated accessors unwrap, and a trap would fail the checkout's
        // discount run instead of skipping one rule.
        Ok(Self(value.as_string().and_then(|text| Decimal::parse_rounded(&text).ok())))
    }
}

/// A decimal written to the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputDecimal(pub Decimal);

impl Serialize for OutputDecimal {
    fn serialize(&self, context: &mut Context) -> Result<(), wasm_api::write::Error> {
        self.0.to_string().as_str().serialize(context)
    }
}

impl Deserialize for OutputDecimal {
    fn deserialize(value: &Value) -> Result<Self, wasm_api::read::Error> {
        let InputDecimal(decimal) = InputDecimal::deserialize(value)?;
        decimal.map(Self).ok_or(wasm_api::read::Error::InvalidType)
    }
}
