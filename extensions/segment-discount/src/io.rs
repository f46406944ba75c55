//! Reads the input and writes the output through Shopify's Wasm API, with no generated types.
//!
//! The generated types look fields up by name and read whole objects; this reads fields by
//! position (`shape`) and only those a rule needs, which is what keeps a tagged buyer's run
//! within the budgets in docs/benchmarks.md.

use discount_rules::Decimal;
use shopify_function::wasm_api::{Context, Value};

/// A value of the input.
#[derive(Clone, Copy)]
pub struct Node(Value);

impl Node {
    /// The input's root object.
    pub fn root(value: Value) -> Self {
        Self(value)
    }

    /// Element `index` of an array, or field `index` of an object (see `shape`).
    pub fn at(self, index: usize) -> Self {
        Self(self.0.get_at_index(index))
    }

    /// The value, if a boolean.
    pub fn bool(self) -> Option<bool> {
        self.0.as_bool()
    }

    /// The value, if a string.
    pub fn string(self) -> Option<String> {
        self.0.as_string()
    }

    /// A non-negative whole number (quantities arrive as numbers).
    pub fn count(self) -> Option<u64> {
        let number = self.0.as_number()?;
        // Exact for any count a cart can hold; fractions and negatives are not counts.
        ((0.0..=1e15).contains(&number) && number.fract() == 0.0).then_some(number as u64)
    }

    /// A `Decimal` scalar, which Shopify sends as a string.
    pub fn decimal(self) -> Option<Decimal> {
        Decimal::parse_rounded(&self.string()?).ok()
    }

    /// The number of elements, 0 for anything but an array.
    pub fn len(self) -> usize {
        self.0.array_len().unwrap_or(0)
    }

    /// The elements of an array (none if this is not one).
    pub fn items(self) -> impl Iterator<Item = Self> {
        (0..self.len()).map(move |index| self.at(index))
    }
}

/// Writes the output. Keys are plain strings: the provider copies a written key into its output
/// either way, so interning them saves nothing (measured).
pub struct Writer<'c> {
    context: &'c mut Context,
}

/// Result of a write; errors only arise from writing a malformed shape, which is a bug.
pub type Written = Result<(), shopify_function::wasm_api::write::Error>;

impl<'c> Writer<'c> {
    /// A writer of the run's output.
    pub fn new(context: &'c mut Context) -> Self {
        Self { context }
    }

    /// Writes a key or an enum value.
    pub fn str(&mut self, text: &str) -> Written {
        self.context.write_utf8_str(text)
    }

    /// Writes a boolean.
    pub fn bool(&mut self, value: bool) -> Written {
        self.context.write_bool(value)
    }

    /// Writes a `Decimal` scalar, as a string as Shopify expects.
    pub fn decimal(&mut self, value: Decimal) -> Written {
        let mut text = String::with_capacity(24);
        value.push_to(&mut text, false);
        self.context.write_utf8_str(&text)
    }

    /// An object of `len` fields written by `fields`.
    pub fn object(&mut self, len: usize, fields: impl FnOnce(&mut Writer<'_>) -> Written) -> Written {
        self.context.write_object(|context| fields(&mut Writer { context }), len)
    }

    /// An array of `len` items written by `items`.
    pub fn array(&mut self, len: usize, items: impl FnOnce(&mut Writer<'_>) -> Written) -> Written {
        self.context.write_array(|context| items(&mut Writer { context }), len)
    }

    /// `{key: <value>}`, the shape of every `@oneOf` input.
    pub fn one_of(&mut self, key: &str, value: impl FnOnce(&mut Writer<'_>) -> Written) -> Written {
        self.object(1, |writer| {
            writer.str(key)?;
            value(writer)
        })
    }
}
