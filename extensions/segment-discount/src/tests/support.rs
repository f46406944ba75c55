//! Runs a target natively and checks its output against the types generated from Shopify's
//! schema: the output is read into them and written back, so a misspelt key, a missing field
//! or an unknown enum value fails the test.

use serde_json::Value;
use shopify_function::run_function_with_input;
use shopify_function::wasm_api::{Context, Deserialize, Serialize};

use crate::cart_delivery_options_discounts_generate_run::cart_delivery_options_discounts_generate_run;
use crate::cart_lines_discounts_generate_run::cart_lines_discounts_generate_run;
use crate::schema;

/// What a run returned, and what it logged.
pub struct Run {
    pub output: Value,
    pub logs: Vec<String>,
}

impl Run {
    /// The operations of the output.
    pub fn operations(&self) -> &Vec<Value> {
        self.output["operations"].as_array().expect("operations is an array")
    }

    /// The candidates of the one operation of `kind` (`orderDiscountsAdd`, …).
    pub fn candidates(&self, kind: &str) -> &Vec<Value> {
        let operation = self
            .operations()
            .iter()
            .find_map(|operation| operation.get(kind))
            .unwrap_or_else(|| panic!("no {kind} in {}", self.output));
        operation["candidates"].as_array().expect("candidates is an array")
    }
}

pub fn run_lines(input: &Value) -> Run {
    crate::log::take_lines();
    let result = run_function_with_input(cart_lines_discounts_generate_run, &input.to_string()).unwrap();
    let logs = crate::log::take_lines();
    let output = to_json(&result);
    assert_valid::<schema::CartLinesDiscountsGenerateRunResult>(&output);
    Run { output, logs }
}

pub fn run_delivery(input: &Value) -> Run {
    crate::log::take_lines();
    let result =
        run_function_with_input(cart_delivery_options_discounts_generate_run, &input.to_string()).unwrap();
    let logs = crate::log::take_lines();
    let output = to_json(&result);
    assert_valid::<schema::CartDeliveryOptionsDiscountsGenerateRunResult>(&output);
    Run { output, logs }
}

fn to_json(value: &impl Serialize) -> Value {
    let mut context = Context::new_with_input(Value::Null);
    value.serialize(&mut context).unwrap();
    context.finalize_output_and_return().unwrap()
}

fn assert_valid<T: Deserialize + Serialize>(output: &Value) {
    let context = Context::new_with_input(output.clone());
    let typed = T::deserialize(&context.input_get().unwrap())
        .unwrap_or_else(|error| panic!("output does not fit the schema ({error}): {output}"));
    assert_eq!(
        without_nulls(&to_json(&typed)),
        without_nulls(output),
        "output changed on a round trip through the schema's types"
    );
}

/// The value with null fields dropped: the generated types write every optional field.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
