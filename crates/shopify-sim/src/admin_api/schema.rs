//! The official Admin API schema and the validation every document goes through.

use std::sync::OnceLock;

use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{ExecutableDocument, Schema};

use crate::errors::{GraphqlError, GraphqlErrors, Location};

/// The Admin API version the simulator serves.
pub const ADMIN_API_VERSION: &str = "2026-10";

/// Written by `scripts/schemas.mjs` from Shopify's introspection (`@shopify/dev-mcp`).
const ADMIN_SDL: &str = include_str!("../../schema/admin_2026-10.graphql");

/// apollo-compiler 1.x does not predefine `@oneOf`, which the Admin schema uses on its input
/// unions; graphql-js does, and refuses to see it declared again, so it is added here rather
/// than in the generated file.
pub(crate) const ONE_OF: &str = "\ndirective @oneOf on INPUT_OBJECT\n";

/// The parsed and validated Admin schema.
pub struct AdminSchema {
    schema: Valid<Schema>,
}

impl AdminSchema {
    /// The schema, parsed once per process (about 80 ms in a release build).
    pub fn get() -> &'static Self {
        static SCHEMA: OnceLock<AdminSchema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let sdl = format!("{ADMIN_SDL}{ONE_OF}");
            // The file is generated from Shopify's own schema and checked in CI, so failing to
            // parse it is a broken build, not bad input.
            let schema = Schema::parse_and_validate(sdl, "admin_2026-10.graphql")
                .unwrap_or_else(|invalid| panic!("the Admin schema does not validate: {}", invalid.errors));
            Self { schema }
        })
    }

    /// The validated schema.
    pub fn schema(&self) -> &Valid<Schema> {
        &self.schema
    }

    /// Parses and validates a document against the schema, as Shopify does before running it:
    /// apollo-compiler's rules, and the input rules it leaves out (`input_rules`).
    pub fn validate(&self, document: &str) -> Result<Valid<ExecutableDocument>, GraphqlErrors> {
        let document = ExecutableDocument::parse_and_validate(&self.schema, document, "query.graphql")
            .map_err(|invalid| shopify_errors(&invalid.errors))?;
        crate::input_rules::check_literals(&self.schema, &document)
            .map_err(|refused| GraphqlErrors { errors: vec![refused] })?;
        Ok(document)
    }
}

/// apollo-compiler's diagnostics as Shopify's errors. Codes follow graphql-ruby, which Shopify
/// runs, where its name for the rule is known; others are apollo's rule name in camel case.
pub(crate) fn shopify_errors(diagnostics: &DiagnosticList) -> GraphqlErrors {
    // A parser stops at its first syntax error, as graphql-ruby's does; apollo-compiler recovers
    // and reports more.
    let has_syntax_error =
        diagnostics.iter().any(|diagnostic| diagnostic.error.unstable_error_name().is_none());
    let errors = diagnostics
        .iter()
        .filter(|diagnostic| !has_syntax_error || diagnostic.error.unstable_error_name().is_none())
        .take(if has_syntax_error { 1 } else { usize::MAX })
        .map(|diagnostic| {
            let locations = diagnostic
                .line_column_range()
                .map(|range| vec![Location { line: range.start.line, column: range.start.column }])
                .unwrap_or_default();
            let message = diagnostic.error.to_string();
            match diagnostic.error.unstable_error_name() {
                Some("UndefinedField") => undefined_field(&message, locations),
                Some(rule) => GraphqlError::new(&graphql_ruby_code(rule), message, locations),
                None => GraphqlError::new("parseError", message, locations),
            }
        })
        .collect();
    GraphqlErrors { errors }
}

/// Shopify's wording and extensions for a field a type does not have:
/// `Field 'files' doesn't exist on type 'QueryRoot'`, with `typeName` and `fieldName`.
fn undefined_field(message: &str, locations: Vec<Location>) -> GraphqlError {
    // apollo says "type `QueryRoot` does not have a field `files`".
    let mut names = message.split('`').skip(1).step_by(2);
    let (Some(type_name), Some(field_name)) = (names.next(), names.next()) else {
        return GraphqlError::new("undefinedField", message, locations);
    };
    let mut error = GraphqlError::new(
        "undefinedField",
        format!("Field '{field_name}' doesn't exist on type '{type_name}'"),
        locations,
    );
    error.extensions.insert("typeName".to_owned(), type_name.into());
    error.extensions.insert("fieldName".to_owned(), field_name.into());
    error
}

fn graphql_ruby_code(rule: &str) -> String {
    match rule {
        "UndefinedArgument" => "argumentNotAccepted".to_owned(),
        "RequiredArgument" => "missingRequiredArguments".to_owned(),
        "UndefinedVariable" => "variableNotDefined".to_owned(),
        "UnusedVariable" => "variableNotUsed".to_owned(),
        "UndefinedDefinition" => "undefinedType".to_owned(),
        other => {
            let mut code = other.to_owned();
            if let Some(first) = code.get_mut(..1) {
                first.make_ascii_lowercase();
            }
            code
        }
    }
}
