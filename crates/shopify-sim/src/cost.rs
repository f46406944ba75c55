//! The requested cost of a query as the Admin API computes it before running anything.
//!
//! Rules (shopify.dev "GraphQL Admin API rate limits"; docs/simulator.md, "Query cost and
//! throttling"): scalars and enums cost 0, an object 1, a connection 2 plus, for each of the
//! `first`/`last` objects it asks for, 1 and the cost of what it selects on that object; a type
//! condition on an interface or union counts only its most expensive branch, since each object
//! matches one; a mutation costs 10. Fields Shopify prices specially are not modelled.

use apollo_compiler::ast::Value;
use apollo_compiler::executable::{Field, Operation, OperationType, Selection, SelectionSet};
use apollo_compiler::{ExecutableDocument, Node};
use serde_json::{Map, Value as Json};

/// Shopify refuses a single query whose requested cost is above this, on every plan.
pub const MAX_QUERY_COST: u64 = 1_000;

/// What a mutation costs, whatever it selects.
pub const MUTATION_COST: u64 = 10;

/// The requested cost of `operation`, a member of `document`, with these variables.
pub fn requested_cost(
    document: &ExecutableDocument,
    operation: &Operation,
    variables: &Map<String, Json>,
) -> u64 {
    if operation.operation_type == OperationType::Mutation {
        return MUTATION_COST;
    }
    let pricing = Pricing { document, operation, variables };
    pricing.selection_set(&operation.selection_set)
}

struct Pricing<'a> {
    document: &'a ExecutableDocument,
    operation: &'a Operation,
    variables: &'a Map<String, Json>,
}

impl Pricing<'_> {
    fn selection_set(&self, selection_set: &SelectionSet) -> u64 {
        let mut unconditional = 0u64;
        let mut by_type: Vec<(&str, u64)> = Vec::new();
        for selection in &selection_set.selections {
            let (condition, cost) = match selection {
                Selection::Field(field) => (None, self.field(field)),
                Selection::InlineFragment(fragment) => (
                    fragment.type_condition.as_ref().map(|name| name.as_str()),
                    self.selection_set(&fragment.selection_set),
                ),
                Selection::FragmentSpread(spread) => match spread.fragment_def(self.document) {
                    Some(fragment) => (
                        Some(fragment.type_condition().as_str()),
                        self.selection_set(&fragment.selection_set),
                    ),
                    None => (None, 0),
                },
            };
            match condition {
                Some(type_name) if type_name != selection_set.ty.as_str() => {
                    match by_type.iter_mut().find(|(existing, _)| *existing == type_name) {
                        Some((_, total)) => *total = total.saturating_add(cost),
                        None => by_type.push((type_name, cost)),
                    }
                }
                _ => unconditional = unconditional.saturating_add(cost),
            }
        }
        let costliest_branch = by_type.iter().map(|(_, cost)| *cost).max().unwrap_or(0);
        unconditional.saturating_add(costliest_branch)
    }

    fn field(&self, field: &Node<Field>) -> u64 {
        if field.selection_set.selections.is_empty() {
            return 0;
        }
        if !is_connection(field) {
            return 1u64.saturating_add(self.selection_set(&field.selection_set));
        }
        let page = self.page_size(field);
        let per_object = 1u64.saturating_add(self.connection_object(&field.selection_set));
        2u64.saturating_add(page.saturating_mul(per_object))
    }

    /// What a connection's selection costs for each object in the page: its `edges { node }` and
    /// `nodes` are the objects themselves, and `pageInfo` and cursors come with the connection.
    fn connection_object(&self, connection: &SelectionSet) -> u64 {
        let mut cost = 0u64;
        for selection in &connection.selections {
            let Selection::Field(field) = selection else {
                continue;
            };
            let inner = match field.name.as_str() {
                "nodes" | "node" => self.selection_set(&field.selection_set),
                "edges" => self.connection_object(&field.selection_set),
                _ => 0,
            };
            cost = cost.saturating_add(inner);
        }
        cost
    }

    /// `first` or `last`, literal or from a variable (or its default). A connection without either
    /// is an execution error in Shopify, so it asks for no objects here.
    fn page_size(&self, field: &Field) -> u64 {
        ["first", "last"]
            .iter()
            .filter_map(|name| field.specified_argument_by_name(name))
            .filter_map(|value| self.int(value))
            .max()
            .unwrap_or(0)
    }

    fn int(&self, value: &Value) -> Option<u64> {
        match value {
            Value::Int(int) => int.try_to_i32().ok().and_then(|n| u64::try_from(n).ok()),
            Value::Variable(name) => match self.variables.get(name.as_str()) {
                Some(given) => given.as_u64(),
                None => self
                    .operation
                    .variables
                    .iter()
                    .find(|definition| definition.name == *name)
                    .and_then(|definition| definition.default_value.as_deref())
                    .and_then(|default| self.int(default)),
            },
            _ => None,
        }
    }
}

/// Relay connections are the types Shopify sizes by `first`/`last`; every one in the Admin schema
/// is named `…Connection`.
fn is_connection(field: &Field) -> bool {
    field.ty().inner_named_type().as_str().ends_with("Connection")
}
