//! `metafieldsSet`, `metafield(namespace:, key:)` on the owners the simulator has, the
//! `Metafield` object, and the `product(id:)` root that reads them.

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::metafields::definitions::{Definition, defined_type};
use crate::metafields::{Metafield, SetError, SetInput, SetRules, resolve_namespace, set};
use crate::shop::{Shop, gid, iso8601};

/// `metafield(namespace:, key:)` on the owner `owner_gid`.
pub(crate) fn metafield_field<'a>(
    shop: &RefCell<Shop>,
    owner_gid: &str,
    client_id: &str,
    info: &ResolveInfo<'a>,
) -> ResolvedValue<'a> {
    let arguments = info.arguments();
    let namespace = resolve_namespace(arguments.get("namespace").and_then(JsonValue::as_str), client_id);
    let key = arguments.get("key").and_then(JsonValue::as_str).unwrap_or_default().to_owned();
    let found =
        shop.borrow().metafields.get(owner_gid).and_then(|owned| owned.get(&(namespace, key)).cloned());
    ResolvedValue::nullable_object(found.map(MetafieldValue))
}

pub(crate) struct MetafieldValue(pub Metafield);

impl ObjectValue for MetafieldValue {
    fn type_name(&self) -> &str {
        "Metafield"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let metafield = &self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Metafield", metafield.id))),
            "namespace" => Ok(ResolvedValue::leaf(metafield.namespace.as_str())),
            "key" => Ok(ResolvedValue::leaf(metafield.key.as_str())),
            "type" => Ok(ResolvedValue::leaf(metafield.kind.as_str())),
            "value" => Ok(ResolvedValue::leaf(metafield.value.as_str())),
            "jsonValue" => Ok(ResolvedValue::leaf(json_value(metafield))),
            "compareDigest" => Ok(ResolvedValue::leaf(metafield.compare_digest.as_str())),
            "createdAt" | "updatedAt" => Ok(ResolvedValue::leaf(iso8601(metafield.updated_at))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// The value as JSON: parsed for `json` and lists, a number or boolean for those types.
fn json_value(metafield: &Metafield) -> JsonValue {
    let parsed = match metafield.kind.as_str() {
        "json" | "list.single_line_text_field" | "number_integer" | "boolean" => {
            serde_json::from_str::<JsonValue>(&metafield.value).ok()
        }
        _ => None,
    };
    parsed.unwrap_or_else(|| JsonValue::String(metafield.value.as_str().into()))
}

/// Reads the `metafields` argument of `metafieldsSet`. An input's `compareDigest` may be absent
/// (no check), `null` (must not exist) or a digest.
pub(crate) fn set_inputs(info: &ResolveInfo<'_>) -> Vec<SetInput> {
    let text = |input: &JsonValue, name: &str| input.get(name).and_then(JsonValue::as_str).map(str::to_owned);
    info.arguments()
        .get("metafields")
        .and_then(JsonValue::as_array)
        .map(|inputs| {
            inputs
                .iter()
                .map(|input| SetInput {
                    owner_id: text(input, "ownerId").unwrap_or_default(),
                    namespace: text(input, "namespace"),
                    key: text(input, "key").unwrap_or_default(),
                    kind: text(input, "type"),
                    value: text(input, "value").unwrap_or_default(),
                    compare_digest: input
                        .get("compareDigest")
                        .map(|digest| digest.as_str().map(str::to_owned)),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `metafieldsSet` against the shop with the token's scopes.
pub(crate) fn metafields_set(
    shop: &RefCell<Shop>,
    definitions: &RefCell<Vec<Definition>>,
    discounts: &RefCell<crate::discounts::Discounts>,
    inputs: &[SetInput],
    client_id: &str,
    scopes: &[String],
    now: u64,
) -> SetPayload {
    let mut records = shop.borrow_mut();
    let records = &mut *records;
    let customers: Vec<u64> = records.customers.iter().map(|customer| customer.id).collect();
    let products: Vec<u64> = records.products.iter().map(|product| product.id).collect();
    let discount_nodes: Vec<String> =
        discounts.borrow().automatic.iter().map(crate::discounts::AutomaticAppDiscount::node_id).collect();
    let owner_exists = |owner: &str| match owner_of(owner) {
        Some(("Customer", id)) => customers.contains(&id),
        Some(("Product", id)) => products.contains(&id),
        Some(("DiscountAutomaticNode", _)) => discount_nodes.iter().any(|node| node == owner),
        Some(("Shop" | "AppInstallation", 1)) => true,
        _ => false,
    };
    let holds = |scope: &str| scopes.iter().any(|held| held == scope);
    let may_write = |owner: &str| match owner_of(owner) {
        Some(("Customer", _)) => holds("write_customers"),
        Some(("Product", _)) => holds("write_products"),
        Some(("DiscountAutomaticNode", _)) => holds("write_discounts"),
        _ => true,
    };
    let definitions = definitions.borrow();
    let defined_type =
        |owner: &str, namespace: &str, key: &str| defined_type(&definitions, owner, namespace, key);
    let rules = SetRules {
        client_id,
        now,
        owner_exists: &owner_exists,
        may_write: &may_write,
        defined_type: &defined_type,
    };
    match set(&mut records.metafields, inputs, &rules) {
        Ok(written) => SetPayload {
            metafields: Some(written.into_iter().map(|(_, metafield)| metafield).collect()),
            user_errors: Vec::new(),
        },
        Err(user_errors) => SetPayload { metafields: None, user_errors },
    }
}

pub(crate) fn owner_of(gid: &str) -> Option<(&str, u64)> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    let (kind, id) = rest.split_once('/')?;
    Some((kind, id.parse().ok()?))
}

pub(crate) struct SetPayload {
    metafields: Option<Vec<Metafield>>,
    user_errors: Vec<SetError>,
}

impl ObjectValue for SetPayload {
    fn type_name(&self) -> &str {
        "MetafieldsSetPayload"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "metafields" => Ok(match &self.metafields {
                Some(written) => ResolvedValue::list(
                    written.iter().map(|metafield| ResolvedValue::object(MetafieldValue(metafield.clone()))),
                ),
                None => ResolvedValue::null(),
            }),
            "userErrors" => Ok(ResolvedValue::list(
                self.user_errors.iter().map(|error| ResolvedValue::object(SetErrorValue(error))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct SetErrorValue<'e>(&'e SetError);

impl ObjectValue for SetErrorValue<'_> {
    fn type_name(&self) -> &str {
        "MetafieldsSetUserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let error = self.0;
        match info.field_name() {
            "code" => Ok(ResolvedValue::leaf(error.code)),
            "elementIndex" => Ok(ResolvedValue::leaf(error.element_index.map(|index| index as u64))),
            "field" => {
                Ok(ResolvedValue::list(error.field.iter().map(|part| ResolvedValue::leaf(part.as_str()))))
            }
            "message" => Ok(ResolvedValue::leaf(error.message.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
