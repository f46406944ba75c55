//! The input rules of the GraphQL spec that apollo-compiler does not enforce and Shopify does
//! (graphql-js and graphql-ruby both refuse these documents):
//! - an input object literal names each field once ("Input Object Field Uniqueness");
//! - a `@oneOf` input object gets exactly one field, and not null, whether written in the
//!   document or given as a variable ("OneOf Input Objects", in the spec's draft).
//!
//! Shopify's Admin schema marks its input unions `@oneOf` (`DiscountContextInput`, for one).

use apollo_compiler::executable::{Operation, Selection, SelectionSet};
use apollo_compiler::response::JsonMap;
use apollo_compiler::schema::Type;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema, ast};
use serde_json::Value;

use crate::errors::{GraphqlError, Location};

/// The first literal in `document` that breaks a rule, as Shopify reports it.
pub(crate) fn check_literals(
    schema: &Schema,
    document: &Valid<ExecutableDocument>,
) -> Result<(), GraphqlError> {
    let sets = document
        .operations
        .iter()
        .map(|operation| &operation.selection_set)
        .chain(document.fragments.values().map(|fragment| &fragment.selection_set));
    for set in sets {
        check_selections(schema, document, set)?;
    }
    Ok(())
}

fn check_selections(
    schema: &Schema,
    document: &ExecutableDocument,
    set: &SelectionSet,
) -> Result<(), GraphqlError> {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                for argument in &field.arguments {
                    if let Some(definition) = field.definition.argument_by_name(&argument.name) {
                        check_literal(schema, document, &definition.ty, &argument.value)?;
                    }
                }
                check_selections(schema, document, &field.selection_set)?;
            }
            Selection::InlineFragment(inline) => check_selections(schema, document, &inline.selection_set)?,
            // Fragments are checked once, as definitions.
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn check_literal(
    schema: &Schema,
    document: &ExecutableDocument,
    ty: &Type,
    value: &Node<ast::Value>,
) -> Result<(), GraphqlError> {
    let refuse = |message: String| {
        let locations = value
            .line_column_range(&document.sources)
            .map(|range| vec![Location { line: range.start.line, column: range.start.column }])
            .unwrap_or_default();
        Err(GraphqlError::new("argumentLiteralsIncompatible", message, locations))
    };
    match value.as_ref() {
        ast::Value::List(items) => {
            for item in items {
                check_literal(schema, document, ty.item_type(), item)?;
            }
        }
        ast::Value::Object(fields) => {
            let Some(input) = schema.get_input_object(ty.inner_named_type()) else { return Ok(()) };
            for (index, (name, _)) in fields.iter().enumerate() {
                if fields[..index].iter().any(|(earlier, _)| earlier == name) {
                    return refuse(format!("There can be only one input field named \"{name}\"."));
                }
            }
            if input.directives.has("oneOf") {
                if fields.len() != 1 {
                    return refuse(format!(
                        "OneOf Input Object \"{}\" must specify exactly one key.",
                        input.name
                    ));
                }
                if let Some((name, field_value)) = fields.first()
                    && matches!(field_value.as_ref(), ast::Value::Null)
                {
                    return refuse(format!("Field \"{}.{name}\" must be non-null.", input.name));
                }
            }
            for (name, field_value) in fields {
                if let Some(field) = input.fields.get(name) {
                    check_literal(schema, document, &field.ty, field_value)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The first variable value of `operation` that gives a `@oneOf` input object other than one
/// non-null field, as Shopify reports it. `values` are the coerced variables.
pub(crate) fn check_variables(
    schema: &Schema,
    operation: &Operation,
    values: &JsonMap,
) -> Result<(), GraphqlError> {
    for variable in &operation.variables {
        if let Some(value) = values.get(variable.name.as_str()) {
            let value: Value = serde_json::to_value(value).unwrap_or(Value::Null);
            if let Some(problem) = one_of_problem(schema, &variable.ty, &value) {
                let message = format!(
                    "Variable ${} of type {} was provided invalid value: {problem}",
                    variable.name, variable.ty
                );
                return Err(GraphqlError::new("INVALID_VARIABLE", message, Vec::new()));
            }
        }
    }
    Ok(())
}

fn one_of_problem(schema: &Schema, ty: &Type, value: &Value) -> Option<String> {
    match value {
        Value::Array(items) => items.iter().find_map(|item| one_of_problem(schema, ty.item_type(), item)),
        Value::Object(fields) => {
            let input = schema.get_input_object(ty.inner_named_type())?;
            if input.directives.has("oneOf") {
                if fields.len() != 1 {
                    return Some(format!(
                        "Exactly one key must be specified for OneOf type \"{}\".",
                        input.name
                    ));
                }
                if let Some((name, Value::Null)) = fields.iter().next() {
                    return Some(format!("Field \"{name}\" must be non-null."));
                }
            }
            fields.iter().find_map(|(name, field_value)| {
                let field = input.fields.get(name.as_str())?;
                one_of_problem(schema, &field.ty, field_value)
            })
        }
        _ => None,
    }
}
