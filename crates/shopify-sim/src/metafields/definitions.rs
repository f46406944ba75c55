//! `metafieldDefinitionCreate`: a definition fixes the type of a namespace and key on one kind of
//! owner, and `metafieldsSet` then holds writes to it. Limits: shopify.dev "Metafield limits" (docs/simulator.md).

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::metafields::resolvers::owner_of;
use crate::metafields::{TYPES, resolve_namespace};
use crate::shop::gid;

/// Most definitions an app may make for one kind of owner.
pub const MAX_DEFINITIONS_PER_OWNER_TYPE: usize = 256;

/// A metafield definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// Numeric id; the GID is `gid://shopify/MetafieldDefinition/<id>`.
    pub id: u64,
    /// `CUSTOMER`, `PRODUCT`, `SHOP`, `DISCOUNT`.
    pub owner_type: String,
    /// Resolved namespace.
    pub namespace: String,
    /// Key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// The type every value must have.
    pub kind: String,
}

/// The type a definition fixes for a metafield on `owner` (a GID), if any.
pub fn defined_type(definitions: &[Definition], owner: &str, namespace: &str, key: &str) -> Option<String> {
    let owner_type = match owner_of(owner)?.0 {
        "Customer" => "CUSTOMER",
        "Product" => "PRODUCT",
        "Shop" => "SHOP",
        "DiscountAutomaticNode" => "DISCOUNT",
        _ => return None,
    };
    definitions
        .iter()
        .find(|definition| {
            definition.owner_type == owner_type && definition.namespace == namespace && definition.key == key
        })
        .map(|definition| definition.kind.clone())
}

type DefinitionError = (&'static str, &'static str, String);

/// `metafieldDefinitionCreate(definition:)`.
pub(crate) fn create_definition(
    definitions: &RefCell<Vec<Definition>>,
    info: &ResolveInfo<'_>,
    client_id: &str,
    scopes: &[String],
) -> Result<DefinitionPayload, FieldError> {
    let input = info.arguments().get("definition");
    let text =
        |name: &str| input.and_then(|input| input.get(name)).and_then(JsonValue::as_str).map(str::to_owned);
    let refuse = |code, field, message: String| {
        Ok(DefinitionPayload { definition: None, error: Some((code, field, message)) })
    };
    let (key, name, kind, owner_type) = (
        text("key").unwrap_or_default(),
        text("name").unwrap_or_default(),
        text("type").unwrap_or_default(),
        text("ownerType").unwrap_or_default(),
    );
    let namespace = resolve_namespace(text("namespace").as_deref(), client_id);
    if key.chars().count() < 2 {
        return refuse("TOO_SHORT", "key", "Key is too short (minimum is 2 characters)".to_owned());
    }
    if key.chars().count() > 64 {
        return refuse("TOO_LONG", "key", "Key is too long (maximum is 64 characters)".to_owned());
    }
    if !(3..=255).contains(&namespace.chars().count()) {
        return refuse("INVALID", "namespace", "Namespace must be 3 to 255 characters".to_owned());
    }
    if name.trim().is_empty() {
        return refuse("BLANK", "name", "Name can't be blank".to_owned());
    }
    if !TYPES.contains(&kind.as_str()) {
        return refuse(
            "INCLUSION",
            "type",
            format!("shopify-sim does not simulate the metafield type `{kind}`"),
        );
    }
    if !["CUSTOMER", "PRODUCT", "SHOP", "DISCOUNT"].contains(&owner_type.as_str()) {
        return refuse(
            "INCLUSION",
            "ownerType",
            format!("shopify-sim does not simulate definitions on {owner_type}"),
        );
    }
    let needed = match owner_type.as_str() {
        "CUSTOMER" => Some("write_customers"),
        "PRODUCT" => Some("write_products"),
        "DISCOUNT" => Some("write_discounts"),
        _ => None,
    };
    if let Some(scope) = needed.filter(|needed| !scopes.iter().any(|held| held == needed)) {
        let message = format!(
            "Access denied for metafieldDefinitionCreate field. Required access: `{scope}` access scope."
        );
        return Err(FieldError { message });
    }
    let mut definitions = definitions.borrow_mut();
    let same_owner = definitions.iter().filter(|definition| definition.owner_type == owner_type);
    if same_owner.clone().any(|definition| definition.namespace == namespace && definition.key == key) {
        return refuse(
            "TAKEN",
            "key",
            format!("Key is in use for {owner_type} metafields on the '{namespace}' namespace."),
        );
    }
    if same_owner.count() >= MAX_DEFINITIONS_PER_OWNER_TYPE {
        let message =
            format!("An app may define at most {MAX_DEFINITIONS_PER_OWNER_TYPE} metafields per owner type");
        return refuse("RESOURCE_TYPE_LIMIT_EXCEEDED_BY_APP", "ownerType", message);
    }
    let id = definitions.iter().map(|definition| definition.id).max().map_or(1, |id| id + 1);
    let definition = Definition { id, owner_type, namespace, key, name, kind };
    definitions.push(definition.clone());
    Ok(DefinitionPayload { definition: Some(definition), error: None })
}

pub(crate) struct DefinitionPayload {
    definition: Option<Definition>,
    error: Option<DefinitionError>,
}

impl ObjectValue for DefinitionPayload {
    fn type_name(&self) -> &str {
        "MetafieldDefinitionCreatePayload"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "createdDefinition" => {
                Ok(ResolvedValue::nullable_object(self.definition.as_ref().map(DefinitionValue)))
            }
            "userErrors" => Ok(ResolvedValue::list(
                self.error.iter().map(|error| ResolvedValue::object(DefinitionErrorValue(error))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct DefinitionErrorValue<'e>(&'e DefinitionError);

impl ObjectValue for DefinitionErrorValue<'_> {
    fn type_name(&self) -> &str {
        "MetafieldDefinitionCreateUserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (code, field, message) = self.0;
        match info.field_name() {
            "code" => Ok(ResolvedValue::leaf(*code)),
            "field" => Ok(ResolvedValue::list(["definition", field].into_iter().map(ResolvedValue::leaf))),
            "message" => Ok(ResolvedValue::leaf(message.as_str())),
            "elementIndex" | "elementKey" => Ok(ResolvedValue::null()),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct DefinitionValue<'d>(&'d Definition);

impl ObjectValue for DefinitionValue<'_> {
    fn type_name(&self) -> &str {
        "MetafieldDefinition"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let definition = self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("MetafieldDefinition", definition.id))),
            "namespace" => Ok(ResolvedValue::leaf(definition.namespace.as_str())),
            "key" => Ok(ResolvedValue::leaf(definition.key.as_str())),
            "name" => Ok(ResolvedValue::leaf(definition.name.as_str())),
            "ownerType" => Ok(ResolvedValue::leaf(definition.owner_type.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
