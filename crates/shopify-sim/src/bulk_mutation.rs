//! Bulk mutations: `stagedUploadsCreate` hands out an upload target for the JSONL of variables,
//! the app uploads it (multipart POST, as to Shopify's storage), and `bulkOperationRunMutation`
//! runs the mutation once per line. Rules: shopify.dev "Bulk import data with the GraphQL Admin API" (docs/simulator.md).

use std::cell::RefCell;

use apollo_compiler::executable::OperationType;
use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::admin_api::schema::AdminSchema;
use crate::bulk::BulkOperations;

/// Largest variables file Shopify takes (API 2026-01 and later).
pub const MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;

/// `stagedUploadsCreate(input:)`: a target per input, for bulk mutation variables only.
pub(crate) fn staged_uploads(bulk: &RefCell<BulkOperations>, info: &ResolveInfo<'_>) -> StagedPayload {
    let inputs = info.arguments().get("input").and_then(JsonValue::as_array).cloned().unwrap_or_default();
    let mut bulk = bulk.borrow_mut();
    let mut targets = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let text = |name: &str| input.get(name).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
        let refuse = |message: String| StagedPayload {
            targets: None,
            error: Some((vec!["input".to_owned(), index.to_string()], message)),
        };
        if text("resource") != "BULK_MUTATION_VARIABLES" {
            return refuse(format!(
                "shopify-sim stages only BULK_MUTATION_VARIABLES, not {}",
                text("resource")
            ));
        }
        if text("httpMethod") != "POST" {
            return refuse("Bulk mutation variables are uploaded with POST".to_owned());
        }
        let size = input.get("fileSize").and_then(|size| {
            size.as_str().and_then(|text| text.parse::<u64>().ok()).or_else(|| size.as_u64())
        });
        if size.is_some_and(|size| size > MAX_UPLOAD_BYTES) {
            return refuse(format!("The file is larger than {MAX_UPLOAD_BYTES} bytes"));
        }
        let key = format!("tmp/sim/{}/{}", bulk.uploads.len() + 1, text("filename"));
        bulk.uploads.insert(key.clone(), None);
        let base = if bulk.public_url.is_empty() { "http://shopify-sim.invalid" } else { &bulk.public_url };
        targets.push(Target { url: format!("{base}/__sim/uploads"), key, mime_type: text("mimeType") });
    }
    StagedPayload { targets: Some(targets), error: None }
}

/// Stores an uploaded file under a key handed out earlier. False for an unknown or used key.
pub fn store_upload(bulk: &mut BulkOperations, key: &str, file: Vec<u8>) -> bool {
    match bulk.uploads.get_mut(key) {
        Some(slot @ None) if file.len() as u64 <= MAX_UPLOAD_BYTES => {
            *slot = Some(file);
            true
        }
        _ => false,
    }
}

/// Checks a bulk mutation: valid, one mutation operation with exactly one field.
pub(crate) fn check_mutation(
    mutation: &str,
) -> Result<apollo_compiler::validation::Valid<apollo_compiler::ExecutableDocument>, String> {
    let document = AdminSchema::get().validate(mutation).map_err(|errors| {
        errors.errors.first().map_or_else(|| "Invalid mutation".to_owned(), |error| error.message.clone())
    })?;
    let fields = {
        let mut operations = document.operations.iter();
        let (Some(operation), None) = (operations.next(), operations.next()) else {
            return Err("A bulk mutation must have exactly one operation".to_owned());
        };
        if operation.operation_type != OperationType::Mutation {
            return Err("Use bulkOperationRunQuery for queries".to_owned());
        }
        crate::admin_api::root_field_names(&operation.selection_set.selections)
    };
    match fields.as_slice() {
        [name] if name.starts_with("bulkOperation") || name == "stagedUploadsCreate" => {
            Err(format!("`{name}` cannot run in bulk"))
        }
        [_] => Ok(document),
        _ => Err("A bulk mutation must have exactly one mutation field".to_owned()),
    }
}

/// The variables of each line: every line must be a JSON object.
pub(crate) fn variable_lines(file: &[u8]) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, String> {
    let text = std::str::from_utf8(file).map_err(|_| "The staged file is not UTF-8".to_owned())?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(index, line)| match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(variables)) => Ok(variables),
            _ => Err(format!("Line {} of the staged file is not a JSON object", index + 1)),
        })
        .collect()
}

struct Target {
    url: String,
    key: String,
    mime_type: String,
}

pub(crate) struct StagedPayload {
    targets: Option<Vec<Target>>,
    error: Option<(Vec<String>, String)>,
}

impl ObjectValue for StagedPayload {
    fn type_name(&self) -> &str {
        "StagedUploadsCreatePayload"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "stagedTargets" => Ok(match &self.targets {
                Some(targets) => ResolvedValue::list(
                    targets.iter().map(|target| ResolvedValue::object(TargetValue(target))),
                ),
                None => ResolvedValue::null(),
            }),
            "userErrors" => Ok(ResolvedValue::list(self.error.iter().map(|(field, message)| {
                ResolvedValue::object(crate::admin_api::resolvers::UserErrorValue { field, message })
            }))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct TargetValue<'t>(&'t Target);

impl ObjectValue for TargetValue<'_> {
    fn type_name(&self) -> &str {
        "StagedMediaUploadTarget"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let target = self.0;
        match info.field_name() {
            "url" => Ok(ResolvedValue::leaf(target.url.as_str())),
            "resourceUrl" => Ok(ResolvedValue::null()),
            "parameters" => {
                let parameters = [
                    ("key", target.key.as_str()),
                    ("Content-Type", target.mime_type.as_str()),
                    ("success_action_status", "201"),
                    ("acl", "private"),
                ];
                Ok(ResolvedValue::list(
                    parameters
                        .into_iter()
                        .map(|(name, value)| ResolvedValue::object(ParameterValue(name, value))),
                ))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct ParameterValue<'p>(&'p str, &'p str);

impl ObjectValue for ParameterValue<'_> {
    fn type_name(&self) -> &str {
        "StagedUploadParameter"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "name" => Ok(ResolvedValue::leaf(self.0)),
            "value" => Ok(ResolvedValue::leaf(self.1)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
