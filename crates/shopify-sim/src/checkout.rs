//! A Discount Function's input for a checkout, built as Shopify builds it: the Function's own
//! input query is validated against the official Function schema and executed against the
//! checkout, so fields come in query order under their aliases, and the query's variables come
//! from the discount's metafield.

use std::sync::OnceLock;

use apollo_compiler::resolvers::{Execution, FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

use crate::admin_api::schema::ONE_OF;
use crate::errors::{GraphqlError, GraphqlErrors};
use crate::money::MoneyValue;

/// Written by `scripts/schemas.mjs` from Shopify's introspection (`@shopify/dev-mcp`).
const FUNCTION_SDL: &str = include_str!("../schema/functions_discount_2026-10.graphql");

/// Shopify does not deliver metafield values larger than this to a Function.
pub const MAX_FUNCTION_METAFIELD_BYTES: usize = 10_000;

/// A checkout as a Discount Function sees it.
#[derive(Clone, Debug, Default)]
pub struct Checkout {
    /// The signed-in customer; `None` for a guest.
    pub customer: Option<Customer>,
    /// The cart's lines.
    pub lines: Vec<CartLine>,
    /// The cart's delivery groups.
    pub delivery_groups: Vec<DeliveryGroup>,
    /// The buyer's currency, e.g. `EUR`.
    pub currency: String,
    /// Shop currency to buyer currency, as a decimal string.
    pub presentment_currency_rate: String,
    /// The discount whose Function runs.
    pub discount: DiscountNode,
}

/// A customer and their tags.
#[derive(Clone, Debug, Default)]
pub struct Customer {
    /// `gid://shopify/Customer/…`
    pub id: String,
    /// Tags as the customer carries them now.
    pub tags: Vec<String>,
}

/// A cart line.
#[derive(Clone, Debug)]
pub struct CartLine {
    /// `gid://shopify/CartLine/…`
    pub id: String,
    /// Items on the line.
    pub quantity: u32,
    /// The line's subtotal in the buyer's currency, as a decimal string.
    pub subtotal: String,
    /// What is bought.
    pub merchandise: Merchandise,
}

/// What a line buys.
#[derive(Clone, Debug)]
pub enum Merchandise {
    /// A variant of a product.
    Variant {
        /// `gid://shopify/ProductVariant/…`
        id: String,
        /// Its product.
        product: Product,
    },
    /// A custom item with no product.
    Custom,
}

/// A product as the checkout knows it.
#[derive(Clone, Debug, Default)]
pub struct Product {
    /// `gid://shopify/Product/…`
    pub id: String,
    /// The collections it is in (`gid://shopify/Collection/…`).
    pub collections: Vec<String>,
    /// Its tags.
    pub tags: Vec<String>,
}

/// A delivery group and its options.
#[derive(Clone, Debug, Default)]
pub struct DeliveryGroup {
    /// `gid://shopify/CartDeliveryGroup/…`
    pub id: String,
    /// The options offered.
    pub options: Vec<DeliveryOption>,
}

/// A delivery option.
#[derive(Clone, Debug, Default)]
pub struct DeliveryOption {
    /// The option's handle.
    pub handle: String,
    /// Its price in the buyer's currency, as a decimal string.
    pub price: String,
}

/// The discount node the Function belongs to.
#[derive(Clone, Debug, Default)]
pub struct DiscountNode {
    /// `ORDER`, `PRODUCT`, `SHIPPING`.
    pub classes: Vec<String>,
    /// The node's metafields: (namespace, key, value).
    pub metafields: Vec<(String, String, String)>,
    /// The metafield named by `[extensions.input.variables]`, whose top-level keys are the
    /// input query's variables: (namespace, key).
    pub input_variables: Option<(String, String)>,
}

impl DiscountNode {
    /// A metafield's value as a Function receives it: none past Shopify's size limit.
    fn metafield(&self, namespace: &str, key: &str) -> Option<&str> {
        self.metafields
            .iter()
            .find(|(ns, k, _)| ns == namespace && k == key)
            .map(|(_, _, value)| value.as_str())
            .filter(|value| value.len() <= MAX_FUNCTION_METAFIELD_BYTES)
    }
}

/// The official Discount Function schema, parsed once.
fn function_schema() -> &'static Valid<Schema> {
    static SCHEMA: OnceLock<Valid<Schema>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        // Generated from Shopify's own schema and checked in CI: failing to parse is a broken
        // build, not bad input.
        Schema::parse_and_validate(format!("{FUNCTION_SDL}{ONE_OF}"), "functions_discount_2026-10.graphql")
            .unwrap_or_else(|invalid| panic!("the Function schema does not validate: {}", invalid.errors))
    })
}

/// The input Shopify would give a Function whose input query is `query`, for this checkout.
pub fn function_input(query: &str, checkout: &Checkout) -> Result<serde_json::Value, GraphqlErrors> {
    let schema = function_schema();
    let document = ExecutableDocument::parse_and_validate(schema, query, "input.graphql")
        .map_err(|invalid| crate::admin_api::schema::shopify_errors(&invalid.errors))?;
    let variables = input_variables(&checkout.discount);
    let execution = Execution::new(schema, &document).raw_variable_values(&variables);
    let response = execution
        .execute_sync(&InputValue(checkout))
        .map_err(|error| single_error("invalidVariableValue", error.message().to_string()))?;
    if let Some(error) = response.errors.first() {
        return Err(single_error("executionError", error.message.clone()));
    }
    serde_json::to_value(&response.data).map_err(|error| single_error("internalError", error.to_string()))
}

fn single_error(code: &str, message: String) -> GraphqlErrors {
    GraphqlErrors { errors: vec![GraphqlError::new(code, message, Vec::new())] }
}

/// The variables Shopify takes from the discount's input-variables metafield: its top-level
/// keys; none when it is missing, too large or not a JSON object.
fn input_variables(discount: &DiscountNode) -> JsonMap {
    let Some((namespace, key)) = &discount.input_variables else {
        return JsonMap::new();
    };
    match discount.metafield(namespace, key).map(serde_json::from_str::<JsonValue>) {
        Some(Ok(JsonValue::Object(variables))) => variables,
        _ => JsonMap::new(),
    }
}

fn money<'a>(amount: &str, currency: &str) -> ResolvedValue<'a> {
    ResolvedValue::object(MoneyValue { amount: amount.to_owned(), currency: currency.to_owned() })
}

/// The string list argument `name` (`tags`, `ids`); empty when absent, as its default is.
fn string_list(info: &ResolveInfo<'_>, name: &str) -> Vec<String> {
    info.arguments()
        .get(name)
        .and_then(JsonValue::as_array)
        .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

struct InputValue<'c>(&'c Checkout);

impl ObjectValue for InputValue<'_> {
    fn type_name(&self) -> &str {
        "Input"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "cart" => Ok(ResolvedValue::object(CartValue(self.0))),
            "discount" => Ok(ResolvedValue::object(DiscountValue(&self.0.discount))),
            "presentmentCurrencyRate" => Ok(ResolvedValue::leaf(self.0.presentment_currency_rate.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct CartValue<'c>(&'c Checkout);

impl ObjectValue for CartValue<'_> {
    fn type_name(&self) -> &str {
        "Cart"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let checkout = self.0;
        match info.field_name() {
            "buyerIdentity" => Ok(ResolvedValue::object(BuyerIdentityValue(checkout.customer.as_ref()))),
            "lines" => Ok(ResolvedValue::list(
                checkout
                    .lines
                    .iter()
                    .map(|line| ResolvedValue::object(CartLineValue(line, &checkout.currency))),
            )),
            "cost" => Ok(ResolvedValue::object(CartCostValue(checkout))),
            "deliveryGroups" => Ok(ResolvedValue::list(
                checkout
                    .delivery_groups
                    .iter()
                    .map(|group| ResolvedValue::object(DeliveryGroupValue(group, &checkout.currency))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct BuyerIdentityValue<'c>(Option<&'c Customer>);

impl ObjectValue for BuyerIdentityValue<'_> {
    fn type_name(&self) -> &str {
        "BuyerIdentity"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "customer" => Ok(ResolvedValue::nullable_object(self.0.map(CustomerValue))),
            "isAuthenticated" => Ok(ResolvedValue::leaf(self.0.is_some())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct CustomerValue<'c>(&'c Customer);

impl ObjectValue for CustomerValue<'_> {
    fn type_name(&self) -> &str {
        "Customer"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let tags = &self.0.tags;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(self.0.id.as_str())),
            "hasAnyTag" => {
                Ok(ResolvedValue::leaf(string_list(info, "tags").iter().any(|tag| tags.contains(tag))))
            }
            "hasTags" => Ok(ResolvedValue::list(string_list(info, "tags").into_iter().map(move |tag| {
                let held = tags.contains(&tag);
                ResolvedValue::object(HasTagValue { tag, held })
            }))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct HasTagValue {
    tag: String,
    held: bool,
}

impl ObjectValue for HasTagValue {
    fn type_name(&self) -> &str {
        "HasTagResponse"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "tag" => Ok(ResolvedValue::leaf(self.tag.as_str())),
            "hasTag" => Ok(ResolvedValue::leaf(self.held)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct CartLineValue<'c>(&'c CartLine, &'c str);

impl ObjectValue for CartLineValue<'_> {
    fn type_name(&self) -> &str {
        "CartLine"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let line = self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(line.id.as_str())),
            "quantity" => Ok(ResolvedValue::leaf(line.quantity)),
            "cost" => Ok(ResolvedValue::object(LineCostValue(line, self.1))),
            "merchandise" => Ok(match &line.merchandise {
                Merchandise::Variant { id, product } => ResolvedValue::object(VariantValue(id, product)),
                Merchandise::Custom => ResolvedValue::object(CustomProductValue),
            }),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct LineCostValue<'c>(&'c CartLine, &'c str);

impl ObjectValue for LineCostValue<'_> {
    fn type_name(&self) -> &str {
        "CartLineCost"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "subtotalAmount" | "totalAmount" => Ok(money(&self.0.subtotal, self.1)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct VariantValue<'c>(&'c str, &'c Product);

impl ObjectValue for VariantValue<'_> {
    fn type_name(&self) -> &str {
        "ProductVariant"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(self.0)),
            "product" => Ok(ResolvedValue::object(ProductValue(self.1))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct CustomProductValue;

impl ObjectValue for CustomProductValue {
    fn type_name(&self) -> &str {
        "CustomProduct"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "isGiftCard" => Ok(ResolvedValue::leaf(false)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct ProductValue<'c>(&'c Product);

impl ObjectValue for ProductValue<'_> {
    fn type_name(&self) -> &str {
        "Product"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let product = self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(product.id.as_str())),
            "inAnyCollection" => Ok(ResolvedValue::leaf(
                string_list(info, "ids").iter().any(|id| product.collections.contains(id)),
            )),
            "inCollections" => Ok(ResolvedValue::list(string_list(info, "ids").into_iter().map(move |id| {
                let member = product.collections.contains(&id);
                ResolvedValue::object(MembershipValue { id, member })
            }))),
            "hasAnyTag" => Ok(ResolvedValue::leaf(
                string_list(info, "tags").iter().any(|tag| product.tags.contains(tag)),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct MembershipValue {
    id: String,
    member: bool,
}

impl ObjectValue for MembershipValue {
    fn type_name(&self) -> &str {
        "CollectionMembership"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "collectionId" => Ok(ResolvedValue::leaf(self.id.as_str())),
            "isMember" => Ok(ResolvedValue::leaf(self.member)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct CartCostValue<'c>(&'c Checkout);

impl ObjectValue for CartCostValue<'_> {
    fn type_name(&self) -> &str {
        "CartCost"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "subtotalAmount" | "totalAmount" => Ok(money(&decimal_sum(&self.0.lines), &self.0.currency)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// The sum of the lines' subtotals, in cents precision as carts carry it.
fn decimal_sum(lines: &[CartLine]) -> String {
    let cents: i64 = lines
        .iter()
        .map(|line| {
            let (whole, fraction) = line.subtotal.split_once('.').unwrap_or((&line.subtotal, "0"));
            let fraction = format!("{fraction:0<2}");
            whole.parse::<i64>().unwrap_or(0) * 100
                + fraction.get(..2).and_then(|f| f.parse::<i64>().ok()).unwrap_or(0)
        })
        .sum();
    format!("{}.{:02}", cents / 100, cents % 100)
}

struct DeliveryGroupValue<'c>(&'c DeliveryGroup, &'c str);

impl ObjectValue for DeliveryGroupValue<'_> {
    fn type_name(&self) -> &str {
        "CartDeliveryGroup"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let currency = self.1;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(self.0.id.as_str())),
            "deliveryOptions" => Ok(ResolvedValue::list(
                self.0
                    .options
                    .iter()
                    .map(move |option| ResolvedValue::object(DeliveryOptionValue(option, currency))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct DeliveryOptionValue<'c>(&'c DeliveryOption, &'c str);

impl ObjectValue for DeliveryOptionValue<'_> {
    fn type_name(&self) -> &str {
        "CartDeliveryOption"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "handle" => Ok(ResolvedValue::leaf(self.0.handle.as_str())),
            "cost" => Ok(money(&self.0.price, self.1)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct DiscountValue<'c>(&'c DiscountNode);

impl ObjectValue for DiscountValue<'_> {
    fn type_name(&self) -> &str {
        "Discount"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "discountClasses" => Ok(ResolvedValue::list(
                self.0.classes.iter().map(|class| ResolvedValue::leaf(class.as_str())),
            )),
            "metafield" => {
                let namespace =
                    info.arguments().get("namespace").and_then(JsonValue::as_str).unwrap_or_default();
                let key = info.arguments().get("key").and_then(JsonValue::as_str).unwrap_or_default();
                Ok(ResolvedValue::nullable_object(self.0.metafield(namespace, key).map(MetafieldValue)))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct MetafieldValue<'c>(&'c str);

impl ObjectValue for MetafieldValue<'_> {
    fn type_name(&self) -> &str {
        "Metafield"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "value" => Ok(ResolvedValue::leaf(self.0)),
            "type" => Ok(ResolvedValue::leaf("json")),
            "jsonValue" => {
                Ok(ResolvedValue::leaf(serde_json::from_str::<JsonValue>(self.0).unwrap_or(JsonValue::Null)))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
