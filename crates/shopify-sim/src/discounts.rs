//! The app's deployed Functions (`shopifyFunctions`) and its automatic app discounts
//! (`discountAutomaticAppCreate`/`Update`, `discountNode`), with metafields on the discount node
//! written in the same all-or-nothing step as the discount.

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::metafields::definitions::{Definition, defined_type};
use crate::metafields::resolvers::metafield_field;
use crate::metafields::{SetInput, SetRules, set};
use crate::shop::{Shop, gid, iso8601, parse_time};

/// A Function deployed with the app (`shopify app deploy`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopifyFunction {
    /// The id Shopify gives it.
    pub id: String,
    /// The extension's handle.
    pub handle: String,
    /// Such as `discount`.
    pub api_type: String,
    /// Its title.
    pub title: String,
}

/// An automatic discount run by one of the app's Functions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomaticAppDiscount {
    /// Numeric id; the node is `gid://shopify/DiscountAutomaticNode/<id>`.
    pub id: u64,
    /// Shown to the merchant and on the order.
    pub title: String,
    /// The Function's handle.
    pub function_handle: String,
    /// `ORDER`, `PRODUCT`, `SHIPPING`.
    pub classes: Vec<String>,
    /// Which other discounts it combines with: order, product, shipping.
    pub combines_with: [bool; 3],
    /// Unix seconds.
    pub starts_at: u64,
    /// Unix seconds, if it ends.
    pub ends_at: Option<u64>,
    /// Unix seconds.
    pub created_at: u64,
}

impl AutomaticAppDiscount {
    /// `gid://shopify/DiscountAutomaticNode/<id>`.
    pub fn node_id(&self) -> String {
        gid("DiscountAutomaticNode", self.id)
    }

    fn status(&self, now: u64) -> &'static str {
        match self.ends_at {
            Some(ends_at) if ends_at <= now => "EXPIRED",
            _ if self.starts_at > now => "SCHEDULED",
            _ => "ACTIVE",
        }
    }
}

/// The app's Functions and discounts in one shop.
#[derive(Clone, Debug, Default)]
pub struct Discounts {
    /// Deployed Functions.
    pub functions: Vec<ShopifyFunction>,
    /// Automatic app discounts, oldest first.
    pub automatic: Vec<AutomaticAppDiscount>,
    /// The last id given: ids are never reused, even after a discount is gone.
    pub last_id: u64,
}

type UserError = (Option<&'static str>, Vec<String>, String);

pub(crate) struct DiscountContext<'s> {
    pub shop: &'s RefCell<Shop>,
    pub definitions: &'s RefCell<Vec<Definition>>,
    pub discounts: &'s RefCell<Discounts>,
    pub client_id: &'s str,
    pub now: u64,
}

impl DiscountContext<'_> {
    /// `discountAutomaticAppCreate` or, with `update_id`, `discountAutomaticAppUpdate`.
    pub(crate) fn save(&self, info: &ResolveInfo<'_>, update_id: Option<&str>) -> DiscountPayload {
        let Some(input) = info.arguments().get("automaticAppDiscount") else {
            return DiscountPayload::refused(None, "automaticAppDiscount", "The input is missing.");
        };
        let text = |name: &str| input.get(name).and_then(JsonValue::as_str).map(str::to_owned);
        let mut discounts = self.discounts.borrow_mut();
        let existing = match update_id {
            Some(node) => match discounts.automatic.iter().position(|discount| discount.node_id() == node) {
                Some(index) => Some(index),
                None => return DiscountPayload::refused(Some("INVALID"), "id", "Discount does not exist"),
            },
            None => None,
        };
        let mut discount = match existing {
            Some(index) => discounts.automatic[index].clone(),
            None => {
                let handle = text("functionHandle").or_else(|| text("functionId"));
                let function = handle.and_then(|handle| {
                    discounts
                        .functions
                        .iter()
                        .find(|function| function.handle == handle || function.id == handle)
                        .cloned()
                });
                let Some(function) = function else {
                    return DiscountPayload::refused(
                        Some("INVALID"),
                        "functionHandle",
                        "Function not found.",
                    );
                };
                discounts.last_id += 1;
                let id = discounts.last_id;
                AutomaticAppDiscount {
                    id,
                    title: String::new(),
                    function_handle: function.handle,
                    classes: Vec::new(),
                    combines_with: [false; 3],
                    starts_at: self.now,
                    ends_at: None,
                    created_at: self.now,
                }
            }
        };
        if let Some(title) = text("title") {
            discount.title = title;
        }
        if discount.title.trim().is_empty() {
            return DiscountPayload::refused(Some("BLANK"), "title", "Title can't be blank");
        }
        if let Some(classes) = input.get("discountClasses").and_then(JsonValue::as_array) {
            discount.classes = classes.iter().filter_map(JsonValue::as_str).map(str::to_owned).collect();
        }
        if discount.classes.is_empty() {
            return DiscountPayload::refused(
                Some("BLANK"),
                "discountClasses",
                "Discount classes can't be blank",
            );
        }
        if let Some(combines) = input.get("combinesWith") {
            let flag = |name: &str| combines.get(name).and_then(JsonValue::as_bool).unwrap_or(false);
            discount.combines_with =
                [flag("orderDiscounts"), flag("productDiscounts"), flag("shippingDiscounts")];
        }
        if let Some(starts_at) = text("startsAt") {
            match parse_time(&starts_at) {
                Some(seconds) => discount.starts_at = seconds,
                None => {
                    return DiscountPayload::refused(
                        Some("INVALID"),
                        "startsAt",
                        "Starts at is not a date and time",
                    );
                }
            }
        }
        if let Some(ends_at) = text("endsAt") {
            match parse_time(&ends_at) {
                Some(seconds) if seconds > discount.starts_at => discount.ends_at = Some(seconds),
                _ => {
                    return DiscountPayload::refused(
                        Some("INVALID"),
                        "endsAt",
                        "Ends at needs to be after starts at",
                    );
                }
            }
        }
        if let Err(errors) = self.write_metafields(&discount.node_id(), input.get("metafields")) {
            return DiscountPayload { type_name: "", discount: None, user_errors: errors, now: self.now };
        }
        match existing {
            Some(index) => discounts.automatic[index] = discount.clone(),
            None => discounts.automatic.push(discount.clone()),
        }
        DiscountPayload { type_name: "", discount: Some(discount), user_errors: Vec::new(), now: self.now }
    }

    /// The payload of the mutation that ran.
    pub(crate) fn save_as(&self, info: &ResolveInfo<'_>) -> DiscountPayload {
        let id = info.arguments().get("id").and_then(JsonValue::as_str);
        let type_name = if id.is_some() {
            "DiscountAutomaticAppUpdatePayload"
        } else {
            "DiscountAutomaticAppCreatePayload"
        };
        DiscountPayload { type_name, ..self.save(info, id) }
    }

    fn write_metafields(&self, owner: &str, metafields: Option<&JsonValue>) -> Result<(), Vec<UserError>> {
        let inputs: Vec<SetInput> = metafields
            .and_then(JsonValue::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        let text = |name: &str| item.get(name).and_then(JsonValue::as_str).map(str::to_owned);
                        SetInput {
                            owner_id: owner.to_owned(),
                            namespace: text("namespace"),
                            key: text("key").unwrap_or_default(),
                            kind: text("type"),
                            value: text("value").unwrap_or_default(),
                            compare_digest: None,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        if inputs.is_empty() {
            return Ok(());
        }
        let mut shop = self.shop.borrow_mut();
        let definitions = self.definitions.borrow();
        let rules = SetRules {
            client_id: self.client_id,
            now: self.now,
            owner_exists: &|_| true,
            may_write: &|_| true,
            defined_type: &|owner, namespace, key| defined_type(&definitions, owner, namespace, key),
        };
        set(&mut shop.metafields, &inputs, &rules).map(|_| ()).map_err(|errors| {
            errors
                .into_iter()
                .map(|error| {
                    let mut field = vec!["automaticAppDiscount".to_owned()];
                    field.extend(error.field);
                    (Some("INVALID"), field, error.message)
                })
                .collect()
        })
    }
}

pub(crate) struct DiscountPayload {
    type_name: &'static str,
    discount: Option<AutomaticAppDiscount>,
    user_errors: Vec<UserError>,
    now: u64,
}

impl DiscountPayload {
    fn refused(code: Option<&'static str>, field: &str, message: &str) -> Self {
        let field = vec!["automaticAppDiscount".to_owned(), field.to_owned()];
        Self { type_name: "", discount: None, user_errors: vec![(code, field, message.to_owned())], now: 0 }
    }
}

impl ObjectValue for DiscountPayload {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "automaticAppDiscount" => Ok(ResolvedValue::nullable_object(
                self.discount.as_ref().map(|discount| AutomaticAppValue { discount, now: self.now }),
            )),
            "userErrors" => Ok(ResolvedValue::list(
                self.user_errors.iter().map(|error| ResolvedValue::object(DiscountErrorValue(error))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct DiscountErrorValue<'e>(&'e UserError);

impl ObjectValue for DiscountErrorValue<'_> {
    fn type_name(&self) -> &str {
        "DiscountUserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (code, field, message) = self.0;
        match info.field_name() {
            "code" => Ok(ResolvedValue::leaf(*code)),
            "field" => Ok(ResolvedValue::list(field.iter().map(|part| ResolvedValue::leaf(part.as_str())))),
            "message" => Ok(ResolvedValue::leaf(message.as_str())),
            "extraInfo" => Ok(ResolvedValue::null()),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct AutomaticAppValue<'d> {
    discount: &'d AutomaticAppDiscount,
    now: u64,
}

impl ObjectValue for AutomaticAppValue<'_> {
    fn type_name(&self) -> &str {
        "DiscountAutomaticApp"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let discount = self.discount;
        match info.field_name() {
            "discountId" => Ok(ResolvedValue::leaf(discount.node_id())),
            "title" => Ok(ResolvedValue::leaf(discount.title.as_str())),
            "discountClasses" => Ok(ResolvedValue::list(
                discount.classes.iter().map(|class| ResolvedValue::leaf(class.as_str())),
            )),
            "status" => Ok(ResolvedValue::leaf(discount.status(self.now))),
            "startsAt" => Ok(ResolvedValue::leaf(iso8601(discount.starts_at))),
            "endsAt" => Ok(ResolvedValue::leaf(discount.ends_at.map(iso8601))),
            "createdAt" | "updatedAt" => Ok(ResolvedValue::leaf(iso8601(discount.created_at))),
            "combinesWith" => Ok(ResolvedValue::object(CombinesWithValue(discount.combines_with))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct CombinesWithValue([bool; 3]);

impl ObjectValue for CombinesWithValue {
    fn type_name(&self) -> &str {
        "DiscountCombinesWith"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "orderDiscounts" => Ok(ResolvedValue::leaf(self.0[0])),
            "productDiscounts" => Ok(ResolvedValue::leaf(self.0[1])),
            "shippingDiscounts" => Ok(ResolvedValue::leaf(self.0[2])),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `discountNode(id:)`.
pub(crate) struct DiscountNodeValue<'s> {
    pub context: DiscountContext<'s>,
    pub discount: AutomaticAppDiscount,
}

impl ObjectValue for DiscountNodeValue<'_> {
    fn type_name(&self) -> &str {
        "DiscountNode"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(self.discount.node_id())),
            "discount" => Ok(ResolvedValue::object(AutomaticAppValue {
                discount: &self.discount,
                now: self.context.now,
            })),
            "metafield" => {
                Ok(metafield_field(self.context.shop, &self.discount.node_id(), self.context.client_id, info))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `shopifyFunctions(first:, apiType:)`, the app's own Functions.
pub(crate) fn functions_connection<'a>(
    discounts: &RefCell<Discounts>,
    info: &ResolveInfo<'a>,
) -> ResolvedValue<'a> {
    let api_type = info.arguments().get("apiType").and_then(JsonValue::as_str);
    let first = info.arguments().get("first").and_then(JsonValue::as_u64).unwrap_or(0);
    let functions: Vec<ShopifyFunction> = discounts
        .borrow()
        .functions
        .iter()
        .filter(|function| api_type.is_none_or(|kind| function.api_type == kind))
        .take(usize::try_from(first).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    ResolvedValue::object(FunctionConnectionValue(functions))
}

struct FunctionConnectionValue(Vec<ShopifyFunction>);

impl ObjectValue for FunctionConnectionValue {
    fn type_name(&self) -> &str {
        "ShopifyFunctionConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "nodes" => Ok(ResolvedValue::list(
                self.0.iter().map(|function| ResolvedValue::object(FunctionValue(function))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct FunctionValue<'f>(&'f ShopifyFunction);

impl ObjectValue for FunctionValue<'_> {
    fn type_name(&self) -> &str {
        "ShopifyFunction"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let function = self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(function.id.as_str())),
            "handle" => Ok(ResolvedValue::leaf(function.handle.as_str())),
            "apiType" => Ok(ResolvedValue::leaf(function.api_type.as_str())),
            "title" => Ok(ResolvedValue::leaf(function.title.as_str())),
            "apiVersion" => Ok(ResolvedValue::leaf("2026-10")),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
