//! GraphQL errors in the shape Shopify's Admin API returns them.

use serde::Serialize;
use serde_json::{Map, Value};

/// A position in a GraphQL document, 1-based as Shopify reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// One error: `{"message", "locations", "path"?, "extensions": {"code", …}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphqlError {
    /// What is wrong, worded as Shopify words it where we know the wording.
    pub message: String,
    /// Where in the document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// `code`, and for some codes the names involved (`typeName`, `fieldName`).
    pub extensions: Map<String, Value>,
}

impl GraphqlError {
    /// An error with a code and no extra extensions.
    pub fn new(code: &str, message: impl Into<String>, locations: Vec<Location>) -> Self {
        let mut extensions = Map::new();
        extensions.insert("code".to_owned(), code.into());
        Self { message: message.into(), locations, extensions }
    }

    /// The `extensions.code`.
    pub fn code(&self) -> &str {
        self.extensions.get("code").and_then(Value::as_str).unwrap_or_default()
    }
}

/// The errors of a rejected request; serialises as Shopify's `{"errors": [...]}` body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphqlErrors {
    /// At least one error.
    pub errors: Vec<GraphqlError>,
}

impl GraphqlErrors {
    /// The response body.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| Value::Null)
    }
}
