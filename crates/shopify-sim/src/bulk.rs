//! Bulk queries: `bulkOperationRunQuery` runs a query over every object, without pages, and
//! leaves the result as JSONL at a URL; `bulkOperation(id:)` and `currentBulkOperation` report it;
//! `bulk_operations/finish` announces it. Rules: shopify.dev "Perform bulk operations with the GraphQL Admin API" (docs/simulator.md).

use std::cell::RefCell;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;
use apollo_compiler::validation::Valid;
use serde_json::{Map, Value};

use crate::admin_api::schema::AdminSchema;
use crate::shop::{gid, iso8601};

/// At most this many connections in a bulk query.
pub const MAX_CONNECTIONS: usize = 5;
/// Connections nest at most this deep.
pub const MAX_CONNECTION_DEPTH: usize = 2;

/// One bulk query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkOperation {
    /// Numeric id; the GID is `gid://shopify/BulkOperation/<id>`.
    pub id: u64,
    /// The query as given.
    pub query: String,
    /// `COMPLETED` or `FAILED`; the simulator runs a query at once.
    pub status: &'static str,
    /// Unix seconds.
    pub created_at: u64,
    /// The result, one JSON object per line.
    pub jsonl: String,
    /// Lines written.
    pub object_count: u64,
    /// Lines without a parent.
    pub root_object_count: u64,
    /// `QUERY` or `MUTATION`.
    pub kind: &'static str,
}

/// The shop's bulk operations and where their results are served.
#[derive(Clone, Debug, Default)]
pub struct BulkOperations {
    /// Oldest first.
    pub operations: Vec<BulkOperation>,
    /// Base of result URLs; the HTTP server sets it to its own address.
    pub public_url: String,
    /// Staged upload keys handed out, with the file once uploaded.
    pub uploads: std::collections::BTreeMap<String, Option<Vec<u8>>>,
}

impl BulkOperations {
    /// A finished operation's result URL.
    pub fn url(&self, id: u64) -> String {
        let base = if self.public_url.is_empty() { "http://shopify-sim.invalid" } else { &self.public_url };
        format!("{base}/__sim/bulk/{id}.jsonl")
    }
}

/// Checks a bulk query: valid against the schema, one query operation, 1 to 5 connections,
/// connections nested at most two deep. Returns the document.
pub(crate) fn check(query: &str) -> Result<Valid<ExecutableDocument>, String> {
    let document = AdminSchema::get().validate(query).map_err(|errors| {
        errors.errors.first().map_or_else(
            || "Invalid bulk query".to_owned(),
            |error| format!("Invalid bulk query: {}", error.message),
        )
    })?;
    let (count, depth) = {
        let mut operations = document.operations.iter();
        let (Some(operation), None) = (operations.next(), operations.next()) else {
            return Err("Bulk queries must have exactly one operation".to_owned());
        };
        if operation.operation_type != apollo_compiler::executable::OperationType::Query {
            return Err("Bulk queries must be queries; use bulkOperationRunMutation for mutations".to_owned());
        }
        connections(&operation.selection_set, 0)
    };
    if count == 0 {
        return Err("Bulk queries must contain at least one connection.".to_owned());
    }
    if count > MAX_CONNECTIONS {
        return Err(format!("Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."));
    }
    if depth > MAX_CONNECTION_DEPTH {
        return Err(format!(
            "Bulk queries cannot contain connections with a nesting depth greater than {MAX_CONNECTION_DEPTH}."
        ));
    }
    Ok(document)
}

/// (connections, deepest nesting of connections) under a selection set.
fn connections(selection_set: &SelectionSet, depth: usize) -> (usize, usize) {
    let mut count = 0;
    let mut deepest = depth;
    for selection in &selection_set.selections {
        let (child_set, is_connection) = match selection {
            Selection::Field(field) => {
                (&field.selection_set, field.ty().inner_named_type().as_str().ends_with("Connection"))
            }
            Selection::InlineFragment(fragment) => (&fragment.selection_set, false),
            Selection::FragmentSpread(_) => continue,
        };
        let below = depth + usize::from(is_connection);
        let (inner, inner_depth) = connections(child_set, below);
        count += inner + usize::from(is_connection);
        deepest = deepest.max(inner_depth).max(below);
    }
    (count, deepest)
}

/// The JSONL Shopify writes for a bulk query's data: every object of a connection on its own
/// line, nested connections' objects after their parent with `__parentId`.
pub fn to_jsonl(data: &Value) -> (String, u64, u64) {
    let mut lines = Vec::new();
    let mut roots = 0;
    if let Some(fields) = data.as_object() {
        for value in fields.values() {
            for node in connection_nodes(value) {
                roots += 1;
                emit(node, None, &mut lines);
            }
        }
    }
    let count = lines.len() as u64;
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    (text, count, roots)
}

fn connection_nodes(value: &Value) -> Vec<&Value> {
    let Some(object) = value.as_object() else {
        return Vec::new();
    };
    if let Some(Value::Array(nodes)) = object.get("nodes") {
        return nodes.iter().collect();
    }
    if let Some(Value::Array(edges)) = object.get("edges") {
        return edges.iter().filter_map(|edge| edge.get("node")).collect();
    }
    Vec::new()
}

fn emit(node: &Value, parent: Option<&str>, lines: &mut Vec<String>) {
    let Some(object) = node.as_object() else {
        return;
    };
    let mut own = Map::new();
    let mut children = Vec::new();
    for (key, value) in object {
        if value.get("edges").is_some() || value.get("nodes").is_some() {
            children.push(value);
        } else {
            own.insert(key.clone(), value.clone());
        }
    }
    if let Some(parent) = parent {
        own.insert("__parentId".to_owned(), Value::String(parent.to_owned()));
    }
    let id = own.get("id").and_then(Value::as_str).map(str::to_owned);
    lines.push(Value::Object(own).to_string());
    for child_connection in children {
        for child in connection_nodes(child_connection) {
            emit(child, id.as_deref(), lines);
        }
    }
}

/// The finish webhook's body.
pub(crate) fn finish_payload(operation: &BulkOperation) -> Value {
    serde_json::json!({
        "admin_graphql_api_id": gid("BulkOperation", operation.id),
        "completed_at": iso8601(operation.created_at),
        "created_at": iso8601(operation.created_at),
        "error_code": null,
        "status": operation.status.to_lowercase(),
        "type": operation.kind.to_lowercase(),
    })
}

pub(crate) struct BulkPayload {
    /// Answers `bulkOperationRunMutation`, whose user errors have their own type.
    pub mutation: bool,
    pub operation: Option<BulkOperation>,
    pub url: Option<String>,
    pub error: Option<(&'static str, String)>,
}

impl ObjectValue for BulkPayload {
    fn type_name(&self) -> &str {
        match self.operation.as_ref().map(|operation| operation.kind) {
            Some("MUTATION") => "BulkOperationRunMutationPayload",
            _ if self.mutation => "BulkOperationRunMutationPayload",
            _ => "BulkOperationRunQueryPayload",
        }
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "bulkOperation" => Ok(ResolvedValue::nullable_object(
                self.operation.clone().map(|operation| BulkValue { operation, url: self.url.clone() }),
            )),
            "userErrors" => Ok(ResolvedValue::list(
                self.error.iter().map(|error| ResolvedValue::object(BulkErrorValue(error, self.mutation))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct BulkErrorValue<'e>(&'e (&'static str, String), bool);

impl ObjectValue for BulkErrorValue<'_> {
    fn type_name(&self) -> &str {
        if self.1 { "BulkMutationUserError" } else { "BulkOperationUserError" }
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (code, message) = self.0;
        match info.field_name() {
            "code" => Ok(ResolvedValue::leaf(*code)),
            "field" => {
                Ok(ResolvedValue::list([ResolvedValue::leaf(if self.1 { "mutation" } else { "query" })]))
            }
            "message" => Ok(ResolvedValue::leaf(message.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `bulkOperation(id:)` or, with no id, the latest (`currentBulkOperation`).
pub(crate) fn operation_field<'a>(
    bulk: &RefCell<BulkOperations>,
    info: &ResolveInfo<'a>,
) -> ResolvedValue<'a> {
    let bulk = bulk.borrow();
    let wanted = info.arguments().get("id").and_then(JsonValue::as_str);
    let found = match wanted {
        Some(id) => bulk.operations.iter().find(|operation| gid("BulkOperation", operation.id) == id),
        None => bulk.operations.last(),
    };
    ResolvedValue::nullable_object(
        found.map(|operation| BulkValue { operation: operation.clone(), url: Some(bulk.url(operation.id)) }),
    )
}

struct BulkValue {
    operation: BulkOperation,
    url: Option<String>,
}

impl ObjectValue for BulkValue {
    fn type_name(&self) -> &str {
        "BulkOperation"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        bulk_field(&self.operation, self.url.as_deref(), info)
            .unwrap_or_else(|| Err(self.unknown_field_error(info)))
    }
}

fn bulk_field<'a>(
    operation: &'a BulkOperation,
    url: Option<&'a str>,
    info: &ResolveInfo<'_>,
) -> Option<Result<ResolvedValue<'a>, FieldError>> {
    let value = match info.field_name() {
        "id" => ResolvedValue::leaf(gid("BulkOperation", operation.id)),
        "status" => ResolvedValue::leaf(operation.status),
        "type" => ResolvedValue::leaf(operation.kind),
        "query" => ResolvedValue::leaf(operation.query.as_str()),
        "createdAt" | "completedAt" => ResolvedValue::leaf(iso8601(operation.created_at)),
        "objectCount" => ResolvedValue::leaf(operation.object_count.to_string()),
        "rootObjectCount" => ResolvedValue::leaf(operation.root_object_count.to_string()),
        "fileSize" => ResolvedValue::leaf(operation.jsonl.len().to_string()),
        "errorCode" | "partialDataUrl" => ResolvedValue::null(),
        // An empty result has no file, as in Shopify.
        "url" => ResolvedValue::leaf(url.filter(|_| !operation.jsonl.is_empty())),
        _ => return None,
    };
    Some(Ok(value))
}
