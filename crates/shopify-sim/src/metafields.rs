//! Metafields and `metafieldsSet`: at most 25 per call, all or nothing, compare-and-set through
//! `compareDigest` (`null` means "must not exist yet"), values checked against their type.
//! Limits: shopify.dev "metafieldsSet" and "Metafield limits".

pub mod definitions;
pub(crate) mod resolvers;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::signing::hex;

/// Most metafields one `metafieldsSet` call may write.
pub const MAX_METAFIELDS_PER_SET: usize = 25;
/// Most bytes in a value, except `json`.
pub const MAX_VALUE_BYTES: usize = 65_536;
/// Most bytes in a `json` value (apps created after 2026-04-01).
pub const MAX_JSON_VALUE_BYTES: usize = 131_072;

/// Types the simulator checks values of; any other type is refused by name.
pub(crate) const TYPES: [&str; 6] = [
    "single_line_text_field",
    "multi_line_text_field",
    "json",
    "number_integer",
    "boolean",
    "list.single_line_text_field",
];

/// One stored metafield.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Metafield {
    /// Numeric id; the GID is `gid://shopify/Metafield/<id>`.
    pub id: u64,
    /// The resolved namespace (`$app` becomes `app--<client id>`).
    pub namespace: String,
    /// The key.
    pub key: String,
    /// Such as `json`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value as written.
    pub value: String,
    /// Changes whenever the value does.
    pub compare_digest: String,
    /// Unix seconds.
    pub updated_at: u64,
}

/// Metafields by owner GID, then `(namespace, key)`.
pub type MetafieldStore = BTreeMap<String, BTreeMap<(String, String), Metafield>>;

/// One `MetafieldsSetInput`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetInput {
    /// Owner GID.
    pub owner_id: String,
    /// As given; `None` is the app's own `$app`.
    pub namespace: Option<String>,
    /// Key.
    pub key: String,
    /// Type; needed when the metafield is new.
    pub kind: Option<String>,
    /// Value.
    pub value: String,
    /// Absent: no check. `Some(None)`: must not exist. `Some(Some(d))`: must still be `d`.
    pub compare_digest: Option<Option<String>>,
}

/// A `MetafieldsSetUserError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetError {
    /// `MetafieldsSetUserErrorCode`.
    pub code: &'static str,
    /// Index of the input at fault, if one is.
    pub element_index: Option<usize>,
    /// Path of the field at fault.
    pub field: Vec<String>,
    /// What is wrong.
    pub message: String,
}

/// `$app` and `$app:<suffix>` as Shopify stores them for this app.
pub fn resolve_namespace(namespace: Option<&str>, client_id: &str) -> String {
    match namespace.unwrap_or("$app") {
        "$app" => format!("app--{client_id}"),
        other => match other.strip_prefix("$app:") {
            Some(suffix) => format!("app--{client_id}--{suffix}"),
            None => other.to_owned(),
        },
    }
}

/// What a write is checked against besides the values themselves.
pub struct SetRules<'a> {
    /// Names the app's reserved namespaces.
    pub client_id: &'a str,
    /// Unix seconds.
    pub now: u64,
    /// Whether an owner GID names something.
    pub owner_exists: &'a dyn Fn(&str) -> bool,
    /// Whether the token may write the owner's metafields.
    pub may_write: &'a dyn Fn(&str) -> bool,
    /// The type a definition fixes for (owner GID, resolved namespace, key), if there is one.
    pub defined_type: &'a dyn Fn(&str, &str, &str) -> Option<String>,
}

/// Applies every input or none. Returns the metafields as written.
pub fn set(
    store: &mut MetafieldStore,
    inputs: &[SetInput],
    rules: &SetRules<'_>,
) -> Result<Vec<(String, Metafield)>, Vec<SetError>> {
    let (client_id, now) = (rules.client_id, rules.now);
    let mut next_id =
        store.values().flat_map(|owned| owned.values().map(|metafield| metafield.id)).max().unwrap_or(0);
    if inputs.len() > MAX_METAFIELDS_PER_SET {
        return Err(vec![SetError {
            code: "LESS_THAN_OR_EQUAL_TO",
            element_index: None,
            field: vec!["metafields".to_owned()],
            message: format!("Exceeded the maximum metafields input limit of {MAX_METAFIELDS_PER_SET}."),
        }]);
    }
    let mut errors = Vec::new();
    let mut staged: Vec<(String, Metafield)> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let fail = |code: &'static str, field: &str, message: String| SetError {
            code,
            element_index: Some(index),
            field: vec!["metafields".to_owned(), index.to_string(), field.to_owned()],
            message,
        };
        if !(rules.owner_exists)(&input.owner_id) {
            errors.push(fail("INVALID", "ownerId", format!("Owner `{}` does not exist.", input.owner_id)));
            continue;
        }
        if !(rules.may_write)(&input.owner_id) {
            let message =
                "Access to this namespace and key on Metafields for this resource type is not allowed.";
            errors.push(fail("APP_NOT_AUTHORIZED", "ownerId", message.to_owned()));
            continue;
        }
        let namespace = resolve_namespace(input.namespace.as_deref(), client_id);
        if !(2..=64).contains(&input.key.chars().count()) {
            errors.push(fail("INVALID", "key", "Key must be 2 to 64 characters.".to_owned()));
            continue;
        }
        let existing =
            store.get(&input.owner_id).and_then(|owned| owned.get(&(namespace.clone(), input.key.clone())));
        match (&input.compare_digest, existing) {
            (Some(None), Some(_)) => {
                errors.push(fail(
                    "INVALID_COMPARE_DIGEST",
                    "compareDigest",
                    "The metafield already exists.".to_owned(),
                ));
                continue;
            }
            (Some(Some(digest)), found)
                if found.is_none_or(|metafield| metafield.compare_digest != *digest) =>
            {
                let message = "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.";
                errors.push(fail("INVALID_COMPARE_DIGEST", "compareDigest", message.to_owned()));
                continue;
            }
            _ => {}
        }
        let defined = (rules.defined_type)(&input.owner_id, &namespace, &input.key);
        let known = defined.clone().or_else(|| existing.map(|metafield| metafield.kind.clone()));
        let Some(kind) = input.kind.clone().or(known) else {
            errors.push(fail("BLANK", "type", "Type can't be blank.".to_owned()));
            continue;
        };
        if let Some(defined) = defined.filter(|defined| *defined != kind) {
            errors.push(fail(
                "INVALID_TYPE",
                "type",
                format!("Type must be {defined}, as its definition says."),
            ));
            continue;
        }
        if let Err(message) = check_value(&kind, &input.value) {
            let code = if message.contains("long") { "TOO_LONG" } else { "INVALID_VALUE" };
            errors.push(fail(code, "value", message));
            continue;
        }
        let id = existing.map_or_else(
            || {
                next_id += 1;
                next_id
            },
            |metafield| metafield.id,
        );
        let compare_digest = hex(&Sha256::digest(format!("{id}:{kind}:{}:{now}", input.value)));
        let metafield = Metafield {
            id,
            namespace,
            key: input.key.clone(),
            kind,
            value: input.value.clone(),
            compare_digest,
            updated_at: now,
        };
        staged.push((input.owner_id.clone(), metafield));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (owner, metafield) in &staged {
        store
            .entry(owner.clone())
            .or_default()
            .insert((metafield.namespace.clone(), metafield.key.clone()), metafield.clone());
    }
    Ok(staged)
}

fn check_value(kind: &str, value: &str) -> Result<(), String> {
    if !TYPES.contains(&kind) {
        return Err(format!("shopify-sim does not simulate the metafield type `{kind}`"));
    }
    let limit = if kind == "json" { MAX_JSON_VALUE_BYTES } else { MAX_VALUE_BYTES };
    if value.len() > limit {
        return Err(format!("Value is too long: {} bytes, at most {limit}.", value.len()));
    }
    let valid = match kind {
        "single_line_text_field" => !value.contains(['\n', '\r']),
        "json" => serde_json::from_str::<Value>(value).is_ok(),
        "number_integer" => value.parse::<i64>().is_ok(),
        "boolean" => value == "true" || value == "false",
        "list.single_line_text_field" => serde_json::from_str::<Vec<String>>(value)
            .is_ok_and(|items| items.len() <= 128 && items.iter().all(|item| !item.contains('\n'))),
        _ => true,
    };
    if valid { Ok(()) } else { Err(format!("Value is not a valid {kind}.")) }
}
